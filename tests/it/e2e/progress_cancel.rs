//! Long calls through rmcp's client: unified search across providers sends
//! progress notifications in order for the request's progress token, and a cancelled call (`notifications/cancelled`, over stdio)
//! drops its in-flight Nextcloud request: the stand-in sees the
//! connection close long before any timeout.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::support::e2e::*;
use rmcp::model::{CallToolRequestParams, ClientConfig, ClientRequest, ProgressNotificationParam};
use rmcp::service::{NotificationContext, PeerRequestOptions, RunningService};
use rmcp::transport::{StreamableHttpClientTransport, TokioChildProcess};
use rmcp::{ClientHandler, RoleClient, ServiceExt};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use wiremock::MockServer;

#[derive(Clone, Default)]
struct Progress {
    seen: Arc<Mutex<Vec<ProgressNotificationParam>>>,
}

impl ClientHandler for Progress {
    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.seen.lock().unwrap().push(params);
    }

    fn get_info(&self) -> ClientConfig {
        ClientConfig::default()
    }
}

#[tokio::test]
async fn search_across_providers_reports_progress_in_order() {
    let nc = MockServer::start().await;
    let providers: Vec<_> = (0..5)
        .map(|i| json!({"id": format!("p{i}"), "appId": "x", "name": format!("P{i}"), "order": i}))
        .collect();
    mount_json_reply(
        &nc,
        "GET",
        "^/ocs/v2.php/search/providers$",
        200,
        ocs_envelope(json!(providers)),
    )
    .await;
    mount_json_reply(
        &nc,
        "GET",
        "^/ocs/v2.php/search/providers/p[0-9]/search$",
        200,
        ocs_envelope(json!({"name": "P", "isPaginated": false, "entries": [{"title": "hit"}], "cursor": null})),
    )
    .await;
    catch_all(&nc).await;
    let server = start_server(basic_config(&nc.uri(), Duration::from_secs(5))).await;
    let handler = Progress::default();
    let client: RunningService<RoleClient, Progress> = handler
        .clone()
        .serve(StreamableHttpClientTransport::from_uri(server.mcp_url()))
        .await
        .expect("initialize");

    let mut args = serde_json::Map::new();
    args.insert("term".into(), json!("report"));
    // rmcp's client puts a progress token of its own on every request.
    let result = client
        .call_tool(CallToolRequestParams::new("nc_search_query").with_arguments(args))
        .await
        .expect("tools/call");
    check_output(client.peer(), "nc_search_query", &result).await;
    assert_eq!(
        assert_ok("search", &result)["results"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
    for _ in 0..50 {
        if handler.seen.lock().unwrap().len() >= 5 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let seen = handler.seen.lock().unwrap().clone();
    let steps: Vec<f64> = seen.iter().map(|p| p.progress).collect();
    assert_eq!(steps, [1.0, 2.0, 3.0, 4.0, 5.0], "{seen:?}");
    let token = &seen[0].progress_token;
    assert!(
        seen.iter()
            .all(|p| p.total == Some(5.0) && &p.progress_token == token)
    );
    assert_eq!(seen[0].message.as_deref(), Some("searched P0"));

    // A single provider is one request: nothing to report.
    let mut args = serde_json::Map::new();
    args.insert("term".into(), json!("report"));
    args.insert("provider".into(), json!("p1"));
    client
        .call_tool(CallToolRequestParams::new("nc_search_query").with_arguments(args))
        .await
        .expect("tools/call");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(handler.seen.lock().unwrap().len(), 5);

    client.cancel().await.ok();
    server.shutdown().await;
}

/// What the hanging stand-in saw of the search request.
#[derive(Debug, PartialEq)]
enum Seen {
    Arrived,
    Dropped,
}

/// A Nextcloud stand-in that never answers the search of provider `files`
/// and reports when that request arrives and when its connection closes;
/// anything else gets an empty 404.
async fn hanging_stand_in() -> (String, mpsc::UnboundedReceiver<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let tx = tx.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let line = String::from_utf8_lossy(&head)
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_string();
                if line.contains("/search/providers/files/search") {
                    let _ = tx.send(Seen::Arrived);
                    // Hold the request; a read of 0 bytes is the server hanging up.
                    while !matches!(socket.read(&mut buf).await, Ok(0) | Err(_)) {}
                    let _ = tx.send(Seen::Dropped);
                } else {
                    let _ = socket
                        .write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                        .await;
                }
            });
        }
    });
    (url, rx)
}

#[tokio::test]
async fn a_cancelled_call_drops_its_nextcloud_request() {
    let (nextcloud, mut seen) = hanging_stand_in().await;
    let store = tempfile::tempdir().unwrap().keep().join("store.db");
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_nextcloud-mcp"));
    command
        .arg("stdio")
        .env_clear()
        .env("NEXTCLOUD_HOST", &nextcloud)
        .env("NEXTCLOUD_USERNAME", "admin")
        .env("NEXTCLOUD_PASSWORD", "app-pass")
        .env("NEXTCLOUD_MCP_LOG_LEVEL", "warn")
        .env("TOKEN_STORAGE_DB", store);
    let client = ClientConfig::default()
        .serve(TokioChildProcess::new(command).unwrap())
        .await
        .expect("initialize over stdio");

    let mut args = serde_json::Map::new();
    args.insert("term".into(), json!("report"));
    args.insert("provider".into(), json!("files"));
    let request = ClientRequest::CallToolRequest(rmcp::model::CallToolRequest::new(
        CallToolRequestParams::new("nc_search_query").with_arguments(args),
    ));
    let handle = client
        .send_cancellable_request(request, PeerRequestOptions::no_options())
        .await
        .expect("send");
    let arrived = tokio::time::timeout(Duration::from_secs(10), seen.recv()).await;
    assert_eq!(arrived.ok().flatten(), Some(Seen::Arrived));
    handle
        .cancel(Some("user pressed stop".into()))
        .await
        .expect("cancel");
    // The server's own request timeout is 30 seconds; a drop within 5 is the cancellation.
    let dropped = tokio::time::timeout(Duration::from_secs(5), seen.recv()).await;
    assert_eq!(dropped.ok().flatten(), Some(Seen::Dropped));

    client.cancel().await.ok();
}
