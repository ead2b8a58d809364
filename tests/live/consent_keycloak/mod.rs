//! Progressive consent (offline access) end to end against a REAL Keycloak started by
//! scripts/live/keycloak.sh:
//!
//!     eval "$(scripts/live/keycloak.sh start)"
//!     NEXTCLOUD_MCP_LIVE_TESTS=1 cargo test --test live consent_keycloak::
//!
//! The server runs in-process in pass-through mode with progressive consent,
//! a sealed SQLite store and a wiremock Nextcloud. A sign-in token from
//! Keycloak's password grant calls `provision_nextcloud_access`; the
//! authorization link is then followed headlessly (login form, consent if
//! any) until Keycloak redirects to our `/oauth/callback`. The refresh token
//! stored there must be sealed at rest, a background job must reach Nextcloud
//! with a refreshed access token, and revocation must end it at Keycloak.
//!
//! Without NEXTCLOUD_MCP_TEST_KEYCLOAK_URL the test skips, unless
//! NEXTCLOUD_MCP_LIVE_TESTS=1 says it must run (then it fails).

mod browser;
mod server;

use browser::log_in_and_consent;
use server::Server;

use crate::realm::{Live, live};
use std::time::Duration;

use crate::support::e2e::{assert_ok, call, text_of};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use nextcloud_mcp::adapters::nextcloud::HttpNextcloud;
use nextcloud_mcp::app::wiring;
use nextcloud_mcp::domain::audit::AuditKind;
use nextcloud_mcp::ports::store::Store;
use nextcloud_mcp::service::offline::{AccessCheck, check_nextcloud_access};
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use url::Url;

const CURRENT_USER_PATH: &str = "/ocs/v2.php/cloud/user";

trait LiveExt {
    async fn flow_one_token(&self) -> String;
    async fn try_refresh(&self, refresh_token: &str) -> (u16, Option<String>);
}

impl LiveExt for Live {
    /// A sign-in token for the test user, from the login client's password
    /// grant; its audience mapper names this server's client id.
    async fn flow_one_token(&self) -> String {
        self.password_grant(&self.login_client).await
    }

    /// Uses a refresh token directly at Keycloak as this server's client;
    /// answers the HTTP status and the OAuth `error`, if any.
    async fn try_refresh(&self, refresh_token: &str) -> (u16, Option<String>) {
        let resp = reqwest::Client::new()
            .post(self.token_endpoint())
            .basic_auth(&self.client_id, Some(&self.client_secret))
            .form(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token),
            ])
            .send()
            .await
            .expect("Keycloak answers");
        let status = resp.status().as_u16();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        (status, body["error"].as_str().map(str::to_string))
    }
}

/// The claims of a JWT, unverified (for assertions only).
fn jwt_claims(token: &str) -> Value {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "not a JWT: {} parts", parts.len());
    let bytes = URL_SAFE_NO_PAD
        .decode(parts[1].trim_end_matches('='))
        .expect("base64url JWT payload");
    serde_json::from_slice(&bytes).expect("JSON JWT payload")
}

fn param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

async fn audit_kinds(store: &dyn Store, subject: &str) -> Vec<(AuditKind, bool)> {
    store
        .recent_audit(Some(subject.to_string()), 50)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.kind, e.outcome.is_success()))
        .collect()
}

#[tokio::test]
async fn flow_two_against_keycloak_grants_refreshes_and_revokes() {
    let Some(kc) = live("keycloak consent test") else {
        return;
    };
    nextcloud_mcp::adapters::nextcloud::http::install_crypto_provider();
    let server = Server::start(&kc).await;

    // Sign-in: the user's own token, for this server.
    let flow_one = kc.flow_one_token().await;
    let flow_one_claims = jwt_claims(&flow_one);
    let subject = flow_one_claims["sub"]
        .as_str()
        .expect("sub in the sign-in token")
        .to_string();
    let client = server.connect(&flow_one).await;

    let status = assert_ok(
        "check_provisioning_status",
        &call(&client, "check_provisioning_status", json!({})).await,
    );
    assert_eq!(status["provisioned"], false, "{status}");

    // Offline access starts: a Keycloak authorization link for this server's client.
    let link = assert_ok(
        "provision_nextcloud_access",
        &call(&client, "provision_nextcloud_access", json!({})).await,
    );
    let authorization_url = Url::parse(link["authorization_url"].as_str().unwrap()).unwrap();
    assert!(
        authorization_url
            .as_str()
            .starts_with(&format!("{}/protocol/openid-connect/auth?", kc.issuer())),
        "{authorization_url}"
    );
    assert_eq!(
        param(&authorization_url, "client_id").as_deref(),
        Some(kc.client_id.as_str())
    );
    assert_eq!(
        param(&authorization_url, "redirect_uri"),
        Some(server.callback_url())
    );
    assert!(
        param(&authorization_url, "scope")
            .unwrap_or_default()
            .split(' ')
            .any(|s| s == "offline_access"),
        "{authorization_url}"
    );
    assert_eq!(
        param(&authorization_url, "code_challenge_method").as_deref(),
        Some("S256")
    );

    // The user signs in at Keycloak; Keycloak sends the browser back to us.
    let callback = log_in_and_consent(&kc, &authorization_url, &server.callback_url()).await;
    assert_eq!(
        param(&callback, "state"),
        param(&authorization_url, "state"),
        "Keycloak returns our state"
    );
    assert!(param(&callback, "code").is_some(), "{callback}");
    assert!(param(&callback, "error").is_none(), "{callback}");
    let granted = reqwest::get(callback.as_str()).await.unwrap();
    let granted_status = granted.status();
    let granted_page = granted.text().await.unwrap();
    assert_eq!(granted_status, 200, "{granted_page}");
    assert!(
        granted_page.contains("Nextcloud access granted"),
        "{granted_page}"
    );
    let replay = reqwest::get(callback.as_str()).await.unwrap();
    assert_eq!(replay.status(), 400, "a callback works once");

    let status = assert_ok(
        "check_provisioning_status",
        &call(&client, "check_provisioning_status", json!({})).await,
    );
    assert_eq!(status["provisioned"], true, "{status}");
    assert!(
        status["scopes"]
            .as_array()
            .is_some_and(|s| s.iter().any(|s| s == "offline_access")),
        "{status}"
    );

    // The grant: an offline token of this server's client, for this user,
    // stored sealed (no copy of it, or of any part of it, in clear on disk).
    let store = server.store().await;
    let issuer = kc.issuer();
    let first = store
        .get_grant(&subject, &issuer)
        .await
        .unwrap()
        .expect("a stored grant for the sign-in subject");
    let first_token = first.refresh_token.expose_secret().to_string();
    let claims = jwt_claims(&first_token);
    assert_eq!(claims["typ"], "Offline", "an offline token: {claims}");
    assert_eq!(claims["azp"], kc.client_id.as_str(), "{claims}");
    assert_eq!(claims["sub"], subject.as_str(), "{claims}");
    let files = server.raw_store_bytes();
    assert!(!files.is_empty(), "the store has files");
    for (name, bytes) in &files {
        for needle in std::iter::once(first_token.as_str())
            .chain(first_token.split('.').filter(|part| part.len() >= 16))
        {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "{name} holds the refresh token (or part of it) in clear"
            );
        }
    }

    // A background job, on its own wiring of the same store (as a replica
    // would), refreshes at Keycloak and reaches Nextcloud with the new token.
    let replica = wiring::wire(&server.config).await.expect("second wiring");
    let offline = replica.offline.expect("offline access is wired");
    let connector = HttpNextcloud::new(
        Url::parse(&server.nextcloud.uri()).unwrap(),
        Duration::from_secs(10),
    )
    .unwrap();
    assert_eq!(
        check_nextcloud_access(&offline, &connector, &subject).await,
        AccessCheck::Works {
            nextcloud_user: "admin".into()
        }
    );
    let seen = server.bearers_seen().await;
    assert_eq!(seen.len(), 1, "one Nextcloud call");
    let job_token = &seen[0];
    assert_ne!(job_token, &flow_one, "not the caller's sign-in token");
    assert_ne!(job_token, &first_token, "not the refresh token");
    let job_claims = jwt_claims(job_token);
    assert_eq!(job_claims["iss"], issuer.as_str(), "{job_claims}");
    assert_eq!(job_claims["sub"], subject.as_str(), "{job_claims}");
    assert_eq!(job_claims["azp"], kc.client_id.as_str(), "{job_claims}");
    assert_eq!(job_claims["typ"], "Bearer", "{job_claims}");

    // Keycloak may rotate the refresh token; either way the store holds a
    // working offline token for the user.
    let second = store
        .get_grant(&subject, &issuer)
        .await
        .unwrap()
        .expect("still provisioned after the refresh");
    let second_token = second.refresh_token.expose_secret().to_string();
    let rotated = second_token != first_token;
    println!("refresh token rotated by Keycloak: {rotated}");
    assert_eq!(jwt_claims(&second_token)["typ"], "Offline");
    assert_eq!(second.scopes, first.scopes);
    for (name, bytes) in server.raw_store_bytes() {
        assert!(
            !bytes
                .windows(second_token.len())
                .any(|w| w == second_token.as_bytes()),
            "{name} holds the rotated refresh token in clear"
        );
    }
    // The stored one works: a second job run uses it (and may rotate again).
    assert_eq!(
        check_nextcloud_access(&offline, &connector, &subject).await,
        AccessCheck::Works {
            nextcloud_user: "admin".into()
        }
    );
    let seen = server.bearers_seen().await;
    assert_eq!(seen.len(), 2);
    assert_ne!(seen[1], seen[0], "a fresh access token each run");
    let kinds = audit_kinds(&*store, &subject).await;
    assert!(kinds.contains(&(AuditKind::Refreshed, true)), "{kinds:?}");
    assert!(
        !kinds.iter().any(|(_, success)| !success),
        "no failure so far: {kinds:?}"
    );

    // Revocation: at Keycloak (RFC 7009) and here.
    let before_revocation = store
        .get_grant(&subject, &issuer)
        .await
        .unwrap()
        .expect("provisioned before revocation")
        .refresh_token
        .expose_secret()
        .to_string();
    let revoked = call(&client, "revoke_nextcloud_access", json!({})).await;
    assert_ok("revoke_nextcloud_access", &revoked);
    println!("revoke: {}", text_of(&revoked));
    assert!(
        store.get_grant(&subject, &issuer).await.unwrap().is_none(),
        "the grant is deleted here"
    );
    let (http_status, error) = kc.try_refresh(&before_revocation).await;
    assert_eq!(
        (http_status, error.as_deref()),
        (400, Some("invalid_grant")),
        "Keycloak no longer honours the revoked offline token"
    );
    let status = assert_ok(
        "check_provisioning_status",
        &call(&client, "check_provisioning_status", json!({})).await,
    );
    assert_eq!(status["provisioned"], false, "{status}");

    // The job now fails cleanly, saying why, and reaches no one.
    match check_nextcloud_access(&offline, &connector, &subject).await {
        AccessCheck::Failed { reason } => assert!(
            reason.contains("has not granted offline access"),
            "{reason}"
        ),
        other => panic!("expected a failure after revocation, got {other:?}"),
    }
    assert_eq!(server.bearers_seen().await.len(), 2, "no Nextcloud call");

    let kinds = audit_kinds(&*store, &subject).await;
    for kind in [
        AuditKind::ConsentStarted,
        AuditKind::Provisioned,
        AuditKind::Refreshed,
        AuditKind::Revoked,
    ] {
        assert!(kinds.contains(&(kind, true)), "{kind:?} in {kinds:?}");
    }

    client.cancel().await.unwrap();
    server.shutdown().await;
}
