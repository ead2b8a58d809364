//! Starting the real binary for the CLI tests: the command in basic mode
//! with nothing inherited, and the first tool result of a stdio session.

use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};

pub const BIN: &str = env!("CARGO_BIN_EXE_nextcloud-mcp");
/// The app password every command is started with; no output may show it.
pub const APP_PASSWORD: &str = "app-pass-cli-SECRET";

/// The binary in basic mode against `nextcloud`, nothing inherited but `env`.
pub fn command(args: &[&str], nextcloud: &str, env: &[(&str, &str)]) -> tokio::process::Command {
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

pub fn initialize_params() -> Value {
    json!({
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "cli-test", "version": "1"}
    })
}

/// Initializes a stdio session with `child` and calls `nc_notes_list_notes`;
/// answers that call's JSON-RPC response.
pub async fn first_notes_listing(child: &mut tokio::process::Child) -> Value {
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
    loop {
        let line = tokio::time::timeout(Duration::from_secs(60), stdout.next_line())
            .await
            .expect("answered")
            .unwrap()
            .unwrap();
        let message: Value = serde_json::from_str(&line).unwrap();
        if message["id"] == json!(2) {
            break message;
        }
    }
}
