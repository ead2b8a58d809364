//! Who is calling: the verified caller the HTTP edge put on the request.

use rmcp::RoleServer;
use rmcp::service::RequestContext;

use crate::domain::principal::Principal;

/// The verified caller of this MCP request, if the auth middleware set one.
/// rmcp hands the HTTP request parts to the handler; under stdio there are none.
pub fn caller_of(request: &RequestContext<RoleServer>) -> Option<Principal> {
    request
        .extensions
        .get::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Principal>())
        .cloned()
}
