//! Login-flow mode end to end: callers signed in at the IdP connect their own
//! Nextcloud accounts through a Login Flow v2 stand-in; app passwords are
//! stored sealed and used per caller, checked against the caller's identity,
//! marked when Nextcloud revokes them, and deleted at Nextcloud on revoke.

use std::time::Duration;

use crate::support::e2e::*;
use crate::support::login_flow::LoginFlowStandIn;
use crate::support::oauth::{OAuthWorld, Options};
use nextcloud_mcp::domain::audit::{AuditKind, AuditOutcome};
use nextcloud_mcp::domain::credential::{AuthMode, LoginFlowPolicy};
use nextcloud_mcp::domain::login_flow::OwnershipRule;
use serde_json::{Value, json};

const BOB: &str = "9a1b-uuid-bob";

fn login_flow_mode() -> AuthMode {
    AuthMode::LoginFlow(LoginFlowPolicy {
        owner: OwnershipRule::default(),
        rotate_every: None,
        poll_every: Duration::from_secs(1),
    })
}

async fn world() -> (OAuthWorld, LoginFlowStandIn) {
    let options = Options {
        consent: true,
        ..Options::default()
    };
    let world = OAuthWorld::start_with(login_flow_mode(), options).await;
    let standin = LoginFlowStandIn::mount(&world.nextcloud).await;
    (world, standin)
}

async fn login_url(client: &Client) -> String {
    let link = assert_ok(
        "provision",
        &call(client, "provision_nextcloud_access", json!({})).await,
    );
    link["authorization_url"].as_str().unwrap().to_string()
}

/// Asks for the status until `done` says so (the background poller and the
/// status call race for the single successful poll).
async fn status_until(client: &Client, done: impl Fn(&Value) -> bool) -> Value {
    let mut last = Value::Null;
    for _ in 0..50 {
        last = assert_ok(
            "status",
            &call(client, "check_provisioning_status", json!({})).await,
        );
        if done(&last) {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("status never reached the expected state: {last}");
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn two_users_connect_their_own_accounts_and_never_share() {
    let (world, standin) = world().await;
    let alice = connect_with(&world.server, Some(&world.token(json!({})))).await;
    let bob_token = world.token(json!({"sub": BOB, "preferred_username": "bob"}));
    let bob = connect_with(&world.server, Some(&bob_token)).await;

    // Not connected: every Nextcloud tool says how to connect.
    let refused = call(&alice, "nc_notes_get_note", json!({"note_id": 213})).await;
    assert_tool_error("get", &refused, "provision_nextcloud_access");
    let status = assert_ok(
        "status",
        &call(&alice, "check_provisioning_status", json!({})).await,
    );
    assert_eq!(status["provisioned"], false);

    let alice_url = login_url(&alice).await;
    let bob_url = login_url(&bob).await;
    assert_ne!(alice_url, bob_url);
    assert!(alice_url.starts_with(&format!(
        "{}/index.php/login/v2/flow/",
        world.nextcloud.uri()
    )));
    let pending = call(&alice, "nc_notes_get_note", json!({"note_id": 213})).await;
    assert_tool_error("get while pending", &pending, "approve");

    let alice_password = standin.approve(&alice_url, "alice");
    // Login names compare without case.
    let bob_password = standin.approve(&bob_url, "Bob");
    let connected = status_until(&alice, |s| s["connected"] == true).await;
    assert_eq!(connected["login_name"], "alice");
    // Bob's flow is finished by the background poller, not by asking.
    let store = world.store().await;
    for _ in 0..50 {
        if store.list_accounts().await.unwrap().len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let accounts = store.list_accounts().await.unwrap();
    assert_eq!(accounts.len(), 2, "{accounts:?}");

    // Each caller acts as their own Nextcloud user.
    let note = assert_ok(
        "alice get",
        &call(&alice, "nc_notes_get_note", json!({"note_id": 213})).await,
    );
    assert_eq!(note["title"], "note of alice");
    let note = assert_ok(
        "bob get",
        &call(&bob, "nc_notes_get_note", json!({"note_id": 213})).await,
    );
    assert_eq!(note["title"], "note of Bob");

    // Neither app password (nor a poll token) is in the store's files.
    let mut raw = std::fs::read(&world.store_path).unwrap();
    if let Ok(wal) = std::fs::read(format!("{}-wal", world.store_path)) {
        raw.extend(wal);
    }
    assert!(contains(&raw, "alice"), "the scan reads the real store");
    for secret in standin.every_secret() {
        assert!(
            !contains(&raw, &secret),
            "a secret is in clear in the store"
        );
    }

    // Alice revokes the password in Nextcloud's settings: the next call is
    // refused there, and from then on every tool says to reconnect.
    standin.revoke_all_of("alice");
    let refused = call(&alice, "nc_notes_get_note", json!({"note_id": 213})).await;
    assert_tool_error("get after revocation", &refused, "401");
    let status = status_until(&alice, |s| s["needs_reconnect"] == true).await;
    assert_eq!(status["login_name"], "alice");
    let refused = call(&alice, "nc_notes_get_note", json!({"note_id": 213})).await;
    assert_tool_error(
        "get needing reconnect",
        &refused,
        "provision_nextcloud_access",
    );
    // Bob is untouched.
    let note = assert_ok(
        "bob get",
        &call(&bob, "nc_notes_get_note", json!({"note_id": 213})).await,
    );
    assert_eq!(note["title"], "note of Bob");

    // Bob revokes: deleted at Nextcloud and here, audited.
    assert_ok(
        "revoke",
        &call(&bob, "revoke_nextcloud_access", json!({})).await,
    );
    assert!(standin.valid_passwords_of("bob").is_empty());
    assert!(
        store
            .get_account(BOB, &accounts[0].provider)
            .await
            .unwrap()
            .is_none()
    );
    let refused = call(&bob, "nc_notes_get_note", json!({"note_id": 213})).await;
    assert_tool_error("get after revoke", &refused, "provision_nextcloud_access");
    let kinds = world.audit_kinds(6).await;
    for kind in [
        AuditKind::ConsentStarted,
        AuditKind::Provisioned,
        AuditKind::CredentialRejected,
        AuditKind::Revoked,
    ] {
        assert!(kinds.contains(&kind), "{kind:?} missing from {kinds:?}");
    }
    assert!(!alice_password.is_empty() && !bob_password.is_empty());
}

#[tokio::test]
async fn an_account_that_is_not_the_callers_is_refused_and_deleted() {
    let (world, standin) = world().await;
    let carol_token = world.token(json!({"sub": "carol-sub", "preferred_username": "carol"}));
    let carol = connect_with(&world.server, Some(&carol_token)).await;
    let url = login_url(&carol).await;
    // Carol signs in to Nextcloud as dave (a shared browser, say).
    standin.approve(&url, "dave");
    let status = status_until(&carol, |s| s["refused"] == true).await;
    let reason = status["reason"].as_str().unwrap();
    assert!(reason.contains("(dave) is not yours"), "{reason}");
    assert!(reason.contains("carol"), "{reason}");
    // Nothing stored, and the new app password is gone at Nextcloud.
    assert!(
        world
            .store()
            .await
            .list_accounts()
            .await
            .unwrap()
            .is_empty()
    );
    assert!(standin.valid_passwords_of("dave").is_empty());
    let refused = call(&carol, "nc_notes_get_note", json!({"note_id": 213})).await;
    assert_tool_error("get", &refused, "provision_nextcloud_access");
    let events = world
        .store()
        .await
        .recent_audit(Some("carol-sub".into()), 10)
        .await
        .unwrap();
    assert!(events.iter().any(|e| e.kind == AuditKind::Provisioned
        && matches!(&e.outcome, AuditOutcome::Failure(r) if r.contains("not yours"))));
}

#[tokio::test]
async fn a_caller_the_rule_cannot_apply_to_gets_no_flow() {
    let (world, _standin) = world().await;
    let token = world.token(json!({"sub": "nameless", "preferred_username": null}));
    let client = connect_with(&world.server, Some(&token)).await;
    let refused = call(&client, "provision_nextcloud_access", json!({})).await;
    assert_tool_error("provision", &refused, "no preferred_username claim");
    let started = requests_to(&world.nextcloud, |p| p == "/index.php/login/v2").await;
    assert_eq!(started, 0, "no flow was started at Nextcloud");
}

#[tokio::test]
async fn rotation_stores_the_new_password_sealed_and_drops_the_old_one() {
    use std::sync::Arc;

    use nextcloud_mcp::adapters::nextcloud::HttpNextcloud;
    use nextcloud_mcp::service::login_flow::ConnectedAccounts;
    use nextcloud_mcp::service::offline::rotate_now;
    use secrecy::ExposeSecret;

    let (world, standin) = world().await;
    let alice = connect_with(&world.server, Some(&world.token(json!({})))).await;
    let url = login_url(&alice).await;
    let old = standin.approve(&url, "alice");
    status_until(&alice, |s| s["connected"] == true).await;
    let store = world.store().await;
    let listed = store.list_accounts().await.unwrap();
    let (subject, provider) = (listed[0].subject.clone(), listed[0].provider.clone());

    // One pass of the scheduled job (the schedule only decides when).
    let nextcloud = HttpNextcloud::new(
        world.nextcloud.uri().parse().unwrap(),
        Duration::from_secs(5),
    )
    .unwrap();
    let accounts = ConnectedAccounts::new(
        store.clone(),
        Arc::new(nextcloud),
        provider.clone(),
        match login_flow_mode() {
            AuthMode::LoginFlow(policy) => policy,
            _ => unreachable!(),
        },
    );
    assert_eq!(rotate_now(&accounts).await.unwrap(), 1);

    // Nextcloud accepts only the new one, and the store holds it.
    let valid = standin.valid_passwords_of("alice");
    assert_eq!(valid.len(), 1, "{valid:?}");
    let fresh = valid[0].clone();
    assert_ne!(fresh, old);
    let (account, _) = store
        .get_account(&subject, &provider)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(account.app_password.expose_secret(), fresh);
    // Sealed: neither password is in the store's files in clear.
    let mut raw = std::fs::read(&world.store_path).unwrap();
    if let Ok(wal) = std::fs::read(format!("{}-wal", world.store_path)) {
        raw.extend(wal);
    }
    assert!(!contains(&raw, &fresh) && !contains(&raw, &old));

    // Tool calls go on with the new password; the old one is never sent again.
    let before = world.nextcloud.received_requests().await.unwrap().len();
    let note = assert_ok(
        "get after rotation",
        &call(&alice, "nc_notes_get_note", json!({"note_id": 213})).await,
    );
    assert_eq!(note["title"], "note of alice");
    use base64::Engine as _;
    let old_basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("alice:{old}"))
    );
    let after = world.nextcloud.received_requests().await.unwrap();
    assert!(
        after[before..].iter().all(|r| r
            .headers
            .get("authorization")
            .is_none_or(|v| v.as_bytes() != old_basic.as_bytes())),
        "the old app password was used after rotation"
    );
}
