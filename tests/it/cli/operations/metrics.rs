//! Prometheus metrics, JSON log lines per call without secrets, and the
//! `health` subcommand.

use super::{http_client, listen_of, post_mcp, stderr_lines, wait_for};
use std::time::Duration;

use crate::cli::support::{APP_PASSWORD, BIN, command, initialize_params};
use crate::support::fixtures::load;
use serde_json::{Value, json};
use wiremock::matchers::{any, method, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

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
