//! Long calls through rmcp's client. With the request's progress token,
//! unified search across providers, availability over several calendars and
//! a large file read send progress notifications in order (a large write's
//! are tested with the other file tools). A cancelled call
//! (`notifications/cancelled`, over stdio) drops its in-flight Nextcloud
//! request, for each of those long tools: the stand-in sees the connection
//! close long before any timeout.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::support::dav::{CAL_HOME, caldav_discovery, calendars_listed};
use crate::support::e2e::*;
use rmcp::model::{CallToolRequestParams, ClientConfig, ClientRequest, ProgressNotificationParam};
use rmcp::service::{NotificationContext, PeerRequestOptions, RunningService};
use rmcp::transport::{StreamableHttpClientTransport, TokioChildProcess};
use rmcp::{ClientHandler, RoleClient, ServiceExt};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

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

/// A client of `server` that records the progress notifications it hears.
async fn progress_client(
    server: &RunningServer,
) -> (RunningService<RoleClient, Progress>, Progress) {
    let handler = Progress::default();
    let client = handler
        .clone()
        .serve(StreamableHttpClientTransport::from_uri(server.mcp_url()))
        .await
        .expect("initialize");
    (client, handler)
}

#[tokio::test]
async fn search_across_providers_reports_progress_in_order() {
    let nc = MockServer::start().await;
    mount_search_providers(&nc, 5).await;
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
    let (client, handler) = progress_client(&server).await;

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

/// What the hanging stand-in saw of the request it holds.
#[derive(Debug, PartialEq)]
enum Seen {
    Arrived,
    Dropped,
}

/// A Nextcloud stand-in that never answers a request whose first line
/// contains `hold` and reports when one arrives and when its connection
/// closes. Any other request goes to `behind` (a wiremock Nextcloud) when
/// there is one, and otherwise gets an empty 404.
async fn hanging_stand_in(
    hold: &'static str,
    behind: Option<String>,
) -> (String, mpsc::UnboundedReceiver<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let tx = tx.clone();
            let behind = behind.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                let end = loop {
                    if let Some(i) = head.windows(4).position(|w| w == b"\r\n\r\n") {
                        break i + 4;
                    }
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                };
                let text = String::from_utf8_lossy(&head[..end]).to_string();
                let line = text.lines().next().unwrap_or("").to_string();
                if line.contains(hold) {
                    let _ = tx.send(Seen::Arrived);
                    // Hold the request (taking any body); a read of 0 bytes
                    // is the server hanging up.
                    while !matches!(socket.read(&mut buf).await, Ok(0) | Err(_)) {}
                    let _ = tx.send(Seen::Dropped);
                    return;
                }
                let reply = match behind {
                    Some(behind) => {
                        let mut body = head[end..].to_vec();
                        let length = content_length(&text);
                        while body.len() < length {
                            match socket.read(&mut buf).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => body.extend_from_slice(&buf[..n]),
                            }
                        }
                        forward(&behind, &text, body).await
                    }
                    None => {
                        b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                            .to_vec()
                    }
                };
                let _ = socket.write_all(&reply).await;
            });
        }
    });
    (url, rx)
}

fn content_length(head: &str) -> usize {
    head.lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse().ok())
        .unwrap_or(0)
}

/// The request in `head` and `body` as `behind` answers it, as raw HTTP.
async fn forward(behind: &str, head: &str, body: Vec<u8>) -> Vec<u8> {
    let mut lines = head.lines();
    let mut first = lines.next().unwrap_or("").split(' ');
    let verb = first.next().unwrap_or("GET");
    let target = first.next().unwrap_or("/");
    nextcloud_mcp::adapters::tls::install_crypto_provider();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut request = client.request(
        reqwest::Method::from_bytes(verb.as_bytes()).unwrap(),
        format!("{behind}{target}"),
    );
    for (name, value) in lines.filter_map(|l| l.split_once(':')) {
        if !["host", "content-length", "connection"].contains(&name.trim().to_lowercase().as_str())
        {
            request = request.header(name.trim(), value.trim());
        }
    }
    let response = request.body(body).send().await.unwrap();
    let mut reply = format!("HTTP/1.1 {}\r\n", response.status());
    for (name, value) in response.headers() {
        if !["content-length", "connection", "transfer-encoding"].contains(&name.as_str()) {
            reply.push_str(&format!("{name}: {}\r\n", value.to_str().unwrap_or("")));
        }
    }
    let body = response.bytes().await.unwrap();
    reply.push_str(&format!(
        "content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    ));
    let mut reply = reply.into_bytes();
    reply.extend_from_slice(&body);
    reply
}

/// Calls `tool` over stdio against `nextcloud`, waits until the stand-in
/// holds its request, cancels the call, and says whether the held request
/// was dropped within 5 seconds (the server's own request timeout is 30,
/// so a drop within 5 is the cancellation).
async fn cancel_mid_call(
    nextcloud: &str,
    seen: &mut mpsc::UnboundedReceiver<Seen>,
    tool: &'static str,
    args: serde_json::Value,
) -> bool {
    let store = tempfile::tempdir().unwrap().keep().join("store.db");
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_nextcloud-mcp"));
    command
        .arg("stdio")
        .env_clear()
        .env("NEXTCLOUD_HOST", nextcloud)
        .env("NEXTCLOUD_USERNAME", "admin")
        .env("NEXTCLOUD_PASSWORD", "app-pass")
        .env("NEXTCLOUD_MCP_LOG_LEVEL", "warn")
        .env("TOKEN_STORAGE_DB", store);
    let client = ClientConfig::default()
        .serve(TokioChildProcess::new(command).unwrap())
        .await
        .expect("initialize over stdio");

    let request = ClientRequest::CallToolRequest(rmcp::model::CallToolRequest::new(
        CallToolRequestParams::new(tool).with_arguments(args.as_object().unwrap().clone()),
    ));
    let handle = client
        .send_cancellable_request(request, PeerRequestOptions::no_options())
        .await
        .expect("send");
    let arrived = tokio::time::timeout(Duration::from_secs(10), seen.recv()).await;
    assert_eq!(arrived.ok().flatten(), Some(Seen::Arrived), "{tool}");
    handle
        .cancel(Some("user pressed stop".into()))
        .await
        .expect("cancel");
    // Requests of a fan-out may still be arriving; the first drop counts.
    let dropped = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(next) = seen.recv().await {
            if next == Seen::Dropped {
                return true;
            }
        }
        false
    })
    .await
    .unwrap_or(false);
    client.cancel().await.ok();
    dropped
}

#[tokio::test]
async fn a_cancelled_call_drops_its_nextcloud_request() {
    let (nextcloud, mut seen) = hanging_stand_in("/search/providers/files/search", None).await;
    let args = json!({"term": "report", "provider": "files"});
    assert!(cancel_mid_call(&nextcloud, &mut seen, "nc_search_query", args).await);
}

#[tokio::test]
async fn a_cancelled_file_read_or_write_drops_its_transfer() {
    let (nextcloud, mut seen) =
        hanging_stand_in("GET /remote.php/dav/files/admin/big.log", None).await;
    let args = json!({"path": "big.log"});
    assert!(cancel_mid_call(&nextcloud, &mut seen, "nc_webdav_read_file", args).await);

    let (nextcloud, mut seen) =
        hanging_stand_in("PUT /remote.php/dav/files/admin/big.log", None).await;
    let args = json!({"path": "big.log", "content": "x".repeat(64 * 1024)});
    assert!(cancel_mid_call(&nextcloud, &mut seen, "nc_webdav_write_file", args).await);
}

/// A Nextcloud with the captured calendars (three hold events), whose
/// calendars are all empty.
async fn calendars() -> MockServer {
    let nc = MockServer::start().await;
    caldav_discovery(&nc).await;
    calendars_listed(&nc).await;
    Mock::given(method("REPORT"))
        .and(path_regex(format!("^{CAL_HOME}[^/]+/$")))
        .respond_with(ResponseTemplate::new(207).set_body_raw(
            r#"<?xml version="1.0"?><d:multistatus xmlns:d="DAV:"/>"#,
            "application/xml; charset=utf-8",
        ))
        .mount(&nc)
        .await;
    catch_all(&nc).await;
    nc
}

#[tokio::test]
async fn a_cancelled_availability_search_drops_its_calendar_reads() {
    let nc = calendars().await;
    let (nextcloud, mut seen) =
        hanging_stand_in("REPORT /remote.php/dav/calendars/admin/", Some(nc.uri())).await;
    let args = json!({"duration_minutes": 30, "date_range_start": "2026-12-01", "date_range_end": "2026-12-02"});
    assert!(cancel_mid_call(&nextcloud, &mut seen, "nc_calendar_find_availability", args).await);
}

/// Calls `tool` (rmcp's client puts a progress token of its own on every
/// request) and answers the notifications that arrived by the time the
/// result did, all for that one token.
async fn call_with_progress(
    server: &RunningServer,
    tool: &'static str,
    args: serde_json::Value,
) -> (serde_json::Value, Vec<ProgressNotificationParam>) {
    let (client, handler) = progress_client(server).await;
    let params = CallToolRequestParams::new(tool).with_arguments(args.as_object().unwrap().clone());
    let result = client.call_tool(params).await.expect("tools/call");
    let structured = assert_ok(tool, &result);
    client.cancel().await.ok();
    let seen = handler.seen.lock().unwrap().clone();
    assert!(
        seen.iter()
            .all(|p| p.progress_token == seen[0].progress_token),
        "{seen:?}"
    );
    (structured, seen)
}

#[tokio::test]
async fn availability_over_several_calendars_reports_each_in_order() {
    let nc = calendars().await;
    let server = start_server(basic_config(&nc.uri(), Duration::from_secs(5))).await;
    let args = json!({"duration_minutes": 30, "date_range_start": "2026-12-01", "date_range_end": "2026-12-02"});
    let (free, seen) = call_with_progress(&server, "nc_calendar_find_availability", args).await;
    assert!(!free["slots"].as_array().unwrap().is_empty());
    let steps: Vec<(f64, Option<f64>)> = seen.iter().map(|p| (p.progress, p.total)).collect();
    assert_eq!(
        steps,
        [(1.0, Some(3.0)), (2.0, Some(3.0)), (3.0, Some(3.0))],
        "{seen:?}"
    );
    assert!(
        seen.iter().all(|p| p
            .message
            .as_deref()
            .is_some_and(|m| m.starts_with("read calendar "))),
        "{seen:?}"
    );
    server.shutdown().await;
}

/// Bytes of a text file made up as they are sent: numbered lines.
fn generated(size: usize) -> impl Iterator<Item = Vec<u8>> {
    let line = |n: usize| format!("line {n:09} of a large log\n").into_bytes();
    let mut n = 0;
    let mut left = size;
    std::iter::from_fn(move || {
        if left == 0 {
            return None;
        }
        let mut chunk = Vec::with_capacity(16 * 1024);
        while chunk.len() < 16 * 1024 && chunk.len() < left {
            chunk.extend_from_slice(&line(n));
            n += 1;
        }
        chunk.truncate(left);
        left -= chunk.len();
        Some(chunk)
    })
}

/// A Nextcloud stand-in serving one text file of `size` bytes at
/// `files/admin/big.log`, generated while it is sent in small pieces (a
/// range request gets the whole file, as from a server that ignores ranges).
async fn streaming_stand_in(size: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                if !head.starts_with(b"GET /remote.php/dav/files/admin/big.log ") {
                    let _ = socket
                        .write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                        .await;
                    return;
                }
                let reply = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\netag: \"e1\"\r\ncontent-length: {size}\r\nconnection: close\r\n\r\n"
                );
                if socket.write_all(reply.as_bytes()).await.is_err() {
                    return;
                }
                for chunk in generated(size) {
                    if socket.write_all(&chunk).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    url
}

#[tokio::test]
async fn a_large_read_reports_download_progress_in_order() {
    let size = 1_500_000;
    let nextcloud = streaming_stand_in(size).await;
    let server = start_server(basic_config(&nextcloud, Duration::from_secs(5))).await;
    let (read, seen) =
        call_with_progress(&server, "nc_webdav_read_file", json!({"path": "big.log"})).await;
    let content = read["content"].as_str().unwrap();
    assert_eq!(content.len(), size);
    assert!(content.starts_with("line 000000000 of a large log\n"));

    let total = size as f64;
    let done: Vec<f64> = seen.iter().map(|p| p.progress).collect();
    // As the bytes come (not once at the end), at most one per 256 KiB
    // and one at the end.
    assert!((3..=7).contains(&done.len()), "{done:?}");
    assert!(done.windows(2).all(|w| w[0] < w[1]), "{done:?}");
    let steps = &done[..done.len() - 1];
    assert!(
        steps.windows(2).all(|w| w[1] - w[0] >= 256.0 * 1024.0),
        "{done:?}"
    );
    assert_eq!(done.last().copied(), Some(total));
    assert!(seen.iter().all(|p| p.total == Some(total)), "{seen:?}");
    assert_eq!(
        seen.last().unwrap().message.as_deref(),
        Some("1500000 of 1500000 bytes downloaded")
    );

    // Lines far into the file: the scan reports how far it got (the size is
    // not known to it) and stops once it has the lines.
    let args = json!({"path": "big.log", "line_start": 45_000, "line_count": 2});
    let (lines, seen) = call_with_progress(&server, "nc_webdav_read_file", args).await;
    assert_eq!(
        lines["content"],
        "line 000044999 of a large log\nline 000045000 of a large log\n"
    );
    let done: Vec<f64> = seen.iter().map(|p| p.progress).collect();
    assert!(done.len() >= 3, "{done:?}");
    assert!(
        done.windows(2).all(|w| w[1] - w[0] >= 256.0 * 1024.0),
        "{done:?}"
    );
    // Line 45,001 ends at byte 1,350,030; the scan read about that far.
    assert!(
        *done.last().unwrap() >= 1_350_030.0 - 256.0 * 1024.0,
        "{done:?}"
    );
    assert!(*done.last().unwrap() < total, "{done:?}");
    assert!(seen.iter().all(|p| p.total.is_none()), "{seen:?}");
    assert!(seen[0].message.as_deref().unwrap().ends_with(" bytes read"));
    server.shutdown().await;
}
