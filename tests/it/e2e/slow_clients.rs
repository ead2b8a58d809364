//! Slow or idle clients against the real server: half-sent headers are cut
//! at the header timeout, a slow body at the body timeout, a slow request at
//! its deadline, and connections over the bound get a fast 503.

use std::time::{Duration, Instant};

use nextcloud_mcp::app::config::HttpSettings;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use wiremock::MockServer;

use crate::support::e2e::*;

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, |dir| dir.count())
}

fn edge(configure: impl FnOnce(&mut HttpSettings)) -> HttpSettings {
    let mut http = HttpSettings::loopback_any_port();
    configure(&mut http);
    http
}

fn address(server: &RunningServer) -> String {
    server.base_url.trim_start_matches("http://").to_string()
}

/// Reads until the server closes the connection; what it said on the way.
async fn read_until_closed(stream: &mut TcpStream, within: Duration) -> Option<String> {
    let mut seen = Vec::new();
    let mut buf = [0u8; 1024];
    let outcome = tokio::time::timeout(within, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    outcome
        .ok()
        .map(|()| String::from_utf8_lossy(&seen).into_owned())
}

async fn healthz_answers(server: &RunningServer) -> bool {
    reqwest::get(format!("{}/healthz", server.base_url))
        .await
        .is_ok_and(|r| r.status().is_success())
}

#[tokio::test]
async fn two_hundred_half_sent_headers_are_closed_at_the_header_timeout() {
    const CONNECTIONS: usize = 200;
    let nc = MockServer::start().await;
    let http = edge(|h| {
        h.edge.limits.header_read_timeout = Duration::from_secs(1);
        h.edge.limits.max_connections = 1000;
    });
    let server = start_server_with(basic_config(&nc.uri(), Duration::from_secs(5)), http).await;
    let before = open_fds();
    let mut streams = Vec::new();
    for _ in 0..CONNECTIONS {
        let mut stream = TcpStream::connect(address(&server)).await.unwrap();
        stream
            .write_all(b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            .await
            .unwrap();
        streams.push(stream);
    }
    let held = open_fds();
    assert!(
        held >= before + CONNECTIONS,
        "{CONNECTIONS} client sockets open: {before} -> {held}"
    );
    let started = Instant::now();
    for stream in &mut streams {
        let closed = read_until_closed(stream, Duration::from_secs(10)).await;
        assert!(
            closed.is_some(),
            "a half-sent request was still open after 10 s"
        );
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "closed after {:?}, header timeout 1 s",
        started.elapsed()
    );
    drop(streams);
    assert!(healthz_answers(&server).await, "a normal request is served");
    let mut after = open_fds();
    for _ in 0..50 {
        if after <= before + 20 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        after = open_fds();
    }
    assert!(
        after <= before + 20,
        "file descriptors: {before} before, {held} held, {after} after"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn over_the_connection_bound_a_fast_503_then_service_resumes() {
    let nc = MockServer::start().await;
    let http = edge(|h| {
        h.edge.limits.max_connections = 2;
        h.edge.limits.header_read_timeout = Duration::from_secs(30);
    });
    let server = start_server_with(basic_config(&nc.uri(), Duration::from_secs(5)), http).await;
    let mut idle = Vec::new();
    for _ in 0..2 {
        let mut stream = TcpStream::connect(address(&server)).await.unwrap();
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\n")
            .await
            .unwrap();
        idle.push(stream);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    let mut third = TcpStream::connect(address(&server)).await.unwrap();
    third
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let reply = read_until_closed(&mut third, Duration::from_secs(2))
        .await
        .expect("the connection over the bound is closed");
    assert!(reply.starts_with("HTTP/1.1 503"), "{reply}");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    drop(idle);
    let mut served = false;
    for _ in 0..20 {
        if healthz_answers(&server).await {
            served = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        served,
        "once the idle connections go, requests are served again"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn a_body_that_never_arrives_ends_at_the_body_timeout() {
    let nc = MockServer::start().await;
    let http = edge(|h| h.edge.limits.body_read_timeout = Duration::from_secs(1));
    let server = start_server_with(basic_config(&nc.uri(), Duration::from_secs(5)), http).await;
    let mut stream = TcpStream::connect(address(&server)).await.unwrap();
    let head = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
                Accept: application/json, text/event-stream\r\nContent-Length: 1000\r\n\r\n{\"jsonrpc\"";
    stream.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let reply = read_until_closed(&mut stream, Duration::from_secs(10)).await;
    assert!(
        reply.is_some(),
        "the slow body still held the request after 10 s"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(healthz_answers(&server).await);
    server.shutdown().await;
}

#[tokio::test]
async fn a_request_past_its_deadline_is_answered_503() {
    let nc = MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::method("GET"))
        .respond_with(wiremock::ResponseTemplate::new(200).set_delay(Duration::from_secs(4)))
        .mount(&nc)
        .await;
    let http = edge(|h| h.edge.limits.request_deadline = Duration::from_secs(1));
    let server = start_server_with(basic_config(&nc.uri(), Duration::from_secs(30)), http).await;
    let client = connect(&server).await;
    let started = Instant::now();
    let outcome = client
        .call_tool(
            rmcp::model::CallToolRequestParams::new("nc_notes_get_note".to_string())
                .with_arguments(json!({"note_id": 1}).as_object().unwrap().clone()),
        )
        .await;
    assert!(outcome.is_err(), "{outcome:?}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let _ = client.cancel().await;
    server.shutdown().await;
}
