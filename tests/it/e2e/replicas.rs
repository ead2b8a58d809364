//! Replicas sharing one store against an identity provider that rotates
//! refresh tokens and, as real providers do, revokes the whole grant when a
//! spent token is presented again: grant keepers started at the same instant
//! refresh each grant once per interval and never replay, and a grant the
//! provider refused is reported as needing new consent.

use std::sync::Arc;
use std::time::Duration;

use crate::support::e2e::*;
use crate::support::idp::*;
use crate::support::oauth::{OAuthWorld, Options, param, pass_through};
use crate::support::rotating_idp::{Grant, RotatingIdp};
use nextcloud_mcp::app::wiring;
use nextcloud_mcp::domain::audit::AuditKind;
use nextcloud_mcp::service::offline::{run_once, spawn_grant_keeper};
use secrecy::ExposeSecret;
use serde_json::json;
use tokio_util::sync::CancellationToken;

async fn consented_world() -> (OAuthWorld, RotatingIdp) {
    let options = Options {
        consent: true,
        ..Options::default()
    };
    let world = OAuthWorld::start_with(pass_through(), options).await;
    world.idp_redeems_codes(ALICE, "flow2-access", "rt-0").await;
    let idp = RotatingIdp::new("rt-0");
    idp.mount(&world.idp.server).await;
    consent(&world).await;
    (world, idp)
}

async fn consent(world: &OAuthWorld) {
    let client = connect_with(&world.server, Some(&world.token(json!({})))).await;
    let state = param(&world.provision_link(&client).await, "state");
    let done = world.callback(&format!("code=c&state={state}")).await;
    assert_eq!(done.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn keepers_started_together_refresh_once_per_interval_without_replay() {
    let (world, idp) = consented_world().await;
    let interval = Duration::from_secs(2);
    let stop = CancellationToken::new();
    let mut keepers = Vec::new();
    let mut replicas = Vec::new();
    for _ in 0..3 {
        replicas.push(wiring::wire(&world.replica_config()).await.unwrap());
    }
    for wired in &replicas {
        let offline = wired.offline.clone().unwrap();
        keepers.push(spawn_grant_keeper(offline, interval, stop.clone()));
    }
    // Ticks at 2, 4 and 6 seconds.
    tokio::time::sleep(Duration::from_millis(7_000)).await;
    stop.cancel();
    for k in keepers {
        k.await.unwrap();
    }

    let stored = world
        .store()
        .await
        .get_grant(ALICE, &world.idp.issuer)
        .await;
    let grant = idp.0.lock().unwrap();
    assert_eq!(grant.replays, 0, "no replica presented a spent token");
    assert!(!grant.revoked);
    assert!(
        (2..=3).contains(&grant.refreshes),
        "one refresh per interval across three replicas, saw {}",
        grant.refreshes
    );
    assert_eq!(
        stored.unwrap().unwrap().refresh_token.expose_secret(),
        grant.current,
        "the grant is alive: the store holds the provider's current token"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replicas_refreshing_by_hand_at_once_never_replay() {
    let (world, idp) = consented_world().await;
    let mut replicas = Vec::new();
    for _ in 0..3 {
        replicas.push(Arc::new(
            wiring::wire(&world.replica_config()).await.unwrap(),
        ));
    }
    for _ in 0..4 {
        let mut passes = Vec::new();
        for wired in &replicas {
            let wired = Arc::clone(wired);
            passes.push(tokio::spawn(async move {
                run_once(wired.offline.as_ref().unwrap()).await.unwrap()
            }));
        }
        for p in passes {
            let report = p.await.unwrap();
            assert_eq!((report.failed, report.needs_consent), (0, 0), "{report:?}");
        }
    }
    let grant = idp.0.lock().unwrap();
    assert_eq!((grant.replays, grant.revoked), (0, false));
    assert!(grant.refreshes >= 4, "{}", grant.refreshes);
}

#[tokio::test]
async fn a_refused_grant_needs_new_consent_and_says_so() {
    let (world, idp) = consented_world().await;
    idp.0.lock().unwrap().revoked = true;
    let wired = wiring::wire(&world.replica_config()).await.unwrap();
    let offline = wired.offline.as_ref().unwrap();
    let report = run_once(offline).await.unwrap();
    assert_eq!((report.refreshed, report.needs_consent), (0, 1));
    // Marked: the next pass does not ask the provider again.
    let asked = idp.0.lock().unwrap().refreshes;
    let report = run_once(offline).await.unwrap();
    assert_eq!(report, Default::default());
    assert_eq!(idp.0.lock().unwrap().refreshes, asked);

    let store = world.store().await;
    let audit = store.recent_audit(Some(ALICE.into()), 10).await.unwrap();
    assert!(
        audit.iter().any(|e| e.kind == AuditKind::RefreshFailed
            && format!("{:?}", e.outcome).contains("needs new consent")),
        "{audit:?}"
    );
    let users = store.list_provisioned().await.unwrap();
    assert!(users[0].needs_consent_since.is_some());

    let client = connect_with(&world.server, Some(&world.token(json!({})))).await;
    let status = assert_ok(
        "status",
        &call(&client, "check_provisioning_status", json!({})).await,
    );
    assert_eq!(status["provisioned"], false);
    assert_eq!(status["needs_consent"], true);

    // Consenting again revives it.
    *idp.0.lock().unwrap() = Grant {
        current: "rt-0".into(),
        ..Grant::default()
    };
    consent(&world).await;
    let status = assert_ok(
        "status",
        &call(&client, "check_provisioning_status", json!({})).await,
    );
    assert_eq!(status["provisioned"], true);
    assert_eq!(run_once(offline).await.unwrap().refreshed, 1);
}
