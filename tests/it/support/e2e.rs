//! Runs the real server in-process on 127.0.0.1:0 against a mock Nextcloud,
//! and connects rmcp's own client to it over Streamable HTTP.

use std::time::Duration;

use nextcloud_mcp::app::config::{Config, HttpSettings, StoreConfig};
use nextcloud_mcp::app::startup::Application;
use nextcloud_mcp::domain::credential::AuthMode;
use rmcp::RoleClient;
use rmcp::ServiceExt;
use rmcp::model::{CallToolRequestParams, CallToolResult, ClientConfig};
use rmcp::service::RunningService;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use secrecy::SecretString;
use tokio::sync::oneshot;
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer};

use super::fixtures::load;
use super::output_schema::{listed_schema, mismatches};

pub struct RunningServer {
    pub base_url: String,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl RunningServer {
    pub fn mcp_url(&self) -> String {
        format!("{}/mcp", self.base_url)
    }

    /// Asks for a graceful shutdown and waits for the server to finish.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("server task").expect("server result");
        }
    }
}

pub fn basic_config(nextcloud_uri: &str, timeout: Duration) -> Config {
    Config {
        nextcloud_url: url::Url::parse(nextcloud_uri).unwrap(),
        mode: AuthMode::Basic {
            username: "admin".into(),
            app_password: SecretString::from("app-pass"),
        },
        log_level: "warn".into(),
        request_timeout: timeout,
        oauth: None,
        store: temp_store(),
        webhooks: Default::default(),
        sync: Default::default(),
    }
}

/// A fresh SQLite store in its own directory, kept for the test's life.
pub fn temp_store() -> StoreConfig {
    let dir = tempfile::tempdir().expect("temp dir").keep();
    StoreConfig {
        location: SecretString::from(dir.join("store.db").to_string_lossy().into_owned()),
        location_set: true,
        keyring: None,
        progressive_consent: false,
        allowed_clients: Vec::new(),
        grant_refresh_interval: Duration::from_secs(3600),
    }
}

/// Starts the server as `serve` does (background work included) on a free
/// loopback port.
pub async fn start_server(config: Config) -> RunningServer {
    start_server_with(config, HttpSettings::loopback_any_port()).await
}

/// The same with edge settings of the test's choosing.
pub async fn start_server_with(config: Config, http: HttpSettings) -> RunningServer {
    let app = Application::build(config, http).await.expect("start-up");
    let address = app.address();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(app.run_until_stopped(async move {
        let _ = stopped.await;
    }));
    RunningServer {
        base_url: format!("http://{address}"),
        stop: Some(stop),
        task: Some(task),
    }
}

pub type Client = RunningService<RoleClient, ClientConfig>;

pub async fn connect(server: &RunningServer) -> Client {
    connect_with(server, None).await
}

/// Connects with an optional bearer token (OAuth modes).
pub async fn connect_with(server: &RunningServer, bearer: Option<&str>) -> Client {
    let mut config = StreamableHttpClientTransportConfig::with_uri(server.mcp_url());
    if let Some(token) = bearer {
        config = config.auth_header(token.to_string());
    }
    let transport = StreamableHttpClientTransport::from_config(config);
    ClientConfig::default()
        .serve(transport)
        .await
        .expect("MCP initialize")
}

/// Connects with HTTP Basic on every request (multi-user basic).
pub async fn connect_basic(server: &RunningServer, login: &str, password: &str) -> Client {
    use base64::Engine as _;
    let value = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{login}:{password}"))
    );
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        reqwest::header::HeaderValue::from_str(&value).unwrap(),
    );
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap();
    let config = StreamableHttpClientTransportConfig::with_uri(server.mcp_url());
    let transport = StreamableHttpClientTransport::with_client(http, config);
    ClientConfig::default()
        .serve(transport)
        .await
        .expect("MCP initialize")
}

pub async fn call(client: &Client, tool: &str, arguments: serde_json::Value) -> CallToolResult {
    let arguments = match arguments {
        serde_json::Value::Object(map) => map,
        other => panic!("arguments must be an object, got {other}"),
    };
    let result = client
        .call_tool(CallToolRequestParams::new(tool.to_string()).with_arguments(arguments))
        .await
        .unwrap_or_else(|e| panic!("{tool}: protocol error {e}"));
    check_output(client.peer(), tool, &result).await;
    result
}

/// A success must match the output schema its tool lists, as clients
/// enforce; checked here so that every call the tests make proves it.
pub async fn check_output(client: &rmcp::Peer<RoleClient>, tool: &str, result: &CallToolResult) {
    if result.is_error == Some(true) {
        return;
    }
    let Some(schema) = listed_schema(client, tool).await else {
        return;
    };
    let structured = result
        .structured_content
        .as_ref()
        .unwrap_or_else(|| panic!("{tool}: an output schema is listed but the result has none"));
    let faults = mismatches(&schema, structured);
    assert!(
        faults.is_empty(),
        "{tool}: result does not match its outputSchema: {faults:?}\n{structured}"
    );
}

pub fn text_of(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn assert_ok(tool: &str, result: &CallToolResult) -> serde_json::Value {
    assert_ne!(
        result.is_error,
        Some(true),
        "{tool} failed: {}",
        text_of(result)
    );
    let structured = result
        .structured_content
        .clone()
        .unwrap_or_else(|| panic!("{tool}: no structured content"));
    assert!(
        structured.is_object(),
        "{tool}: structured content must be an object"
    );
    assert!(!text_of(result).is_empty(), "{tool}: no text rendering");
    structured
}

pub fn assert_tool_error(tool: &str, result: &CallToolResult, needle: &str) {
    assert_eq!(
        result.is_error,
        Some(true),
        "{tool} should fail, got {}",
        text_of(result)
    );
    let text = text_of(result);
    assert!(
        text.contains(needle),
        "{tool}: error '{text}' should mention '{needle}'"
    );
}

/// Serves a capture's response for any request with this method and a path
/// matching `path_pattern` (a regex), as often as asked.
pub async fn serve_capture(
    server: &MockServer,
    http_method: &str,
    path_pattern: &str,
    folder: &str,
    name: &str,
) {
    serve_capture_with_priority(server, http_method, path_pattern, folder, name, 5).await;
}

pub async fn serve_capture_with_priority(
    server: &MockServer,
    http_method: &str,
    path_pattern: &str,
    folder: &str,
    name: &str,
    priority: u8,
) {
    let exchange = load(folder, name);
    Mock::given(method(http_method))
        .and(path_regex(path_pattern))
        .respond_with(exchange.response.template())
        .with_priority(priority)
        .mount(server)
        .await;
}

/// Answers anything not mocked otherwise with a 404, as wiremock does, but
/// without wiremock writing the unexpected request (headers included) to the
/// log: the log-capture test reads every line.
pub async fn catch_all(server: &MockServer) {
    Mock::given(wiremock::matchers::any())
        .respond_with(wiremock::ResponseTemplate::new(404))
        .with_priority(u8::MAX)
        .mount(server)
        .await;
}

// ----- App tools (Deck, sharing, search, Tables, Cookbook) -----

/// The server in basic mode against `nc`, and a connected client.
pub async fn start_app_server(nc: &MockServer) -> (RunningServer, Client) {
    let server = start_server(basic_config(&nc.uri(), Duration::from_secs(5))).await;
    let client = connect(&server).await;
    (server, client)
}

/// Answers any `verb` request whose path matches `pattern` with JSON.
pub async fn mount_json_reply(
    nc: &MockServer,
    verb: &str,
    pattern: &str,
    status: u16,
    body: serde_json::Value,
) {
    Mock::given(method(verb))
        .and(path_regex(pattern))
        .respond_with(wiremock::ResponseTemplate::new(status).set_body_json(body))
        .mount(nc)
        .await;
}

/// Unified search offers `count` providers, `p0` to `p{count-1}`, in that
/// order.
pub async fn mount_search_providers(nc: &MockServer, count: usize) {
    let providers: Vec<serde_json::Value> = (0..count)
        .map(|i| {
            serde_json::json!({"id": format!("p{i}"), "appId": "x", "name": format!("P{i}"), "order": i})
        })
        .collect();
    mount_json_reply(
        nc,
        "GET",
        "^/ocs/v2.php/search/providers$",
        200,
        ocs_envelope(serde_json::json!(providers)),
    )
    .await;
}

/// A successful OCS v2 reply around `data`.
pub fn ocs_envelope(data: serde_json::Value) -> serde_json::Value {
    serde_json::json!({
        "ocs": { "meta": { "status": "ok", "statuscode": 200, "message": "OK" }, "data": data }
    })
}

/// Calls a tool that must succeed and whose text must mention `needle`;
/// answers its structured content.
pub async fn expect_tool_ok(
    client: &Client,
    tool: &str,
    args: serde_json::Value,
    needle: &str,
) -> serde_json::Value {
    let result = call(client, tool, args).await;
    let structured = assert_ok(tool, &result);
    let text = text_of(&result);
    assert!(
        text.contains(needle),
        "{tool}: '{text}' should mention '{needle}'"
    );
    structured
}

/// Calls a tool that must fail with an error mentioning `needle`.
pub async fn expect_tool_error(client: &Client, tool: &str, args: serde_json::Value, needle: &str) {
    assert_tool_error(tool, &call(client, tool, args).await, needle);
}

/// How many requests `server` has received whose path satisfies `wanted`.
pub async fn requests_to(server: &MockServer, wanted: impl Fn(&str) -> bool) -> usize {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| wanted(r.url.path()))
        .count()
}

/// `base` (a JSON object of tool arguments) with the fields of `extra`
/// added, replacing any of the same name.
pub fn merged(base: &serde_json::Value, extra: serde_json::Value) -> serde_json::Value {
    let mut args = base.clone();
    args.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    args
}
