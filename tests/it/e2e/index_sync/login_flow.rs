//! The index sync in login-flow mode: a user who connected their Nextcloud
//! account is synced with the stored app password (opened through the
//! background-job gate), and only they find their documents; once they
//! disconnect, the sync stops and their documents leave. An app password
//! revoked in Nextcloud's settings is noticed by the sync itself: the 401 is
//! checked once more and the account marked "needs reconnecting"; from then
//! on it is not synced, its documents leave, both status tools say why, and
//! reconnecting starts the sync again. No app password reaches the log.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;

use super::{eventually, found, start_syncing_replica, syncing};
use crate::support::e2e::*;
use crate::support::login_flow::LoginFlowStandIn;
use crate::support::oauth::{OAuthWorld, Options};
use nextcloud_mcp::domain::credential::{AuthMode, LoginFlowPolicy};
use nextcloud_mcp::domain::index::DocApp;
use nextcloud_mcp::domain::login_flow::OwnershipRule;
use serde_json::{Value, json};
use wiremock::matchers::{header_exists, method, path};
use wiremock::{Mock, Request, Respond, ResponseTemplate};

const BOB: &str = "9a1b-uuid-bob";

/// An OAuth world in login-flow mode that asks for consent.
async fn login_flow_world() -> OAuthWorld {
    let mode = AuthMode::LoginFlow(LoginFlowPolicy {
        owner: OwnershipRule::default(),
        rotate_every: None,
        poll_every: Duration::from_secs(1),
    });
    let options = Options {
        consent: true,
        ..Options::default()
    };
    OAuthWorld::start_with(mode, options).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_connected_account_is_synced_with_its_stored_app_password() {
    let world = login_flow_world().await;
    // The notes listing, mounted ahead of the stand-in, which answers
    // everything else (the Basic credential is checked below).
    Mock::given(method("GET"))
        .and(path("/index.php/apps/notes/api/v1/notes"))
        .and(header_exists("authorization"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"id": 5, "title": "Harbour plan", "category": "", "content": "Moorings for the regatta",
             "favorite": false, "modified": 1795000000, "etag": "e5", "readonly": false}
        ])))
        .with_priority(1)
        .mount(&world.nextcloud)
        .await;
    let standin = LoginFlowStandIn::mount(&world.nextcloud).await;

    let server =
        start_syncing_replica(&world, &world.nextcloud.uri(), syncing(vec![DocApp::Notes])).await;
    // The index tools read what unified search reads: search:read.
    let scope = "openid search:read";
    let alice = connect_with(&server, Some(&world.token(json!({"scope": scope})))).await;
    let bob = connect_with(
        &server,
        Some(&world.token(json!({"sub": BOB, "scope": scope}))),
    )
    .await;

    // Not connected yet: nothing is synced.
    assert!(found(&alice, "regatta").await.is_empty());
    let link = assert_ok(
        "provision",
        &call(&alice, "provision_nextcloud_access", json!({})).await,
    );
    let password = standin.approve(link["authorization_url"].as_str().unwrap(), "alice");

    eventually(&alice, "regatta", &["notes:Harbour plan"]).await;
    assert!(
        found(&bob, "regatta").await.is_empty(),
        "only alice's index"
    );
    // Listed as alice, with the app password her login flow stored.
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("alice:{password}"))
    );
    let listings: Vec<_> = world
        .nextcloud
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path() == "/index.php/apps/notes/api/v1/notes")
        .collect();
    assert!(!listings.is_empty());
    assert!(
        listings
            .iter()
            .all(|r| r.headers.get("authorization").unwrap().to_str().unwrap() == basic)
    );

    // Disconnected: the sync stops for alice and her documents leave.
    assert_ok(
        "revoke",
        &call(&alice, "revoke_nextcloud_access", json!({})).await,
    );
    eventually(&alice, "regatta", &[]).await;
    server.shutdown().await;
}

/// The notes listing per login name, refused (401) for the logins whose
/// app passwords were revoked; counts the listings each login asked for.
#[derive(Clone, Default)]
struct Notes {
    refused: Arc<Mutex<Vec<String>>>,
    listed: Arc<Mutex<BTreeMap<String, usize>>>,
}

impl Notes {
    fn listed(&self, login: &str) -> usize {
        self.listed.lock().unwrap().get(login).copied().unwrap_or(0)
    }
}

impl Respond for Notes {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let login = request
            .headers
            .get("authorization")
            .and_then(|h| h.to_str().ok())
            .and_then(|h| h.strip_prefix("Basic "))
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|t| t.split_once(':').map(|(l, _)| l.to_lowercase()))
            .unwrap_or_default();
        *self
            .listed
            .lock()
            .unwrap()
            .entry(login.clone())
            .or_default() += 1;
        if login.is_empty() || self.refused.lock().unwrap().contains(&login) {
            return ResponseTemplate::new(401);
        }
        let title = format!("Harbour plan of {login}");
        ResponseTemplate::new(200).set_body_json(json!([
            {"id": 5, "title": title, "category": "", "content": "Moorings for the regatta",
             "favorite": false, "modified": 1795000000, "etag": "e5", "readonly": false}
        ]))
    }
}

/// Everything the server logs on this test's thread.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Polls until `done` holds for the listing counts.
async fn until(notes: &Notes, what: &str, done: impl Fn(&Notes) -> bool) {
    for _ in 0..200 {
        if done(notes) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("never happened: {what}");
}

// One thread: every task of the server runs where the log capture is set.
#[tokio::test]
async fn a_password_revoked_in_nextcloud_stops_the_sync_until_the_user_reconnects() {
    let logs = Logs::default();
    let writer = logs.clone();
    let _capture = tracing::subscriber::set_default(
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish(),
    );
    let world = login_flow_world().await;
    let notes = Notes::default();
    Mock::given(method("GET"))
        .and(path("/index.php/apps/notes/api/v1/notes"))
        .respond_with(notes.clone())
        .with_priority(1)
        .mount(&world.nextcloud)
        .await;
    let standin = LoginFlowStandIn::mount(&world.nextcloud).await;

    let server =
        start_syncing_replica(&world, &world.nextcloud.uri(), syncing(vec![DocApp::Notes])).await;
    let scope = "openid search:read";
    let alice = connect_with(&server, Some(&world.token(json!({"scope": scope})))).await;
    let bob = connect_with(
        &server,
        Some(&world.token(json!({"sub": BOB, "preferred_username": "bob", "scope": scope}))),
    )
    .await;
    let mut passwords = Vec::new();
    for (client, login) in [(&alice, "alice"), (&bob, "bob")] {
        let link = assert_ok(
            "provision",
            &call(client, "provision_nextcloud_access", json!({})).await,
        );
        passwords.push(standin.approve(link["authorization_url"].as_str().unwrap(), login));
    }
    eventually(&alice, "regatta", &["notes:Harbour plan of alice"]).await;
    eventually(&bob, "regatta", &["notes:Harbour plan of bob"]).await;

    // Alice deletes the app password in Nextcloud's settings. She calls no
    // Nextcloud tool: only the sync can notice.
    standin.revoke_all_of("alice");
    notes.refused.lock().unwrap().push("alice".into());
    let status = assert_ok(
        "provisioning status",
        &call(&alice, "check_provisioning_status", json!({})).await,
    );
    assert_eq!(
        status["connected"], true,
        "not marked before the sync hears the 401"
    );
    let mut status = Value::Null;
    for _ in 0..200 {
        status = assert_ok(
            "provisioning status",
            &call(&alice, "check_provisioning_status", json!({})).await,
        );
        if status["needs_reconnect"] == true {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status["needs_reconnect"], true, "{status}");
    assert_eq!(status["login_name"], "alice");

    // Her documents leave the index and the sync no longer lists for her,
    // while bob's passes go on.
    eventually(&alice, "regatta", &[]).await;
    let refused_listings = notes.listed("alice");
    let bob_listings = notes.listed("bob");
    until(&notes, "two more passes for bob", |n| {
        n.listed("bob") >= bob_listings + 2
    })
    .await;
    assert_eq!(
        notes.listed("alice"),
        refused_listings,
        "alice is not synced"
    );
    assert_eq!(found(&bob, "regatta").await, ["notes:Harbour plan of bob"]);

    // The index status says why, and what to do.
    let sync = assert_ok(
        "sync status",
        &call(&alice, "nc_get_vector_sync_status", json!({})).await,
    );
    let why = sync["sync_stopped"].as_str().unwrap_or_default();
    assert!(why.contains("provision_nextcloud_access"), "{sync}");
    let bob_sync = assert_ok(
        "sync status",
        &call(&bob, "nc_get_vector_sync_status", json!({})).await,
    );
    assert!(bob_sync["sync_stopped"].is_null(), "{bob_sync}");

    // Reconnecting starts her sync again.
    let link = assert_ok(
        "provision again",
        &call(&alice, "provision_nextcloud_access", json!({})).await,
    );
    notes.refused.lock().unwrap().clear();
    passwords.push(standin.approve(link["authorization_url"].as_str().unwrap(), "alice"));
    eventually(&alice, "regatta", &["notes:Harbour plan of alice"]).await;
    let sync = assert_ok(
        "sync status",
        &call(&alice, "nc_get_vector_sync_status", json!({})).await,
    );
    assert!(sync["sync_stopped"].is_null(), "{sync}");
    server.shutdown().await;

    let logged = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(
        logged.contains("needs reconnecting"),
        "the capture sees the server's log"
    );
    for secret in standin.every_secret().iter().chain(&passwords) {
        assert!(!logged.contains(secret.as_str()), "a secret was logged");
    }
}
