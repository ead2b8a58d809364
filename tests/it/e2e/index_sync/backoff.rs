//! The index sync against a Nextcloud that says "slow down": a 429 or a 5xx
//! fails the owner's pass and the owner is skipped until the wait is over;
//! a 429's Retry-After holds them longer than the sync's own backoff would.
//! Passes are run one by one, so no test waits on the scan interval.

use std::sync::Arc;
use std::time::Duration;

use crate::store::harness::Harness;
use crate::support::e2e::requests_to;
use nextcloud_mcp::adapters::nextcloud::HttpNextcloud;
use nextcloud_mcp::domain::index::DocApp;
use nextcloud_mcp::ports::nextcloud::NextcloudConnector;
use nextcloud_mcp::service::sync::{BasicSyncAccess, IndexSync, PassReport, SyncSettings};
use secrecy::SecretString;
use serde_json::json;
use url::Url;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const NOTES: &str = "/index.php/apps/notes/api/v1/notes";

/// A Nextcloud whose notes listing first answers `first`, then one note.
async fn nextcloud(first: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(NOTES))
        .respond_with(first)
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(NOTES))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"id": 1, "title": "Harbour plan", "category": "", "content": "Moorings",
             "favorite": false, "modified": 1795000000, "etag": "e1", "readonly": false}
        ])))
        .mount(&server)
        .await;
    server
}

/// The basic-mode user's sync, paced by `interval`, on a fresh store.
async fn start_sync(nextcloud: &MockServer, interval: Duration) -> (Arc<IndexSync>, Harness) {
    let harness = Harness::sqlite();
    let store = harness.open(None).await;
    let base = Url::parse(&nextcloud.uri()).unwrap();
    let connector: Arc<dyn NextcloudConnector> =
        Arc::new(HttpNextcloud::new(base.clone(), Duration::from_secs(5)).unwrap());
    let access = Arc::new(BasicSyncAccess::new(
        "admin".into(),
        SecretString::from("app-password"),
    ));
    let sync = IndexSync::new(
        store.clone(),
        store,
        access,
        connector,
        base,
        SyncSettings {
            interval,
            apps: vec![DocApp::Notes],
            max_users_at_once: 1,
        },
    );
    (Arc::new(sync), harness)
}

async fn listings(server: &MockServer) -> usize {
    requests_to(server, |p| p == NOTES).await
}

fn failed() -> PassReport {
    PassReport {
        failed: 1,
        ..PassReport::default()
    }
}

fn skipped() -> PassReport {
    PassReport {
        skipped: 1,
        ..PassReport::default()
    }
}

#[tokio::test]
async fn a_server_error_holds_the_owner_back_until_the_backoff_is_over() {
    // An hour between scans: the doubled wait outlasts the test.
    let server = nextcloud(ResponseTemplate::new(503)).await;
    let (sync, _store) = start_sync(&server, Duration::from_secs(3600)).await;
    assert_eq!(sync.run_pass(None).await, failed());
    assert_eq!(sync.run_pass(None).await, skipped());
    assert_eq!(listings(&server).await, 1, "Nextcloud is left alone");

    // A millisecond between scans: the wait is over at once and the next
    // pass goes through.
    let server = nextcloud(ResponseTemplate::new(502)).await;
    let (sync, _store) = start_sync(&server, Duration::from_millis(1)).await;
    assert_eq!(sync.run_pass(None).await, failed());
    tokio::time::sleep(Duration::from_millis(50)).await;
    let report = sync.run_pass(None).await;
    assert_eq!((report.synced, report.written), (1, 1), "{report:?}");
    assert_eq!(listings(&server).await, 2);
}

#[tokio::test]
async fn a_rate_limit_is_honoured_for_as_long_as_retry_after_says() {
    // The sync's own wait would be over after 2 ms; Retry-After asks an hour.
    let server = nextcloud(ResponseTemplate::new(429).insert_header("Retry-After", "3600")).await;
    let (sync, _store) = start_sync(&server, Duration::from_millis(1)).await;
    assert_eq!(sync.run_pass(None).await, failed());
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(sync.run_pass(None).await, skipped());
    assert_eq!(listings(&server).await, 1, "Nextcloud is left alone");

    // Without Retry-After a 429 backs off like any failure.
    let server = nextcloud(ResponseTemplate::new(429)).await;
    let (sync, _store) = start_sync(&server, Duration::from_millis(1)).await;
    assert_eq!(sync.run_pass(None).await, failed());
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(sync.run_pass(None).await.synced, 1);
}
