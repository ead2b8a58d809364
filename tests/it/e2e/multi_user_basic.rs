//! Multi-user basic end to end: every request carries HTTP Basic with a
//! Nextcloud login name and app password, checked at a Nextcloud stand-in
//! (OCS `cloud/user` as captured), remembered briefly, and used for that
//! request's tools only.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use nextcloud_mcp::adapters::http::basic_users::{
    BasicUsers, Check, MAX_AUTHORIZATION_BYTES, Presented, VerdictLimits,
};
use nextcloud_mcp::adapters::idp::budget::IntrospectionBudget;
use nextcloud_mcp::adapters::nextcloud::HttpNextcloud;
use nextcloud_mcp::domain::credential::AuthMode;
use secrecy::SecretString;
use serde_json::json;
use wiremock::MockServer;

use crate::support::e2e::*;
use crate::support::login_flow::LoginFlowStandIn;
use crate::support::oauth::{mcp_request, tool_call};

const CHECK_PATH: &str = "/ocs/v2.php/cloud/user";
const NOTE_PATH: &str = "/index.php/apps/notes/api/v1/notes/213";

async fn world() -> (MockServer, LoginFlowStandIn, RunningServer) {
    let nc = MockServer::start().await;
    let standin = LoginFlowStandIn::mount(&nc).await;
    let mut config = basic_config(&nc.uri(), Duration::from_secs(5));
    config.mode = AuthMode::MultiUserBasic;
    let server = start_server(config).await;
    (nc, standin, server)
}

fn basic_value(login: &str, password: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{login}:{password}")))
}

/// Requests to `path` Nextcloud received with this Authorization value.
async fn received(nc: &MockServer, path: &str, authorization: &str) -> usize {
    nc.received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == path)
        .filter(|r| {
            r.headers
                .get("authorization")
                .is_some_and(|v| v.as_bytes() == authorization.as_bytes())
        })
        .count()
}

async fn post_with(server: &RunningServer, authorization: Option<&str>) -> reqwest::Response {
    let body = tool_call("nc_notes_get_note", json!({"note_id": 213}));
    let mut request = mcp_request(&server.mcp_url(), &body);
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    request.send().await.unwrap()
}

fn assert_basic_challenge(response: &reqwest::Response) {
    assert_eq!(response.status(), 401);
    let challenge = response
        .headers()
        .get("www-authenticate")
        .expect("a challenge")
        .to_str()
        .unwrap();
    assert!(
        challenge.starts_with("Basic realm=\"nextcloud-mcp\""),
        "{challenge}"
    );
}

#[tokio::test]
async fn two_users_each_act_with_their_own_credential_checked_once() {
    let (nc, standin, server) = world().await;
    let alice_pw = standin.issue("alice");
    let bob_pw = standin.issue("bob");
    let alice = connect_basic(&server, "alice", &alice_pw).await;
    let bob = connect_basic(&server, "bob", &bob_pw).await;

    for _ in 0..2 {
        let note = assert_ok(
            "alice get",
            &call(&alice, "nc_notes_get_note", json!({"note_id": 213})).await,
        );
        assert_eq!(note["title"], "note of alice");
        let note = assert_ok(
            "bob get",
            &call(&bob, "nc_notes_get_note", json!({"note_id": 213})).await,
        );
        assert_eq!(note["title"], "note of bob");
    }

    // Nextcloud saw exactly each user's own credential on their calls.
    let (alice_basic, bob_basic) = (basic_value("alice", &alice_pw), basic_value("bob", &bob_pw));
    assert_eq!(received(&nc, NOTE_PATH, &alice_basic).await, 2);
    assert_eq!(received(&nc, NOTE_PATH, &bob_basic).await, 2);
    let all_note_calls = requests_to(&nc, |p| p == NOTE_PATH).await;
    assert_eq!(all_note_calls, 4, "no note call with another credential");
    // Initialize, the initialized notice and two calls each: one check.
    assert_eq!(received(&nc, CHECK_PATH, &alice_basic).await, 1);
    assert_eq!(received(&nc, CHECK_PATH, &bob_basic).await, 1);

    // Bob's password revoked at Nextcloud: his next call is refused there
    // (the credential goes to Nextcloud on every call), Alice is untouched.
    standin.revoke_all_of("bob");
    let refused = call(&bob, "nc_notes_get_note", json!({"note_id": 213})).await;
    assert_tool_error("bob after revocation", &refused, "401");
    let note = assert_ok(
        "alice get",
        &call(&alice, "nc_notes_get_note", json!({"note_id": 213})).await,
    );
    assert_eq!(note["title"], "note of alice");
}

#[tokio::test]
async fn wrong_or_missing_credentials_get_a_basic_challenge() {
    let (nc, standin, server) = world().await;
    let alice_pw = standin.issue("alice");

    let wrong = basic_value("alice", "not-her-app-password");
    for _ in 0..3 {
        assert_basic_challenge(&post_with(&server, Some(&wrong)).await);
    }
    // A refused credential is remembered: Nextcloud was asked once.
    assert_eq!(received(&nc, CHECK_PATH, &wrong).await, 1);
    // Someone else's password under Alice's name is refused too.
    let bob_pw = standin.issue("bob");
    assert_basic_challenge(&post_with(&server, Some(&basic_value("alice", &bob_pw))).await);

    let before = nc.received_requests().await.unwrap().len();
    assert_basic_challenge(&post_with(&server, None).await);
    assert_basic_challenge(&post_with(&server, Some("Bearer some-token")).await);
    assert_basic_challenge(&post_with(&server, Some("Basic %%%not-base64")).await);
    let huge = basic_value("alice", &"x".repeat(MAX_AUTHORIZATION_BYTES));
    assert_basic_challenge(&post_with(&server, Some(&huge)).await);
    assert_eq!(
        nc.received_requests().await.unwrap().len(),
        before,
        "junk never reaches Nextcloud"
    );

    // The right one passes.
    let response = post_with(&server, Some(&basic_value("alice", &alice_pw))).await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn a_flood_of_distinct_wrong_credentials_is_bounded_before_nextcloud() {
    let nc = MockServer::start().await;
    let _standin = LoginFlowStandIn::mount(&nc).await;
    let connector =
        Arc::new(HttpNextcloud::new(nc.uri().parse().unwrap(), Duration::from_secs(5)).unwrap());
    // A burst of three new credentials, then one a second.
    let users = BasicUsers::with_limits(
        connector,
        VerdictLimits::default(),
        IntrospectionBudget::new(3, 1),
    );
    let mut throttled = 0;
    for i in 0..20 {
        let presented = Presented {
            login: "mallory".into(),
            password: SecretString::from(format!("guess-{i}")),
        };
        match users.check(presented).await {
            Check::Refused => {}
            Check::Throttled => throttled += 1,
            other => panic!("{other:?}"),
        }
    }
    let checks = requests_to(&nc, |p| p == CHECK_PATH).await;
    assert!(throttled > 0, "the budget must refuse some");
    assert_eq!(
        checks + throttled,
        20,
        "every unthrottled guess was one check"
    );
    assert!(checks < 20, "{checks} checks reached Nextcloud");
}
