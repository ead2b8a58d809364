//! Who is calling: the verified caller the HTTP edge put on the request.

use rmcp::RoleServer;
use rmcp::service::RequestContext;

use crate::domain::credential::BasicCaller;
use crate::domain::principal::Principal;

fn request_parts(request: &RequestContext<RoleServer>) -> Option<&http::request::Parts> {
    request.extensions.get::<http::request::Parts>()
}

/// The verified caller of this MCP request, if the auth middleware set one.
/// rmcp hands the HTTP request parts to the handler; under stdio there are none.
pub fn caller_of(request: &RequestContext<RoleServer>) -> Option<Principal> {
    request_parts(request)
        .and_then(|parts| parts.extensions.get::<Principal>())
        .cloned()
}

/// Multi-user basic: the Basic credential this request carried, checked at
/// Nextcloud by the HTTP edge.
pub fn basic_caller_of(request: &RequestContext<RoleServer>) -> Option<BasicCaller> {
    request_parts(request)
        .and_then(|parts| parts.extensions.get::<BasicCaller>())
        .cloned()
}

/// What per-caller state is kept under: issuer and subject of a bearer
/// caller, the Nextcloud user id of a Basic caller (never its password), and
/// `None` for the one user of basic mode or stdio. The prefixes keep the two
/// kinds of caller apart.
pub fn caller_key(request: &RequestContext<RoleServer>) -> Option<String> {
    if let Some(caller) = caller_of(request) {
        return Some(format!("{}\u{0}{}", caller.issuer(), caller.subject()));
    }
    basic_caller_of(request).map(|basic| format!("basic\u{0}\u{0}{}", basic.user_id))
}
