//! Basic mode's static bearer token on `/mcp`: basic mode acts for everyone
//! with one shared app password, so a server reachable beyond loopback asks
//! every caller for this token first.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A digest of the expected Authorization value; the token itself is not kept.
#[derive(Clone)]
pub struct StaticBearer {
    expected: [u8; 32],
}

impl StaticBearer {
    pub fn new(token: &SecretString) -> Self {
        Self {
            expected: Sha256::digest(format!("Bearer {}", token.expose_secret())).into(),
        }
    }

    /// Hashing first makes the comparison independent of what was sent; the
    /// digests are compared in constant time.
    pub fn accepts(&self, authorization: Option<&HeaderValue>) -> bool {
        let Some(value) = authorization else {
            return false;
        };
        let presented: [u8; 32] = Sha256::digest(value.as_bytes()).into();
        presented.ct_eq(&self.expected).into()
    }
}

/// axum middleware: 401 unless the request carries the static token.
pub async fn require_static_bearer(
    State(bearer): State<StaticBearer>,
    request: Request,
    next: Next,
) -> Response {
    if bearer.accepts(request.headers().get(header::AUTHORIZATION)) {
        return next.run(request).await;
    }
    tracing::info!("request to /mcp without the static bearer token refused");
    let mut response = (
        StatusCode::UNAUTHORIZED,
        "this server needs its bearer token (NEXTCLOUD_MCP_BASIC_TOKEN)",
    )
        .into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"nextcloud-mcp\""),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_bearer_value_is_accepted() {
        let bearer = StaticBearer::new(&SecretString::from("s3cret-token-0123456789abcdef"));
        let value = |v: &str| HeaderValue::from_str(v).unwrap();
        assert!(bearer.accepts(Some(&value("Bearer s3cret-token-0123456789abcdef"))));
        assert!(!bearer.accepts(None));
        assert!(!bearer.accepts(Some(&value("Bearer s3cret-token-0123456789abcde"))));
        assert!(!bearer.accepts(Some(&value("Basic s3cret-token-0123456789abcdef"))));
        assert!(!bearer.accepts(Some(&value("s3cret-token-0123456789abcdef"))));
    }
}
