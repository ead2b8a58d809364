//! Attack matrix on the OAuth resource server, at the HTTP level: every forged,
//! stale, misdirected or misplaced token sent to `POST /mcp` with a
//! `tools/call` for `nc_notes_get_note` is refused with a `WWW-Authenticate:
//! Bearer` challenge naming our RFC 9728 metadata, and the mock Nextcloud sees
//! no request at all. A positive control (and the key-rotation case) shows the
//! same request does reach Nextcloud when the token is good, so the matrix can
//! fail.
//!
//! The server runs in pass-through mode and every forged token names both this
//! server and Nextcloud as audience: had the middleware let one through, the
//! tool would have forwarded it to Nextcloud.

mod claims;
mod credentials;
mod forged;
mod rotation;
mod scope;

use std::time::Duration;

use crate::support::oauth::{OAuthWorld, Options, mcp_request, pass_through, tool_call};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

const METADATA: &str =
    "resource_metadata=\"https://mcp.example.test/.well-known/oauth-protected-resource/mcp\"";

/// The shared world in pass-through mode, every minted token naming
/// Nextcloud too, and the IdP publishing only `key-a`; the unknown-`kid`
/// refetch keeps its production rate limit.
async fn start() -> OAuthWorld {
    matrix_world(None).await
}

/// As `start`, with the unknown-`kid` refetch limited to once per
/// `jwks_min_refetch` (the rotation case needs it short).
async fn start_with(jwks_min_refetch: Duration) -> OAuthWorld {
    matrix_world(Some(jwks_min_refetch)).await
}

async fn matrix_world(jwks_min_refetch: Option<Duration>) -> OAuthWorld {
    let options = Options {
        jwks_min_refetch,
        tokens_name_nextcloud: true,
        ..Options::default()
    };
    let world = OAuthWorld::start_with(pass_through(), options).await;
    // A real IdP answers `active: false` for a token it never issued.
    world.idp_finds_every_opaque_token_inactive().await;
    world
}

/// The requests of the matrix, and its one way to check a refusal.
impl OAuthWorld {
    /// `POST /mcp` with a `tools/call` of `nc_notes_get_note` for note 213.
    async fn call_get_note(&self, authorization: Option<&str>) -> reqwest::Response {
        self.call_get_note_at(&self.server.mcp_url(), authorization)
            .await
    }

    async fn call_get_note_at(&self, url: &str, authorization: Option<&str>) -> reqwest::Response {
        let body = tool_call("nc_notes_get_note", json!({"note_id": 213}));
        let mut request = mcp_request(url, &body);
        if let Some(value) = authorization {
            request = request.header("Authorization", value);
        }
        request.send().await.unwrap()
    }

    async fn nextcloud_requests(&self) -> usize {
        self.nextcloud.received_requests().await.unwrap().len()
    }

    /// Asserts the refusal of one attack: status, challenge, no token echo,
    /// and not a single request reached Nextcloud.
    async fn assert_refused(
        &self,
        case: &str,
        response: reqwest::Response,
        status: u16,
        error: Option<&str>,
        token: Option<&str>,
    ) -> String {
        assert_eq!(
            response.status().as_u16(),
            status,
            "[{case}] status (challenge: {:?})",
            response.headers().get("www-authenticate")
        );
        let challenge = response
            .headers()
            .get("www-authenticate")
            .unwrap_or_else(|| panic!("[{case}] no WWW-Authenticate challenge"))
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            challenge.starts_with("Bearer "),
            "[{case}] challenge must be a Bearer challenge: {challenge}"
        );
        assert!(
            challenge.contains(METADATA),
            "[{case}] challenge must name the protected-resource metadata: {challenge}"
        );
        match error {
            Some(code) => assert!(
                challenge.contains(&format!("error=\"{code}\"")),
                "[{case}] challenge must carry error=\"{code}\": {challenge}"
            ),
            None => assert!(
                !challenge.contains("error="),
                "[{case}] a request without credentials gets no error code (RFC 6750 3.1): {challenge}"
            ),
        }
        let body = response.text().await.unwrap();
        if let Some(token) = token {
            let signature = token.rsplit('.').next().unwrap_or(token);
            for (what, text) in [("challenge", &challenge), ("body", &body)] {
                assert!(
                    !text.contains(token) && (signature.len() < 8 || !text.contains(signature)),
                    "[{case}] the {what} echoes the token: {text}"
                );
            }
        }
        assert_eq!(
            self.nextcloud_requests().await,
            0,
            "[{case}] Nextcloud must see zero requests"
        );
        challenge
    }
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

// ----- Positive control -----

#[tokio::test]
async fn control_a_valid_token_reaches_nextcloud() {
    let world = start().await;
    let token = world.token(json!({}));
    world.nextcloud_accepts(&token).await;
    let response = world.call_get_note(Some(&bearer(&token))).await;
    assert_eq!(
        response.status(),
        200,
        "[control] a valid token is accepted"
    );
    assert!(response.headers().get("www-authenticate").is_none());
    let body = response.text().await.unwrap();
    assert!(
        body.contains("Groceries"),
        "[control] the note came back: {body}"
    );
    let requests = world.nextcloud.received_requests().await.unwrap();
    assert!(
        !requests.is_empty(),
        "[control] Nextcloud saw the forwarded call"
    );
    for request in &requests {
        assert_eq!(
            request.headers.get("authorization").unwrap(),
            bearer(&token).as_str(),
            "[control] the caller's token is what Nextcloud saw"
        );
    }
}
