//! Resources, prompts and logging through rmcp's client: the nc:// templates
//! are listed and read through the same gate as tools (an absent app is a
//! readable error), prompts/list is an empty list, and log notifications
//! follow logging/setLevel.
#![allow(deprecated)]

use std::sync::{Arc, Mutex};

use crate::support::e2e::*;
use crate::support::fixtures::load;
use rmcp::model::{
    ClientConfig, LoggingLevel, LoggingMessageNotificationParam, ReadResourceRequestParams,
    ResourceContents, SetLevelRequestParams,
};
use rmcp::service::{NotificationContext, RunningService};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::{ClientHandler, RoleClient, ServiceExt};
use serde_json::{Value, json};
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn text(contents: &ResourceContents) -> (&str, Option<&str>) {
    match contents {
        ResourceContents::TextResourceContents {
            text, mime_type, ..
        } => (text, mime_type.as_deref()),
        other => panic!("expected text contents, got {other:?}"),
    }
}

async fn read(client: &Client, uri: &str) -> Result<String, String> {
    client
        .read_resource(ReadResourceRequestParams::new(uri))
        .await
        .map(|r| {
            assert_eq!(r.contents.len(), 1, "{uri}");
            text(&r.contents[0]).0.to_string()
        })
        .map_err(|e| e.to_string())
}

async fn capabilities_without_deck(nc: &MockServer) {
    let mut body = load("ocs-capabilities", "02-capabilities-v2-json")
        .response
        .body_json();
    body["ocs"]["data"]["capabilities"]
        .as_object_mut()
        .unwrap()
        .remove("deck");
    mount_json_reply(nc, "GET", "^/ocs/v2.php/cloud/capabilities$", 200, body).await;
}

#[tokio::test]
async fn resources_are_listed_and_read_through_the_tool_gate() {
    let nc = MockServer::start().await;
    serve_capture(
        &nc,
        "GET",
        "^/index.php/apps/notes/api/v1/notes/213$",
        "notes",
        "07-get",
    )
    .await;
    Mock::given(method("GET"))
        .and(path_regex(
            "^/remote.php/dav/files/admin/Docs/R%C3%A9sum%C3%A9.md$",
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("ETag", "\"e1\"")
                .set_body_raw("# Résumé\nline two", "text/markdown"),
        )
        .mount(&nc)
        .await;
    capabilities_without_deck(&nc).await;
    catch_all(&nc).await;
    let (server, client) = start_app_server(&nc).await;

    let listed = client.list_all_resources().await.expect("resources/list");
    assert!(
        listed.iter().any(|r| r.uri == "nc://capabilities"),
        "{listed:?}"
    );
    let templates = client
        .list_all_resource_templates()
        .await
        .expect("resources/templates/list");
    let uris: Vec<&str> = templates.iter().map(|t| t.uri_template.as_str()).collect();
    for wanted in [
        "nc://notes/{id}",
        "nc://files/{+path}",
        "nc://calendars/{calendar}/upcoming",
        "nc://deck/boards/{id}",
    ] {
        assert!(uris.contains(&wanted), "{wanted} missing from {uris:?}");
    }

    // The note's own Markdown, as the tool reads it.
    let tool_note = call(&client, "nc_notes_get_note", json!({"note_id": 213})).await;
    let content = assert_ok("get note", &tool_note)["content"]
        .as_str()
        .unwrap()
        .to_string();
    let note = client
        .read_resource(ReadResourceRequestParams::new("nc://notes/213"))
        .await
        .expect("read note");
    assert_eq!(
        text(&note.contents[0]),
        (content.as_str(), Some("text/markdown"))
    );

    // A text file by a percent-encoded path.
    let file = read(&client, "nc://files/Docs/R%C3%A9sum%C3%A9.md")
        .await
        .unwrap();
    assert_eq!(file, "# Résumé\nline two");

    // Deck is absent once probed: its resource says so, as its tools do.
    call(&client, "nc_refresh_capabilities", json!({})).await;
    let deck = read(&client, "nc://deck/boards/1").await.unwrap_err();
    assert!(deck.contains("Deck is not installed"), "{deck}");

    let capabilities: Value =
        serde_json::from_str(&read(&client, "nc://capabilities").await.unwrap()).unwrap();
    assert!(
        capabilities["nextcloud_version"]
            .as_str()
            .is_some_and(|v| !v.is_empty())
    );
    assert!(
        capabilities["apps_absent"]
            .as_array()
            .unwrap()
            .contains(&json!("deck")),
        "{capabilities}"
    );

    let unknown = read(&client, "nc://mail/1").await.unwrap_err();
    assert!(
        unknown.contains("not a resource of this server"),
        "{unknown}"
    );
    let missing = read(&client, "nc://notes/999").await.unwrap_err();
    assert!(missing.contains("nc://notes/999"), "{missing}");

    let prompts = client.list_all_prompts().await.expect("prompts/list");
    assert!(prompts.is_empty());

    client.cancel().await.ok();
    server.shutdown().await;
}

/// A client that keeps every log notification it receives.
#[derive(Clone, Default)]
struct Recorder {
    logs: Arc<Mutex<Vec<LoggingMessageNotificationParam>>>,
}

impl ClientHandler for Recorder {
    async fn on_logging_message(
        &self,
        params: LoggingMessageNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.logs.lock().unwrap().push(params);
    }

    fn get_info(&self) -> ClientConfig {
        ClientConfig::default()
    }
}

impl Recorder {
    async fn settle(&self, expected: usize) -> Vec<LoggingMessageNotificationParam> {
        for _ in 0..50 {
            if self.logs.lock().unwrap().len() >= expected {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        std::mem::take(&mut *self.logs.lock().unwrap())
    }
}

#[tokio::test]
async fn log_notifications_follow_the_level_the_client_set() {
    let nc = MockServer::start().await;
    serve_capture(
        &nc,
        "GET",
        "^/index.php/apps/notes/api/v1/notes/213$",
        "notes",
        "07-get",
    )
    .await;
    catch_all(&nc).await;
    let server = start_server(basic_config(&nc.uri(), std::time::Duration::from_secs(5))).await;
    let recorder = Recorder::default();
    let client: RunningService<RoleClient, Recorder> = recorder
        .clone()
        .serve(StreamableHttpClientTransport::from_uri(server.mcp_url()))
        .await
        .expect("initialize");
    let get = |id: u64| {
        let mut args = serde_json::Map::new();
        args.insert("note_id".into(), json!(id));
        client.call_tool(
            rmcp::model::CallToolRequestParams::new("nc_notes_get_note").with_arguments(args),
        )
    };

    // No level set: nothing is sent.
    get(999).await.unwrap();
    assert!(recorder.settle(0).await.is_empty());

    client
        .set_level(SetLevelRequestParams::new(LoggingLevel::Warning))
        .await
        .expect("logging/setLevel");
    get(213).await.unwrap();
    get(999).await.unwrap();
    let logs = recorder.settle(1).await;
    assert_eq!(logs.len(), 1, "{logs:?}");
    assert_eq!(logs[0].level, LoggingLevel::Warning);
    assert_eq!(logs[0].data["tool"], "nc_notes_get_note");
    assert_eq!(logs[0].data["outcome"], "failed");

    client
        .set_level(SetLevelRequestParams::new(LoggingLevel::Debug))
        .await
        .expect("logging/setLevel");
    get(213).await.unwrap();
    let logs = recorder.settle(1).await;
    assert_eq!(logs.len(), 1, "{logs:?}");
    assert_eq!(logs[0].level, LoggingLevel::Debug);
    assert_eq!(logs[0].data["outcome"], "completed");

    client.cancel().await.ok();
    server.shutdown().await;
}
