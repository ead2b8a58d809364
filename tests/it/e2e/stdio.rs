//! End-to-end over stdio: spawn the real binary and talk JSON-RPC on its
//! stdin/stdout, as a desktop client does.

use std::process::Stdio;
use std::time::Duration;

use crate::support::fixtures::load;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer};

struct StdioServer {
    child: Child,
    stdin: ChildStdin,
    stdout: tokio::io::Lines<BufReader<ChildStdout>>,
}

impl StdioServer {
    fn spawn(nextcloud: &str, extra_env: &[(&str, &str)]) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_nextcloud-mcp"));
        command
            .arg("stdio")
            .env_clear()
            .env("NEXTCLOUD_HOST", nextcloud)
            .env("NEXTCLOUD_USERNAME", "admin")
            .env("NEXTCLOUD_PASSWORD", "app-pass")
            .env("NEXTCLOUD_MCP_LOG_LEVEL", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        for (k, v) in extra_env {
            command.env(k, v);
        }
        let store = tempfile::tempdir()
            .expect("temp dir")
            .keep()
            .join("store.db");
        command.env("TOKEN_STORAGE_DB", store);
        let mut child = command.spawn().expect("spawn nextcloud-mcp");
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap()).lines();
        Self {
            child,
            stdin,
            stdout,
        }
    }

    async fn send(&mut self, message: Value) {
        let mut line = message.to_string();
        line.push('\n');
        self.stdin.write_all(line.as_bytes()).await.unwrap();
        self.stdin.flush().await.unwrap();
    }

    /// The response to request `id`, skipping any notification in between.
    async fn response(&mut self, id: u64) -> Value {
        loop {
            let line = tokio::time::timeout(Duration::from_secs(10), self.stdout.next_line())
                .await
                .expect("server answered in time")
                .unwrap()
                .expect("server closed stdout");
            let message: Value = serde_json::from_str(&line).expect("stdout carries only JSON-RPC");
            if message["id"] == json!(id) {
                return message;
            }
        }
    }

    async fn request(&mut self, id: u64, method: &str, params: Value) -> Value {
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        self.response(id).await
    }
}

async fn initialized(nextcloud: &str) -> StdioServer {
    let mut server = StdioServer::spawn(nextcloud, &[]);
    let init = server
        .request(
            1,
            "initialize",
            json!({
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "stdio-test", "version": "1"}
            }),
        )
        .await;
    assert_eq!(
        init["result"]["serverInfo"]["name"], "nextcloud-mcp",
        "{init}"
    );
    server
        .send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
        .await;
    server
}

#[tokio::test]
async fn the_same_tools_over_stdio() {
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
    let mut server = initialized(&nc.uri()).await;

    let listed = server.request(2, "tools/list", json!({})).await;
    let names: Vec<&str> = listed["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(names.len() >= 17, "{names:?}");
    assert!(names.contains(&"nc_notes_get_note") && names.contains(&"nc_webdav_read_file"));

    let got = server
        .request(
            3,
            "tools/call",
            json!({"name": "nc_notes_get_note", "arguments": {"note_id": 213}}),
        )
        .await;
    assert_eq!(got["result"]["isError"], false, "{got}");
    assert_eq!(got["result"]["structuredContent"]["title"], "Groceries");

    let missing = server
        .request(
            4,
            "tools/call",
            json!({"name": "nc_notes_get_note", "arguments": {"note_id": 999999}}),
        )
        .await;
    assert_eq!(missing["result"]["isError"], true, "{missing}");
    let text = missing["result"]["content"][0]["text"].as_str().unwrap();
    assert!(text.contains("note 999999 does not exist"), "{text}");

    let unknown = server
        .request(5, "tools/call", json!({"name": "nc_nope", "arguments": {}}))
        .await;
    assert!(
        unknown["error"]["code"].is_i64(),
        "an unknown tool is a protocol error: {unknown}"
    );

    // Closing stdin ends the server cleanly.
    drop(server.stdin);
    let status = tokio::time::timeout(Duration::from_secs(10), server.child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{status:?}");
}

#[tokio::test]
async fn a_missing_setting_stops_the_binary_with_one_clear_line() {
    let output = Command::new(env!("CARGO_BIN_EXE_nextcloud-mcp"))
        .arg("stdio")
        .env_clear()
        .env("NEXTCLOUD_HOST", "https://cloud.example.com")
        .env("NEXTCLOUD_USERNAME", "admin")
        .output()
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("NEXTCLOUD_PASSWORD is missing"), "{stderr}");
    assert!(
        output.stdout.is_empty(),
        "nothing may reach stdout, which carries the protocol"
    );
}
