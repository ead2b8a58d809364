//! Registrations in the store against a fake webhook_listeners API: reconcile
//! repairs both directions, presets switch as a unit, and everything survives
//! a restart. Each body runs on SQLite and on PostgreSQL (from
//! NEXTCLOUD_MCP_TEST_POSTGRES_URL; skipped without it unless
//! NEXTCLOUD_MCP_LIVE_TESTS=1, where it fails, as in the store contract).

use std::sync::Arc;
use std::time::Duration;

use crate::store::harness::Harness;
use crate::support::webhooks::FakeNextcloud;
use nextcloud_mcp::adapters::nextcloud::{HttpNextcloud, NextcloudSession};
use nextcloud_mcp::domain::credential::{Credential, CredentialSecret};
use nextcloud_mcp::domain::time::UnixTime;
use nextcloud_mcp::domain::webhooks::{NODE_CREATED, NODE_WRITTEN, Preset, ReconcileReport};
use nextcloud_mcp::ports::store::{NewWebhook, Store, WebhookStatus};
use nextcloud_mcp::ports::webhooks::WebhookAdmin;
use nextcloud_mcp::service::webhooks::{LogEventHandler, WebhookQueue, WebhookService};
use secrecy::SecretString;
use serde_json::json;
use url::Url;

const RECEIVER: &str = "https://mcp.example.com/webhooks/nextcloud";
const SECRET: &str = "0123456789abcdef-webhook";

fn service(store: Arc<dyn Store>) -> WebhookService {
    let (intake, _worker) = WebhookQueue::start(8, Arc::new(LogEventHandler));
    WebhookService::new(
        store,
        Some(Url::parse(RECEIVER).unwrap()),
        SecretString::from(SECRET),
        intake,
    )
}

fn admin_session(nc: &FakeNextcloud) -> NextcloudSession {
    HttpNextcloud::new(Url::parse(&nc.uri()).unwrap(), Duration::from_secs(5))
        .unwrap()
        .session(Credential {
            user_id: "admin".into(),
            secret: CredentialSecret::AppPassword(SecretString::from("app-pass")),
        })
}

async fn row(
    store: &Arc<dyn Store>,
    event: &str,
    status: WebhookStatus,
    nextcloud_id: Option<i64>,
) -> i64 {
    let new = NewWebhook {
        event: event.into(),
        filter: json!({}),
        uri: RECEIVER.into(),
        created_at: UnixTime(1_700_000_000),
    };
    let id = store.insert_webhook(&new).await.unwrap().id;
    store
        .update_webhook(id, status, nextcloud_id)
        .await
        .unwrap();
    id
}

const CALENDAR: &str = "OCP\\Calendar\\Events\\CalendarObjectCreatedEvent";
const ROW: &str = "OCA\\Tables\\Event\\RowAddedEvent";
const TOUCHED: &str = "OCP\\Files\\Events\\Node\\NodeTouchedEvent";

async fn reconcile_repairs_both_directions(h: &Harness) {
    let store = h.open(None).await;
    let nc = FakeNextcloud::start().await;
    // Wanted and present.
    let kept_remote = nc.seed(RECEIVER, NODE_CREATED, json!([]));
    let kept = row(
        &store,
        NODE_CREATED,
        WebhookStatus::Active,
        Some(kept_remote),
    )
    .await;
    // Wanted, lost by Nextcloud.
    let lost = row(&store, NODE_WRITTEN, WebhookStatus::Active, Some(9_999)).await;
    // Wanted, failed before; and one registered whose id we never recorded.
    let failed = row(&store, CALENDAR, WebhookStatus::Failed, None).await;
    let orphan_remote = nc.seed(RECEIVER, ROW, json!([]));
    let pending = row(&store, ROW, WebhookStatus::Pending, None).await;
    // No longer wanted, still at Nextcloud.
    let disabled_remote = nc.seed(RECEIVER, TOUCHED, json!([]));
    row(
        &store,
        TOUCHED,
        WebhookStatus::Disabled,
        Some(disabled_remote),
    )
    .await;
    // Ours by URI but unknown to the database; and someone else's.
    let stray = nc.seed(RECEIVER, NODE_WRITTEN, json!({"user.uid": "bob"}));
    let foreign = nc.seed("https://elsewhere.example/hook", NODE_CREATED, json!([]));

    let svc = service(store.clone());
    let report = svc.reconcile(&admin_session(&nc), false).await.unwrap();
    assert_eq!(
        report,
        ReconcileReport {
            kept: 1,
            adopted: 1,
            reregistered: 2,
            deleted_remote: 2,
            failed: 0,
            failures: vec![]
        }
    );
    let remote = nc.hooks();
    assert!(!remote.contains_key(&disabled_remote) && !remote.contains_key(&stray));
    assert!(
        remote.contains_key(&foreign),
        "other receivers are left alone"
    );
    let rows = store.list_webhooks().await.unwrap();
    let by_id = |id: i64| rows.iter().find(|r| r.id == id).unwrap().clone();
    assert_eq!(by_id(kept).nextcloud_id, Some(kept_remote));
    assert_eq!(by_id(pending).nextcloud_id, Some(orphan_remote));
    for id in [lost, failed] {
        let r = by_id(id);
        assert_eq!(r.status, WebhookStatus::Active);
        let nid = r.nextcloud_id.unwrap();
        assert_eq!(remote[&nid]["event"], r.event.as_str());
        assert_eq!(remote[&nid]["uri"], RECEIVER);
        // Registered with our secret as an auth header Nextcloud keeps encrypted.
        assert_eq!(
            nc.auth_data(nid).unwrap(),
            json!({"Authorization": format!("Bearer {SECRET}")})
        );
    }
    let ours = remote.values().filter(|w| w["uri"] == RECEIVER).count();
    assert_eq!(ours, 4);

    // A second pass finds nothing to do.
    let again = svc.reconcile(&admin_session(&nc), false).await.unwrap();
    assert_eq!(
        (
            again.kept,
            again.adopted,
            again.reregistered,
            again.deleted_remote
        ),
        (4, 0, 0, 0)
    );

    // After a secret change, force registers everything again and drops the old ones.
    let forced = svc.reconcile(&admin_session(&nc), true).await.unwrap();
    assert_eq!((forced.reregistered, forced.deleted_remote), (4, 4));
    assert_eq!(
        nc.hooks().values().filter(|w| w["uri"] == RECEIVER).count(),
        4
    );
}

async fn registrations_survive_a_restart(h: &Harness) {
    let nc = FakeNextcloud::start().await;
    {
        let store = h.open(None).await;
        let svc = service(store);
        let notes = svc
            .enable_preset(&admin_session(&nc), Preset::NotesSync, "admin")
            .await
            .unwrap();
        assert_eq!((notes.changed, notes.unchanged), (3, 0));
        svc.enable_preset(&admin_session(&nc), Preset::CalendarSync, "admin")
            .await
            .unwrap();
        // Enabling again changes nothing.
        let again = svc
            .enable_preset(&admin_session(&nc), Preset::NotesSync, "admin")
            .await
            .unwrap();
        assert_eq!((again.changed, again.unchanged), (0, 3));
    }
    let before = nc.request_count().await;
    let store = h.open(None).await;
    let status = service(store).status().await.unwrap();
    assert_eq!(
        nc.request_count().await,
        before,
        "status reads the database only"
    );
    assert_eq!(status.registrations.len(), 6);
    assert!(
        status
            .registrations
            .iter()
            .all(|r| r.status == "active" && r.nextcloud_id.is_some())
    );
    let presets: Vec<(Preset, usize)> = status
        .presets
        .iter()
        .map(|p| (p.preset, p.active))
        .collect();
    assert_eq!(presets, [(Preset::NotesSync, 3), (Preset::CalendarSync, 3)]);
    let remote = nc.hooks();
    for r in &status.registrations {
        assert!(remote.contains_key(&r.nextcloud_id.unwrap()));
    }
    let notes_filter = &remote[&status.registrations[0].nextcloud_id.unwrap()]["eventFilter"];
    assert_eq!(
        notes_filter,
        &json!({"event.node.path": "/^\\/admin\\/files\\/Notes\\//"})
    );
}

async fn presets_switch_as_a_unit(h: &Harness) {
    let store = h.open(None).await;
    let nc = FakeNextcloud::start().await;
    let svc = service(store.clone());
    nc.refuse_after(2);
    let err = svc
        .enable_preset(&admin_session(&nc), Preset::FilesSync, "admin")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("403"), "{err}");
    assert!(nc.hooks().is_empty(), "the two made are removed again");
    assert!(
        store
            .list_webhooks()
            .await
            .unwrap()
            .iter()
            .all(|r| r.status != WebhookStatus::Active)
    );

    let nc = FakeNextcloud::start().await;
    svc.enable_preset(&admin_session(&nc), Preset::TablesSync, "admin")
        .await
        .unwrap();
    assert_eq!(nc.hooks().len(), 3);
    let off = svc
        .disable_preset(&admin_session(&nc), Preset::TablesSync, "admin")
        .await
        .unwrap();
    assert_eq!(off.changed, 3);
    assert!(nc.hooks().is_empty());
    let status = svc.status().await.unwrap();
    assert!(status.presets.is_empty());
    // A reconcile now wants nothing back.
    let report = svc.reconcile(&admin_session(&nc), false).await.unwrap();
    assert_eq!(report.reregistered, 0);
    assert!(nc.hooks().is_empty());
}

/// Three replicas (own store handles, one database) enabling one preset at
/// the same moment register each webhook once; a reconcile from all three at
/// once runs on one of them and removes duplicates an older version made.
async fn replicas_register_each_webhook_once(h: &Harness) {
    let nc = FakeNextcloud::start().await;
    let mut services = Vec::new();
    for _ in 0..3 {
        services.push(Arc::new(service(h.open(None).await)));
    }
    let mut tasks = Vec::new();
    for svc in &services {
        let (svc, session) = (Arc::clone(svc), admin_session(&nc));
        tasks.push(tokio::spawn(async move {
            svc.enable_preset(&session, Preset::NotesSync, "admin")
                .await
        }));
    }
    let mut changed = 0;
    for t in tasks {
        let report = t.await.unwrap().unwrap();
        assert_eq!(report.webhooks.len(), 3);
        changed += report.changed;
    }
    assert_eq!(changed, 3, "one replica registered each webhook");
    let hooks = nc.hooks();
    assert_eq!(hooks.len(), 3, "one registration per webhook: {hooks:?}");
    let store = h.open(None).await;
    let rows = store.list_webhooks().await.unwrap();
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|r| r.status == WebhookStatus::Active));

    // Copies at Nextcloud nothing tracks (an older version's duplicates).
    let (event, filter) = {
        let first = hooks.values().next().unwrap();
        (
            first["event"].as_str().unwrap().to_string(),
            first["eventFilter"].clone(),
        )
    };
    nc.seed(RECEIVER, &event, filter.clone());
    nc.seed(RECEIVER, &event, filter);
    let mut tasks = Vec::new();
    for svc in &services {
        let (svc, session) = (Arc::clone(svc), admin_session(&nc));
        tasks.push(tokio::spawn(
            async move { svc.reconcile(&session, false).await },
        ));
    }
    // One at a time: a replica finding the lease taken is told so; one that
    // comes after finds nothing left to delete.
    let (mut ran, mut deleted) = (0, 0);
    for t in tasks {
        match t.await.unwrap() {
            Ok(report) => {
                ran += 1;
                deleted += report.deleted_remote;
                assert_eq!((report.kept, report.reregistered), (3, 0), "{report:?}");
            }
            Err(e) => assert!(e.to_string().contains("another replica"), "{e}"),
        }
    }
    assert!(ran >= 1);
    assert_eq!(deleted, 2);
    assert_eq!(nc.hooks().len(), 3);
}

macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let h = super::Harness::sqlite();
                    super::$name(&h).await;
                    h.cleanup().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(h) = super::Harness::postgres().await else { return };
                    super::$name(&h).await;
                    h.cleanup().await;
                }
            )*
        }
    };
}

on_both_stores!(
    reconcile_repairs_both_directions,
    registrations_survive_a_restart,
    presets_switch_as_a_unit,
    replicas_register_each_webhook_once,
);
