//! Start-up never waits on Nextcloud or the IdP, and a setting it cannot
//! use stops it with what to fix.

use super::{hanging_nextcloud, http_client, listen_of, post_mcp, stderr_lines, wait_for};
use std::time::Duration;

use crate::cli::support::{command, initialize_params};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};

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
