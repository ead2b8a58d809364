//! The `Origin` check on `/mcp` (MCP Streamable HTTP transport: servers must
//! validate it, against DNS rebinding and cross-site requests from a
//! browser). A request without `Origin` is not from a browser page and
//! passes; one from an origin not allowed gets 403 before anything else.

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use url::Url;

/// Which browser origins may call `/mcp`: loopback pages, pages served from
/// the host the request names, and the origins listed.
#[derive(Clone, Debug, Default)]
pub struct OriginPolicy {
    /// ASCII-serialised origins (`scheme://host[:port]`), or `null`.
    allowed: Vec<String>,
}

impl OriginPolicy {
    /// `allowed` holds origins as [`canonical_origin`] writes them.
    pub fn new(allowed: Vec<String>) -> Self {
        Self { allowed }
    }

    pub fn allows(&self, origin: &str, host: Option<&str>) -> bool {
        let origin = origin.trim();
        if origin == "null" {
            return self.allowed.iter().any(|a| a == "null");
        }
        let Ok(url) = Url::parse(origin) else {
            return false;
        };
        if !matches!(url.scheme(), "http" | "https") {
            return false;
        }
        if url.host().is_some_and(|h| is_loopback(&h)) {
            return true;
        }
        if host.is_some_and(|host| same_authority(&url, host)) {
            return true;
        }
        let serialized = url.origin().ascii_serialization();
        self.allowed.contains(&serialized)
    }
}

/// The canonical form of a configured origin, or why it is not one.
pub fn canonical_origin(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    if raw == "null" {
        return Ok(raw.to_string());
    }
    let url = Url::parse(raw).map_err(|e| format!("'{raw}' is not an origin ({e})"))?;
    let bare = url.path() == "/" && url.query().is_none() && url.fragment().is_none();
    if !matches!(url.scheme(), "http" | "https") || !bare || !url.username().is_empty() {
        return Err(format!(
            "'{raw}' is not an origin like https://app.example or http://host:8080"
        ));
    }
    Ok(url.origin().ascii_serialization())
}

fn is_loopback(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
    }
}

/// Whether the page's origin is the authority the request was sent to (the
/// page was served by this server).
fn same_authority(origin: &Url, host_header: &str) -> bool {
    let Ok(target) = Url::parse(&format!("{}://{host_header}", origin.scheme())) else {
        return false;
    };
    target.path() == "/"
        && target.host() == origin.host()
        && target.port_or_known_default() == origin.port_or_known_default()
}

/// axum middleware: 403 for a browser request from an origin not allowed.
pub async fn check_origin(
    State(policy): State<OriginPolicy>,
    request: Request,
    next: Next,
) -> Response {
    if let Some(origin) = request.headers().get(header::ORIGIN) {
        let host = request
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok());
        let allowed = origin
            .to_str()
            .is_ok_and(|origin| policy.allows(origin, host));
        if !allowed {
            tracing::info!("request to /mcp from a browser origin that is not allowed refused");
            return (
                StatusCode::FORBIDDEN,
                "this origin may not call the MCP endpoint (NEXTCLOUD_MCP_ALLOWED_ORIGINS)",
            )
                .into_response();
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_same_host_and_listed_origins_pass_others_do_not() {
        let policy = OriginPolicy::new(vec![canonical_origin("https://app.example").unwrap()]);
        assert!(policy.allows("http://localhost:6274", Some("mcp.example")));
        assert!(policy.allows("http://127.0.0.1:3000", None));
        assert!(policy.allows("http://[::1]:3000", None));
        assert!(policy.allows("https://mcp.example", Some("mcp.example")));
        assert!(policy.allows("http://mcp.example:8000", Some("mcp.example:8000")));
        assert!(policy.allows("https://app.example", Some("mcp.example")));
        assert!(policy.allows("https://app.example:443", Some("mcp.example")));

        assert!(!policy.allows("https://evil.example", Some("mcp.example")));
        assert!(!policy.allows("http://mcp.example:9000", Some("mcp.example:8000")));
        assert!(!policy.allows("https://app.example:8443", Some("mcp.example")));
        assert!(!policy.allows("http://localhost.evil.example", None));
        assert!(!policy.allows("null", Some("mcp.example")));
        assert!(!policy.allows("file:///etc/passwd", None));
        assert!(!policy.allows("not an origin", Some("mcp.example")));
        assert!(!policy.allows("https://evil.example", Some("evil.example/x@mcp.example")));
    }

    #[test]
    fn configured_origins_are_checked_and_canonical() {
        assert_eq!(
            canonical_origin("HTTPS://App.Example:443/").unwrap(),
            "https://app.example"
        );
        assert_eq!(canonical_origin("null").unwrap(), "null");
        assert!(canonical_origin("https://app.example/path").is_err());
        assert!(canonical_origin("ftp://app.example").is_err());
        assert!(canonical_origin("app.example").is_err());
    }
}
