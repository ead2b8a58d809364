//! End-to-end over Streamable HTTP, the edges: binary files, a rejected
//! credential, a slow Nextcloud, health and readiness, graceful shutdown.

use std::time::Duration;

use crate::support::e2e::*;
use crate::support::fixtures::load;
use serde_json::json;
use wiremock::matchers::{header, method, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn binary_files_are_refused_with_a_reason() {
    let nc = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(vec![0x89, b'P', b'N', b'G', 0, 0, 1], "image/png"),
        )
        .mount(&nc)
        .await;
    let server = start_server(basic_config(&nc.uri(), Duration::from_secs(5))).await;
    let client = connect(&server).await;
    let result = call(
        &client,
        "nc_webdav_read_file",
        json!({"path": "Photos/a.png"}),
    )
    .await;
    assert_tool_error("read", &result, "binary");
    client.cancel().await.unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn a_rejected_credential_is_reported_as_such() {
    let nc = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            load("errors", "09-notes-bad-credentials")
                .response
                .template(),
        )
        .mount(&nc)
        .await;
    Mock::given(method("PROPFIND"))
        .respond_with(load("errors", "05-dav-bad-credentials").response.template())
        .mount(&nc)
        .await;
    let server = start_server(basic_config(&nc.uri(), Duration::from_secs(5))).await;
    let client = connect(&server).await;
    let notes = call(&client, "nc_notes_list_notes", json!({})).await;
    assert_tool_error("list", &notes, "rejected the credential");
    let files = call(&client, "nc_webdav_list_directory", json!({"path": "/"})).await;
    assert_tool_error("ls", &files, "rejected the credential");
    assert!(!super_secret_leaked(&notes) && !super_secret_leaked(&files));
    client.cancel().await.unwrap();
    server.shutdown().await;
}

fn super_secret_leaked(result: &rmcp::model::CallToolResult) -> bool {
    text_of(result).contains("app-pass")
}

#[tokio::test]
async fn a_slow_nextcloud_times_out_with_a_clear_message() {
    let nc = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            load("notes", "07-get")
                .response
                .template()
                .set_delay(Duration::from_secs(3)),
        )
        .mount(&nc)
        .await;
    let server = start_server(basic_config(&nc.uri(), Duration::from_secs(1))).await;
    let client = connect(&server).await;
    let result = call(&client, "nc_notes_get_note", json!({"note_id": 213})).await;
    assert_tool_error("get", &result, "did not answer within 1 seconds");
    client.cancel().await.unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn health_and_readiness() {
    let nc = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path_regex("^/ocs/v2.php/cloud/user$"))
        .and(header("OCS-APIRequest", "true"))
        .respond_with(
            load("ocs-capabilities", "06-current-user-v2")
                .response
                .template(),
        )
        .mount(&nc)
        .await;
    let server = start_server(basic_config(&nc.uri(), Duration::from_secs(5))).await;
    let http = reqwest::Client::new();
    let health = http
        .get(format!("{}/healthz", server.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let ready = http
        .get(format!("{}/readyz", server.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["mode"], "basic");
    server.shutdown().await;

    // Nextcloud rejecting the app password makes the server not ready.
    let nc = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            load("errors", "01-ocs-v2-bad-credentials")
                .response
                .template(),
        )
        .mount(&nc)
        .await;
    let server = start_server(basic_config(&nc.uri(), Duration::from_secs(5))).await;
    let ready = http
        .get(format!("{}/readyz", server.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 503);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert!(
        body["reason"]
            .as_str()
            .unwrap()
            .contains("rejected the credential"),
        "{body}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn shutdown_lets_an_in_flight_call_finish() {
    let nc = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            load("notes", "07-get")
                .response
                .template()
                .set_delay(Duration::from_millis(800)),
        )
        .mount(&nc)
        .await;
    let server = start_server(basic_config(&nc.uri(), Duration::from_secs(5))).await;
    let client = connect(&server).await;
    let in_flight = tokio::spawn(async move {
        let result = call(&client, "nc_notes_get_note", json!({"note_id": 213})).await;
        (client, result)
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    server.shutdown().await;
    let (client, result) = in_flight.await.unwrap();
    assert_eq!(assert_ok("get", &result)["title"], "Groceries");
    drop(client);
}
