//! The index sync in login-flow mode: a user who connected their Nextcloud
//! account is synced with the stored app password (opened through the
//! background-job gate), and only they find their documents; once they
//! disconnect, the sync stops and their documents leave.

use std::time::Duration;

use base64::Engine as _;

use crate::support::e2e::*;
use crate::support::login_flow::LoginFlowStandIn;
use crate::support::oauth::{OAuthWorld, Options};
use nextcloud_mcp::app::config::SyncConfig;
use nextcloud_mcp::domain::credential::{AuthMode, LoginFlowPolicy};
use nextcloud_mcp::domain::index::DocApp;
use nextcloud_mcp::domain::login_flow::OwnershipRule;
use serde_json::{Value, json};
use wiremock::matchers::{header_exists, method, path};
use wiremock::{Mock, ResponseTemplate};

const BOB: &str = "9a1b-uuid-bob";

async fn hits(client: &Client, query: &str) -> Vec<String> {
    let out = assert_ok(
        "nc_semantic_search",
        &call(client, "nc_semantic_search", json!({"query": query})).await,
    );
    out["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h: &Value| h["title"].as_str().unwrap().to_string())
        .collect()
}

/// Polls until `query` gives `want`: a guard against a hang, not a timing assertion.
async fn eventually(client: &Client, query: &str, want: &[&str]) {
    let mut got = Vec::new();
    for _ in 0..200 {
        got = hits(client, query).await;
        if got == want {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("'{query}': wanted {want:?}, got {got:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_connected_account_is_synced_with_its_stored_app_password() {
    let mode = AuthMode::LoginFlow(LoginFlowPolicy {
        owner: OwnershipRule::default(),
        rotate_every: None,
        poll_every: Duration::from_secs(1),
    });
    let world = OAuthWorld::start_with(
        mode,
        Options {
            consent: true,
            ..Options::default()
        },
    )
    .await;
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

    // A second server on the same store runs the sync (the world's own
    // server starts without it).
    let mut config = world.replica_config();
    config.nextcloud_url = url::Url::parse(&world.nextcloud.uri()).unwrap();
    config.sync = SyncConfig {
        enabled: true,
        interval: Duration::from_secs(1),
        apps: vec![DocApp::Notes],
        embeddings: None,
        model_dir: None,
    };
    let server = start_server(config).await;
    // The index tools read what unified search reads: search:read.
    let scope = "openid search:read";
    let alice = connect_with(&server, Some(&world.token(json!({"scope": scope})))).await;
    let bob = connect_with(
        &server,
        Some(&world.token(json!({"sub": BOB, "scope": scope}))),
    )
    .await;

    // Not connected yet: nothing is synced.
    assert!(hits(&alice, "regatta").await.is_empty());
    let link = assert_ok(
        "provision",
        &call(&alice, "provision_nextcloud_access", json!({})).await,
    );
    let password = standin.approve(link["authorization_url"].as_str().unwrap(), "alice");

    eventually(&alice, "regatta", &["Harbour plan"]).await;
    assert!(hits(&bob, "regatta").await.is_empty(), "only alice's index");
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
