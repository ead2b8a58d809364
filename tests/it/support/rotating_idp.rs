//! The refresh grant of an identity provider that rotates refresh tokens and,
//! as real providers do, revokes the whole grant when a spent token is
//! presented again (refresh-token replay). Mounted on a wiremock IdP; the
//! test reads what it saw: refreshes (with when), replays, revocation.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde_json::json;
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use super::idp::REALM_PATH;

#[derive(Default)]
pub struct Grant {
    pub current: String,
    pub spent: HashSet<String>,
    pub revoked: bool,
    pub refreshes: u32,
    pub replays: u32,
    /// When each successful refresh was answered, in order.
    pub refreshed_at: Vec<Instant>,
}

/// The refresh grant of a rotating provider.
#[derive(Clone)]
pub struct RotatingIdp(pub Arc<Mutex<Grant>>);

impl RotatingIdp {
    pub fn new(first: &str) -> Self {
        RotatingIdp(Arc::new(Mutex::new(Grant {
            current: first.into(),
            ..Grant::default()
        })))
    }

    /// Answers `grant_type=refresh_token` at the token endpoint of `idp`.
    pub async fn mount(&self, idp: &MockServer) {
        Mock::given(method("POST"))
            .and(path(format!("{REALM_PATH}/token")))
            .and(body_string_contains("grant_type=refresh_token"))
            .respond_with(self.clone())
            .mount(idp)
            .await;
    }
}

fn invalid_grant() -> ResponseTemplate {
    ResponseTemplate::new(400).set_body_json(json!({
        "error": "invalid_grant", "error_description": "Token is not active"
    }))
}

impl Respond for RotatingIdp {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body = String::from_utf8_lossy(&request.body).to_string();
        let presented = url::form_urlencoded::parse(body.as_bytes())
            .find(|(k, _)| k == "refresh_token")
            .map(|(_, v)| v.to_string())
            .unwrap_or_default();
        let mut grant = self.0.lock().unwrap();
        if grant.revoked {
            return invalid_grant();
        }
        if presented != grant.current {
            if grant.spent.contains(&presented) {
                grant.replays += 1;
                grant.revoked = true;
            }
            return invalid_grant();
        }
        grant.refreshes += 1;
        grant.refreshed_at.push(Instant::now());
        let next = format!("rotated-{}", grant.refreshes);
        let spent = std::mem::replace(&mut grant.current, next.clone());
        grant.spent.insert(spent);
        ResponseTemplate::new(200).set_body_json(json!({
            "access_token": format!("access-{}", grant.refreshes), "token_type": "Bearer",
            "expires_in": 300, "refresh_token": next
        }))
    }
}
