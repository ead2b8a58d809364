//! Who may reach `/mcp` before any tool runs: browser origins (403 unless
//! allowed) and, in basic mode when configured, the static bearer token.

use std::time::Duration;

use nextcloud_mcp::app::config::HttpSettings;
use secrecy::SecretString;
use serde_json::json;
use wiremock::MockServer;

use crate::support::e2e::*;

const TOKEN: &str = "0123456789abcdef0123456789abcdef-static";

async fn post_initialize(server: &RunningServer, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .post(server.mcp_url())
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .json(&json!({
            "jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                       "clientInfo": {"name": "t", "version": "0"}}
        }));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn a_browser_request_from_a_foreign_origin_gets_403() {
    let nc = MockServer::start().await;
    let mut http = HttpSettings::loopback_any_port();
    http.edge.allowed_origins = vec!["https://app.example".into()];
    let server = start_server_with(basic_config(&nc.uri(), Duration::from_secs(5)), http).await;

    let foreign = post_initialize(&server, &[("origin", "https://evil.example")]).await;
    assert_eq!(foreign.status(), 403);
    let listed = post_initialize(&server, &[("origin", "https://app.example")]).await;
    assert_eq!(listed.status(), 200);
    let loopback = post_initialize(&server, &[("origin", "http://localhost:6274")]).await;
    assert_eq!(loopback.status(), 200);
    let no_browser = post_initialize(&server, &[]).await;
    assert_eq!(no_browser.status(), 200);
    server.shutdown().await;
}

#[tokio::test]
async fn basic_mode_with_a_static_token_refuses_callers_without_it() {
    let nc = MockServer::start().await;
    let mut http = HttpSettings::loopback_any_port();
    http.edge.basic_token = Some(SecretString::from(TOKEN));
    let server = start_server_with(basic_config(&nc.uri(), Duration::from_secs(5)), http).await;

    let anonymous = post_initialize(&server, &[]).await;
    assert_eq!(anonymous.status(), 401);
    assert!(anonymous.headers().contains_key("www-authenticate"));
    let wrong = post_initialize(&server, &[("authorization", "Bearer not-the-token")]).await;
    assert_eq!(wrong.status(), 401);
    let bearer = format!("Bearer {TOKEN}");
    let right = post_initialize(&server, &[("authorization", &bearer)]).await;
    assert_eq!(right.status(), 200);
    // The MCP client gets through with it.
    let client = connect_with(&server, Some(TOKEN)).await;
    assert!(!client.list_all_tools().await.unwrap().is_empty());
    client.cancel().await.unwrap();
    server.shutdown().await;
}
