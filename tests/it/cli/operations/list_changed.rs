//! `tools/list_changed`: stdio clients hear when the app probe changes the
//! tools.

use std::time::Duration;

use crate::cli::support::{command, initialize_params};
use crate::support::fixtures::load;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
use wiremock::matchers::{any, method, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

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
