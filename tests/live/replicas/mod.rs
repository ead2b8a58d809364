//! Three replicas as separate processes of the built binary on one store,
//! against a stand-in identity provider that rotates refresh tokens and
//! revokes the whole grant when a spent one is presented again, and a
//! stand-in Nextcloud that keeps webhook registrations:
//!
//!     eval "$(scripts/live/postgres.sh start)"
//!     NEXTCLOUD_MCP_LIVE_TESTS=1 cargo test --test live replicas::
//!
//! Started at the same instant, the replicas share the consent flow (started
//! on one, completed on another, read on a third), register each webhook of a
//! preset enabled on all three at once exactly once, and keep the grant alive
//! with one refresh per interval. The PostgreSQL run needs
//! NEXTCLOUD_MCP_TEST_POSTGRES_URL (skipped without it unless
//! NEXTCLOUD_MCP_LIVE_TESTS=1); the SQLite run needs nothing.

mod login_flow;
mod process;
mod world;

use std::time::{Duration, Instant};

use nextcloud_mcp::domain::audit::AuditKind;
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use url::Url;

use crate::support::e2e::{Client, assert_ok, call};
use crate::support::idp::ALICE;
use crate::support::store_harness::Harness;
use process::{Replica, logs, start_together};
use world::World;

/// The grant keeper's interval: the shortest with a whole second of slack on
/// each side of "refreshed within half an interval" (the store keeps times
/// in whole seconds).
const REFRESH_SECS: u64 = 4;
/// Keeper rounds to watch.
const ROUNDS: usize = 3;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_processes_on_postgres() {
    let Some(harness) = Harness::postgres().await else {
        return;
    };
    three_processes_share_consent_webhooks_and_the_grant(harness.location()).await;
    harness.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_processes_on_one_sqlite_file() {
    let harness = Harness::sqlite();
    three_processes_share_consent_webhooks_and_the_grant(harness.location()).await;
}

async fn three_processes_share_consent_webhooks_and_the_grant(store_location: String) {
    let world = World::start(store_location).await;
    let mut replicas = start_together(3, &world.env(REFRESH_SECS)).await;
    let mut clients = Vec::new();
    for replica in &replicas {
        clients.push(world.client(replica.mcp_url()).await);
    }

    consent_across_replicas(&world, &replicas, &clients).await;
    one_registration_per_webhook(&world, &replicas, &clients).await;
    one_refresh_per_interval(&world, &mut replicas, &clients).await;
}

/// Consent started on replica 0, its OAuth callback on replica 1, the status
/// read on replica 2.
async fn consent_across_replicas(world: &World, replicas: &[Replica], clients: &[Client]) {
    let link = assert_ok(
        "provision",
        &call(&clients[0], "provision_nextcloud_access", json!({})).await,
    );
    let link = Url::parse(link["authorization_url"].as_str().unwrap()).unwrap();
    let state = link
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .expect("state in the authorization link");
    let done = reqwest::get(format!(
        "{}/oauth/callback?code=c&state={state}",
        replicas[1].base_url
    ))
    .await
    .unwrap();
    assert_eq!(done.status(), 200, "{}", logs(replicas));
    let status = provisioning(&clients[2]).await;
    assert_eq!(status["provisioned"], true, "{status}");
    assert!(status.get("needs_consent").is_none(), "{status}");
    assert_eq!(world.grant.0.lock().unwrap().refreshes, 0);
}

/// The three replicas enable the same preset at once: Nextcloud ends with
/// one registration per webhook, and no replica registered a copy.
async fn one_registration_per_webhook(world: &World, replicas: &[Replica], clients: &[Client]) {
    let (a, b, c) = tokio::join!(
        enable_notes_sync(&clients[0]),
        enable_notes_sync(&clients[1]),
        enable_notes_sync(&clients[2])
    );
    for result in [&a, &b, &c] {
        assert_ok("enable_preset", result);
    }
    let hooks: Vec<Value> = world.nextcloud.hooks().into_values().collect();
    let mut events: Vec<&str> = hooks.iter().map(|h| h["event"].as_str().unwrap()).collect();
    events.sort();
    events.dedup();
    assert_eq!(
        (hooks.len(), events.len()),
        (3, 3),
        "one registration per webhook of notes_sync: {hooks:#?}\n{}",
        logs(replicas)
    );
    let registrations = world
        .nextcloud
        .server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "POST" && r.url.path().ends_with("/webhooks"))
        .count();
    assert_eq!(registrations, 3, "no replica registered a copy");
}

/// The keepers of all three replicas run; the provider sees one refresh per
/// interval, never a spent token, and the grant is alive at the end.
async fn one_refresh_per_interval(world: &World, replicas: &mut [Replica], clients: &[Client]) {
    let interval = Duration::from_secs(REFRESH_SECS);
    let deadline = Instant::now() + interval * (ROUNDS as u32 + 2);
    while world.grant.0.lock().unwrap().refreshes < ROUNDS as u32 {
        assert!(
            Instant::now() < deadline,
            "{} refreshes in {} rounds\n{}",
            world.grant.0.lock().unwrap().refreshes,
            ROUNDS + 2,
            logs(replicas)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The last refresh is written by now; the next round is half an
    // interval away at least.
    tokio::time::sleep(interval / 4).await;
    for client in clients {
        let status = provisioning(client).await;
        assert_eq!(status["provisioned"], true, "{status}");
        assert!(status.get("needs_consent").is_none(), "{status}");
    }
    for replica in replicas.iter_mut() {
        replica.kill().await;
    }

    // A copy: the guard may not be held across the store calls below.
    let grant = {
        let seen = world.grant.0.lock().unwrap();
        Seen {
            current: seen.current.clone(),
            refreshes: seen.refreshes,
            replays: seen.replays,
            revoked: seen.revoked,
            refreshed_at: seen.refreshed_at.clone(),
        }
    };
    assert_eq!(
        (grant.replays, grant.revoked),
        (0, false),
        "no replica presented a spent token\n{}",
        logs(replicas)
    );
    let gaps: Vec<Duration> = grant.refreshed_at.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(
        gaps.iter()
            .all(|g| *g > interval / 2 && *g < interval * 3 / 2),
        "one refresh per interval of {interval:?}, saw gaps {gaps:?}\n{}",
        logs(replicas)
    );
    let store = world.store().await;
    let stored = store
        .get_grant(ALICE, &world.idp.issuer)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.refresh_token.expose_secret(),
        grant.current,
        "the grant is alive: the store holds the provider's current token"
    );
    let audit = store.recent_audit(Some(ALICE.into()), 100).await.unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.kind == AuditKind::Refreshed)
            .count(),
        grant.refreshes as usize
    );
    assert!(
        !audit.iter().any(|e| e.kind == AuditKind::RefreshFailed),
        "{audit:?}"
    );
}

/// What the stand-in provider saw of the grant.
struct Seen {
    current: String,
    refreshes: u32,
    replays: u32,
    revoked: bool,
    refreshed_at: Vec<Instant>,
}

async fn enable_notes_sync(client: &Client) -> rmcp::model::CallToolResult {
    call(
        client,
        "nc_webhooks_enable_preset",
        json!({"preset": "notes_sync"}),
    )
    .await
}

async fn provisioning(client: &Client) -> Value {
    assert_ok(
        "status",
        &call(client, "check_provisioning_status", json!({})).await,
    )
}
