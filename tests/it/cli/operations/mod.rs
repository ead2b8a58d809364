//! Running it like a service, through the real binary: start-up that never
//! waits on Nextcloud or the IdP, a loud rejected app password, structured
//! logs without colour codes, Prometheus metrics, the `health` subcommand,
//! and the tool-list notification when the app probe changes the tools.

mod list_changed;
mod metrics;
mod rejected_password;
mod startup;

use std::io::{BufRead, BufReader};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

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

fn http_client() -> reqwest::Client {
    nextcloud_mcp::adapters::tls::install_crypto_provider();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}
