//! The capability probe against real Nextcloud 34 captures: the OCS
//! capabilities reply, and what the endpoints of missing apps answer.

use std::collections::BTreeMap;

use crate::support::fixtures::{admin_session, assert_sent_like_capture, load, replay_capture};
use nextcloud_mcp::domain::capabilities::{App, InstalledApps};
use nextcloud_mcp::ports::nextcloud::{CapabilitiesApi, NextcloudError};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn capabilities_name_the_installed_apps() {
    let (server, exchange, session) =
        replay_capture("ocs-capabilities", "02-capabilities-v2-json").await;
    let caps = session.capabilities().await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!(caps.version, "34.0.1");
    for key in ["deck", "notes", "files_sharing", "core"] {
        assert!(caps.keys.contains(key), "{key}");
    }
    assert!(!caps.keys.contains("tables") && !caps.keys.contains("cookbook"));
    assert!(caps.disabled.is_empty(), "{:?}", caps.disabled);

    // Deck, Notes and sharing are decided; Tables and Cookbook need a probe.
    assert_eq!(caps.decides(App::Deck), Some(true));
    assert_eq!(caps.decides(App::Sharing), Some(true));
    assert_eq!(caps.decides(App::Tables), None);
    assert_eq!(caps.decides(App::Cookbook), None);
    assert_eq!(caps.decides(App::Collectives), None);
    assert_eq!(caps.decides(App::News), None);
}

#[tokio::test]
async fn missing_apps_answer_404_and_present_ones_200() {
    // Tables over OCS: 404 with OCS 998, as captured.
    let (server, exchange, session) = replay_capture("tables-absent", "01-tables-ocs-v2").await;
    assert!(!session.app_responds(App::Tables).await.unwrap());
    assert_sent_like_capture(&server, &exchange).await;

    // Cookbook's probe path differs from the capture, but every route of a
    // missing app answers the same bare 404 (tables-absent/04).
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/index.php/apps/cookbook/api/version"))
        .respond_with(
            load("tables-absent", "04-cookbook-recipes")
                .response
                .template(),
        )
        .expect(1)
        .mount(&server)
        .await;
    assert!(
        !admin_session(&server)
            .app_responds(App::Cookbook)
            .await
            .unwrap()
    );

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/index.php/apps/cookbook/api/version"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "cookbook_version": [0, 11, 3], "api_version": {"epoch": 0, "major": 1, "minor": 2}
        })))
        .mount(&server)
        .await;
    assert!(
        admin_session(&server)
            .app_responds(App::Cookbook)
            .await
            .unwrap()
    );

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    assert!(matches!(
        admin_session(&server).app_responds(App::Tables).await,
        Err(NextcloudError::Unavailable(_))
    ));
}

#[tokio::test]
async fn the_captured_server_has_deck_notes_and_sharing_but_no_tables_or_cookbook() {
    let (_server, _exchange, session) =
        replay_capture("ocs-capabilities", "02-capabilities-v2-json").await;
    let caps = session.capabilities().await.unwrap();
    // The first instance had neither Collectives nor News either.
    let probes = BTreeMap::from([
        (App::Tables, false),
        (App::Cookbook, false),
        (App::Collectives, false),
        (App::News, false),
    ]);
    let apps = InstalledApps::from_probe(&caps, &probes);
    assert_eq!(
        apps.summary(),
        "found notes, deck, files_sharing; not found tables, cookbook, collectives, news"
    );
}

#[tokio::test]
async fn bad_credentials_fail_the_probe() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/ocs/v2.php/cloud/capabilities"))
        .respond_with(
            load("errors", "01-ocs-v2-bad-credentials")
                .response
                .template(),
        )
        .mount(&server)
        .await;
    assert_eq!(
        admin_session(&server).capabilities().await.unwrap_err(),
        NextcloudError::CredentialRejected
    );
}
