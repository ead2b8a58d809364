//! Running it like a service, through the real binary: start-up that never
//! waits on Nextcloud or the IdP, a loud rejected app password, structured
//! logs without colour codes, Prometheus metrics, the `health` subcommand,
//! and the tool-list notification when the app probe changes the tools.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use crate::support::fixtures::load;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
use wiremock::matchers::{any, method, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

const BIN: &str = env!("CARGO_BIN_EXE_nextcloud-mcp");
const APP_PASSWORD: &str = "app-pass-ops-SECRET";

/// A Nextcloud stand-in that accepts connections and never answers.
fn hanging_nextcloud() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            held.push(stream);
        }
    });
    format!("http://{address}")
}

/// The binary in basic mode against `nextcloud`, nothing inherited but `env`.
fn command(args: &[&str], nextcloud: &str, env: &[(&str, &str)]) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(BIN);
    command
        .args(args)
        .env_clear()
        .env("NEXTCLOUD_HOST", nextcloud)
        .env("NEXTCLOUD_USERNAME", "admin")
        .env("NEXTCLOUD_PASSWORD", APP_PASSWORD)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for (k, v) in env {
        command.env(k, v);
    }
    command
}

/// Stderr lines as they come, read on a thread (the child writes them
/// whatever the test awaits).
fn stderr_lines(child: &mut tokio::process::Child) -> mpsc::Receiver<String> {
    let stderr = child.stderr.take().unwrap().into_owned_fd().unwrap();
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(std::fs::File::from(stderr)).lines() {
            let Ok(line) = line else { break };
            if send.send(line).is_err() {
                break;
            }
        }
    });
    receive
}

/// The first log line containing `needle`, seen already or waited for;
/// every line read goes to `seen`.
fn wait_for(lines: &mpsc::Receiver<String>, needle: &str, seen: &mut Vec<String>) -> String {
    if let Some(line) = seen.iter().find(|l| l.contains(needle)) {
        return line.clone();
    }
    loop {
        let line = lines
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("no log line with {needle:?}; saw {seen:#?}"));
        seen.push(line.clone());
        if line.contains(needle) {
            return line;
        }
    }
}

/// The `listen` field of a JSON log line.
fn listen_of(line: &str) -> String {
    let value: Value = serde_json::from_str(line).expect("a JSON log line");
    value["listen"].as_str().expect("listen field").to_string()
}

async fn post_mcp(
    http: &reqwest::Client,
    base: &str,
    id: u64,
    method: &str,
    params: Value,
) -> Value {
    let response = http
        .post(format!("{base}/mcp"))
        .header("Accept", "application/json, text/event-stream")
        .json(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

fn initialize_params() -> Value {
    json!({
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "ops-test", "version": "1"}
    })
}

fn http_client() -> reqwest::Client {
    nextcloud_mcp::adapters::tls::install_crypto_provider();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

// ----- start-up -----

#[tokio::test]
async fn serve_answers_healthz_and_initialize_while_nextcloud_hangs() {
    // The request timeout is the maximum: a start that waited on Nextcloud
    // would not answer before the client gives up.
    let nextcloud = hanging_nextcloud();
    let mut child = command(
        &["serve", "--listen", "127.0.0.1:0"],
        &nextcloud,
        &[
            ("NEXTCLOUD_MCP_LOG_FORMAT", "json"),
            ("NEXTCLOUD_MCP_REQUEST_TIMEOUT", "600"),
        ],
    )
    .spawn()
    .unwrap();
    let lines = stderr_lines(&mut child);
    let mut seen = Vec::new();
    let base = format!(
        "http://{}",
        listen_of(&wait_for(&lines, "serving Streamable HTTP", &mut seen))
    );
    let http = http_client();
    let health = http.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let init = post_mcp(&http, &base, 1, "initialize", initialize_params()).await;
    assert_eq!(
        init["result"]["serverInfo"]["name"], "nextcloud-mcp",
        "{init}"
    );
    assert_eq!(
        init["result"]["capabilities"]["tools"]["listChanged"], true,
        "{init}"
    );
    child.kill().await.unwrap();
}

#[tokio::test]
async fn stdio_answers_initialize_while_nextcloud_hangs_and_needs_nothing_writable() {
    let nextcloud = hanging_nextcloud();
    // HOME points nowhere writable and the working folder must stay empty:
    // single-user stdio opens no store.
    let workdir = tempfile::tempdir().unwrap();
    let mut command = command(
        &["stdio"],
        &nextcloud,
        &[
            ("NEXTCLOUD_MCP_REQUEST_TIMEOUT", "600"),
            ("HOME", "/proc/no-such-home"),
        ],
    );
    command.current_dir(workdir.path());
    let mut child = command.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let request =
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": initialize_params()});
    stdin
        .write_all(format!("{request}\n").as_bytes())
        .await
        .unwrap();
    let line = tokio::time::timeout(Duration::from_secs(60), stdout.next_line())
        .await
        .expect("initialize answered")
        .unwrap()
        .unwrap();
    let init: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(
        init["result"]["serverInfo"]["name"], "nextcloud-mcp",
        "{init}"
    );
    child.kill().await.unwrap();
    let output = child.wait_with_output().await.unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    // stderr is a pipe, not a terminal: no colour codes.
    assert!(stderr.contains("serving stdio"), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
    assert_eq!(
        std::fs::read_dir(workdir.path()).unwrap().count(),
        0,
        "nothing may be written to the working folder"
    );
}

#[tokio::test]
async fn an_unreachable_identity_provider_is_named_as_such() {
    let store = tempfile::tempdir().unwrap();
    let output = command(
        &["serve", "--listen", "127.0.0.1:0"],
        "http://127.0.0.1:9",
        &[
            ("NEXTCLOUD_OIDC_CLIENT_ID", "mcp"),
            ("NEXTCLOUD_OIDC_CLIENT_SECRET", "client-SECRET"),
            (
                "OIDC_DISCOVERY_URL",
                "http://127.0.0.1:1/.well-known/openid-configuration",
            ),
            ("NEXTCLOUD_MCP_SERVER_URL", "http://127.0.0.1:8000/mcp"),
            ("ENABLE_PROGRESSIVE_CONSENT", "false"),
            (
                "TOKEN_STORAGE_DB",
                store.path().join("s.db").to_str().unwrap(),
            ),
        ],
    )
    .output()
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("identity provider unreachable at http://127.0.0.1:1/"),
        "{stderr}"
    );
    assert!(!stderr.contains("is invalid"), "{stderr}");
}

#[tokio::test]
async fn an_unknown_log_level_stops_start_up() {
    let output = command(
        &["stdio"],
        "http://127.0.0.1:9",
        &[("NEXTCLOUD_MCP_LOG_LEVEL", "verbose")],
    )
    .output()
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("NEXTCLOUD_MCP_LOG_LEVEL") && stderr.contains("verbose"),
        "{stderr}"
    );
}

// ----- a rejected app password -----

#[tokio::test]
async fn a_rejected_app_password_is_an_error_at_start_and_in_the_first_tool_result() {
    let nc = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            load("errors", "01-ocs-v2-bad-credentials")
                .response
                .template(),
        )
        .mount(&nc)
        .await;
    let mut child = command(&["stdio"], &nc.uri(), &[]).spawn().unwrap();
    let lines = stderr_lines(&mut child);
    let mut seen = Vec::new();
    let error = wait_for(&lines, "NEXTCLOUD_PASSWORD", &mut seen);
    assert!(error.contains("ERROR"), "{error}");
    assert!(!error.contains(APP_PASSWORD), "{error}");

    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    for message in [
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": initialize_params()}),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
               "params": {"name": "nc_notes_list_notes", "arguments": {}}}),
    ] {
        stdin
            .write_all(format!("{message}\n").as_bytes())
            .await
            .unwrap();
    }
    let result = loop {
        let line = tokio::time::timeout(Duration::from_secs(60), stdout.next_line())
            .await
            .expect("answered")
            .unwrap()
            .unwrap();
        let message: Value = serde_json::from_str(&line).unwrap();
        if message["id"] == json!(2) {
            break message;
        }
    };
    assert_eq!(result["result"]["isError"], true, "{result}");
    let text = result["result"]["content"][0]["text"].as_str().unwrap();
    assert!(text.contains("NEXTCLOUD_PASSWORD"), "{text}");
    assert!(!text.contains(APP_PASSWORD), "{text}");
    child.kill().await.unwrap();
}

// ----- metrics, per-call log lines, health -----

/// One counter or gauge sample's value; 0 when the series does not exist.
fn sample(scrape: &prometheus_parse::Scrape, metric: &str, labels: &[(&str, &str)]) -> f64 {
    scrape
        .samples
        .iter()
        .filter(|s| s.metric == metric)
        .filter(|s| labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .map(|s| match &s.value {
            prometheus_parse::Value::Counter(v)
            | prometheus_parse::Value::Gauge(v)
            | prometheus_parse::Value::Untyped(v) => *v,
            prometheus_parse::Value::Histogram(buckets) => buckets
                .iter()
                .find(|b| b.less_than.is_infinite())
                .map_or(0.0, |b| b.count),
            prometheus_parse::Value::Summary(_) => 0.0,
        })
        .sum()
}

#[tokio::test]
async fn metrics_count_exactly_the_calls_made_and_log_lines_are_json_without_secrets() {
    let nc = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path_regex("^/index.php/apps/notes/api/v1/notes/213$"))
        .respond_with(load("notes", "07-get").response.template())
        .mount(&nc)
        .await;
    Mock::given(method("GET"))
        .and(path_regex("^/index.php/apps/notes/api/v1/notes/999999$"))
        .respond_with(load("notes", "20-get-missing-404").response.template())
        .mount(&nc)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(404))
        .with_priority(u8::MAX)
        .mount(&nc)
        .await;
    let store = tempfile::tempdir().unwrap();
    let mut child = command(
        &["serve", "--listen", "127.0.0.1:0"],
        &nc.uri(),
        &[
            ("NEXTCLOUD_MCP_LOG_FORMAT", "json"),
            ("NEXTCLOUD_MCP_METRICS_LISTEN", "127.0.0.1:0"),
            (
                "TOKEN_STORAGE_DB",
                store.path().join("s.db").to_str().unwrap(),
            ),
        ],
    )
    .spawn()
    .unwrap();
    let lines = stderr_lines(&mut child);
    let mut seen = Vec::new();
    let metrics = format!(
        "http://{}/metrics",
        listen_of(&wait_for(&lines, "Prometheus metrics", &mut seen))
    );
    let base = format!(
        "http://{}",
        listen_of(&wait_for(&lines, "serving Streamable HTTP", &mut seen))
    );
    // The start-up probe ends (capabilities answer 404) before counting starts.
    wait_for(&lines, "capability probe failed", &mut seen);

    let http = http_client();
    post_mcp(&http, &base, 1, "initialize", initialize_params()).await;
    for (id, note) in [(2, 213), (3, 213), (4, 999999)] {
        let result = post_mcp(
            &http,
            &base,
            id,
            "tools/call",
            json!({"name": "nc_notes_get_note", "arguments": {"note_id": note}}),
        )
        .await;
        assert_eq!(result["result"]["isError"], note != 213, "{result}");
    }

    let body = http
        .get(&metrics)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let scrape = prometheus_parse::Scrape::parse(body.lines().map(|l| Ok(l.to_string()))).unwrap();
    let calls = "nextcloud_mcp_tool_calls_total";
    let tool = ("tool", "nc_notes_get_note");
    assert_eq!(
        sample(&scrape, calls, &[tool, ("outcome", "ok")]),
        2.0,
        "{body}"
    );
    assert_eq!(
        sample(&scrape, calls, &[tool, ("outcome", "error")]),
        1.0,
        "{body}"
    );
    assert_eq!(sample(&scrape, calls, &[]), 3.0, "{body}");
    assert_eq!(
        sample(&scrape, "nextcloud_mcp_tool_call_duration_seconds", &[tool]),
        3.0,
        "{body}"
    );
    let requests = "nextcloud_mcp_nextcloud_requests_total";
    assert_eq!(
        sample(&scrape, requests, &[("app", "notes"), ("status", "2xx")]),
        2.0
    );
    assert_eq!(
        sample(&scrape, requests, &[("app", "notes"), ("status", "4xx")]),
        1.0
    );
    assert_eq!(
        sample(&scrape, "nextcloud_mcp_tool_calls_in_flight", &[]),
        0.0
    );
    assert!(
        !body.contains("admin") && !body.contains(APP_PASSWORD),
        "{body}"
    );

    // The health subcommand, as the image's HEALTHCHECK runs it.
    let healthy = tokio::process::Command::new(BIN)
        .args(["health", "--url", &format!("{base}/healthz")])
        .env_clear()
        .output()
        .await
        .unwrap();
    assert_eq!(healthy.status.code(), Some(0));
    let via_listen = tokio::process::Command::new(BIN)
        .arg("health")
        .env_clear()
        .env("NEXTCLOUD_MCP_LISTEN", base.trim_start_matches("http://"))
        .output()
        .await
        .unwrap();
    assert_eq!(via_listen.status.code(), Some(0));
    child.kill().await.unwrap();
    drop(child);

    // Every line is one JSON object; one INFO line per call; no secret.
    while let Ok(line) = lines.recv_timeout(Duration::from_secs(5)) {
        seen.push(line);
    }
    let mut call_lines = Vec::new();
    for line in &seen {
        let value: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(!line.contains(APP_PASSWORD), "{line}");
        if value["message"] == "tool call" {
            call_lines.push(value);
        }
    }
    assert_eq!(call_lines.len(), 3, "{seen:#?}");
    for line in &call_lines {
        assert_eq!(line["level"], "INFO");
        assert_eq!(line["tool"], "nc_notes_get_note");
        assert_eq!(line["nextcloud_requests"], 1);
        assert!(line["duration_ms"].as_f64().is_some(), "{line}");
        assert!(line.get("arguments").is_none());
    }
    let outcomes: Vec<&str> = call_lines
        .iter()
        .map(|l| l["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes.iter().filter(|o| **o == "ok").count(), 2);
    assert_eq!(outcomes.iter().filter(|o| **o == "error").count(), 1);
}

#[tokio::test]
async fn health_fails_with_one_line_when_nothing_answers() {
    let output = tokio::process::Command::new(BIN)
        .args(["health", "--url", "http://127.0.0.1:9/healthz"])
        .env_clear()
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

// ----- tools/list_changed -----

/// The captured capabilities with `remove` apps dropped.
fn capabilities(remove: &[&str]) -> Value {
    let mut body = load("ocs-capabilities", "02-capabilities-v2-json")
        .response
        .body_json();
    let caps = body["ocs"]["data"]["capabilities"].as_object_mut().unwrap();
    remove.iter().for_each(|k| drop(caps.remove(*k)));
    body
}

async fn mount_capabilities(nc: &MockServer, remove: &[&str]) {
    Mock::given(method("GET"))
        .and(path_regex("^/ocs/v2.php/cloud/capabilities$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(capabilities(remove)))
        .mount(nc)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(404))
        .with_priority(u8::MAX)
        .mount(nc)
        .await;
}

#[tokio::test]
async fn stdio_clients_hear_when_the_probe_changes_the_tools() {
    let nc = MockServer::start().await;
    mount_capabilities(&nc, &["deck"]).await;
    let mut child = command(&["stdio"], &nc.uri(), &[]).spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut send = async |message: Value| {
        stdin
            .write_all(format!("{message}\n").as_bytes())
            .await
            .unwrap();
    };
    send(json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": initialize_params()}))
        .await;
    send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"})).await;
    let mut next = async || -> Value {
        let line = tokio::time::timeout(Duration::from_secs(60), stdout.next_line())
            .await
            .expect("the server spoke")
            .unwrap()
            .unwrap();
        serde_json::from_str(&line).unwrap()
    };
    let is_list_changed = |m: &Value| m["method"] == "notifications/tools/list_changed";

    // The start-up probe hides Deck: the client hears of it.
    let mut heard = false;
    for _ in 0..3 {
        if is_list_changed(&next().await) {
            heard = true;
            break;
        }
    }
    assert!(heard, "no list_changed after the start-up probe");

    // Deck is installed later; a re-probe finds it and the client hears again.
    nc.reset().await;
    mount_capabilities(&nc, &[]).await;
    send(json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                "params": {"name": "nc_refresh_capabilities", "arguments": {}}}))
    .await;
    let mut heard = false;
    let mut answered = false;
    while !(heard && answered) {
        let message = next().await;
        heard |= is_list_changed(&message);
        answered |= message["id"] == json!(2);
    }
    send(json!({"jsonrpc": "2.0", "id": 3, "method": "tools/list", "params": {}})).await;
    let listed = loop {
        let message = next().await;
        if message["id"] == json!(3) {
            break message;
        }
    };
    let names = listed["result"]["tools"].to_string();
    assert!(names.contains("deck_get_boards"), "{names}");
    child.kill().await.unwrap();
}
