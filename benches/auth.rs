//! Identity costs, measured in one run against local stubs on 127.0.0.1:
//! (1) verifying a JWT with the JWKS already cached, per verification;
//! (2) a tool call in token-exchange mode, with and without the exchange cache,
//!     against basic mode as the baseline (same Nextcloud stub, same note).
//!
//! Run: `cargo bench --bench auth` (AUTH_BENCH_CALLS sets the call count).

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Json;
use axum::Router;
use axum::routing::{get, post};
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use nextcloud_mcp::adapters::idp::{self, IdpConfig};
use nextcloud_mcp::app::config::{
    Config, HttpSettings, OAuthConfig, StoreConfig, WebhookConfig, default_callback_url,
};
use nextcloud_mcp::app::startup::Application;
use nextcloud_mcp::domain::credential::AuthMode;
use secrecy::SecretString;
use serde_json::{Value, json};
use url::Url;

const CLIENT_ID: &str = "nextcloud-mcp-server";
const RESOURCE: &str = "https://mcp.bench.test/mcp";

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// The JSON body of a captured response (after the blank line).
fn captured_body(path: &str) -> Value {
    let raw = String::from_utf8(fixture(path)).unwrap();
    let body = raw.split_once("\n\n").unwrap().1;
    serde_json::from_str(body).unwrap()
}

async fn listen(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}")
}

struct Idp {
    issuer: String,
    key: EncodingKey,
}

impl Idp {
    async fn start() -> Self {
        // The server's own ring provider signs the bench tokens and derives
        // the JWK; it must be in place before the first key operation.
        nextcloud_mcp::adapters::idp::signatures::install().unwrap();
        let key = EncodingKey::from_rsa_pem(&fixture("idp/rsa-a.pem")).unwrap();
        let mut jwk = Jwk::from_encoding_key(&key, Algorithm::RS256).unwrap();
        jwk.common.key_id = Some("bench".into());
        let jwks = json!({ "keys": [jwk] });
        let slot: Arc<std::sync::OnceLock<String>> = Arc::default();
        let doc_slot = slot.clone();
        let app = Router::new()
            .route(
                "/realms/bench/.well-known/openid-configuration",
                get(move || {
                    let issuer = doc_slot.get().unwrap().clone();
                    async move {
                        Json(json!({
                            "issuer": issuer,
                            "authorization_endpoint": format!("{issuer}/auth"),
                            "token_endpoint": format!("{issuer}/token"),
                            "jwks_uri": format!("{issuer}/certs"),
                        }))
                    }
                }),
            )
            .route(
                "/realms/bench/certs",
                get(move || async move { Json(jwks.clone()) }),
            )
            .route(
                "/realms/bench/token",
                post(|| async {
                    Json(json!({
                        "access_token": "exchanged-bench-token",
                        "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
                        "token_type": "Bearer",
                        "expires_in": 300
                    }))
                }),
            );
        let base = listen(app).await;
        let issuer = format!("{base}/realms/bench");
        slot.set(issuer.clone()).unwrap();
        Self { issuer, key }
    }

    fn token(&self) -> String {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let claims = json!({
            "iss": self.issuer, "sub": "bench-user", "aud": [CLIENT_ID], "exp": now + 3600, "iat": now,
            "typ": "Bearer", "azp": "bench-client", "scope": "openid notes:read"
        });
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some("bench".into());
        jsonwebtoken::encode(&header, &claims, &self.key).unwrap()
    }

    fn config(&self, exchange_cache: Duration) -> IdpConfig {
        let mut config = IdpConfig::new(Url::parse(&self.issuer).unwrap(), CLIENT_ID);
        config.client_secret = Some(SecretString::from("bench-secret"));
        config.resource = Some(RESOURCE.into());
        config.exchange_cache_ttl = exchange_cache;
        config
    }
}

async fn nextcloud_stub() -> String {
    let note = captured_body("nextcloud-34/notes/07-get.response.http");
    let user = captured_body("nextcloud-34/ocs-capabilities/06-current-user-v2.response.http");
    let app = Router::new()
        .route(
            "/index.php/apps/notes/api/v1/notes/213",
            get(move || async move { Json(note.clone()) }),
        )
        .route(
            "/ocs/v2.php/cloud/user",
            get(move || async move { Json(user.clone()) }),
        );
    listen(app).await
}

async fn mcp_server(nextcloud: &str, mode: AuthMode, oauth: Option<OAuthConfig>) -> String {
    let store = tempfile::tempdir().unwrap().keep().join("store.db");
    let config = Config {
        nextcloud_url: Url::parse(nextcloud).unwrap(),
        mode,
        log_level: "error".into(),
        request_timeout: Duration::from_secs(10),
        oauth,
        store: StoreConfig {
            location: SecretString::from(store.to_string_lossy().into_owned()),
            location_set: true,
            keyring: None,
            progressive_consent: false,
            allowed_clients: vec![],
            grant_refresh_interval: Duration::from_secs(3600),
        },
        webhooks: WebhookConfig::default(),
        sync: Default::default(),
    };
    let app = Application::build(config, HttpSettings::loopback_any_port())
        .await
        .unwrap();
    let address = app.address();
    tokio::spawn(app.run_until_stopped(std::future::pending()));
    format!("http://{address}/mcp")
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn report(name: &str, mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    let p50 = percentile(&samples, 0.5);
    println!(
        "{name:<34} n={:<6} p50={:>9.1}µs p99={:>9.1}µs",
        samples.len(),
        p50.as_secs_f64() * 1e6,
        percentile(&samples, 0.99).as_secs_f64() * 1e6
    );
    p50
}

async fn tool_calls(url: &str, bearer: Option<&str>, calls: usize) -> Vec<Duration> {
    let http = reqwest::Client::new();
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "nc_notes_get_note", "arguments": {"note_id": 213}}});
    let mut samples = Vec::with_capacity(calls);
    for i in 0..calls + calls / 10 {
        let mut request = http
            .post(url)
            .header("Accept", "application/json, text/event-stream")
            .header("MCP-Protocol-Version", "2025-06-18")
            .json(&body);
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        let started = Instant::now();
        let reply: Value = request.send().await.unwrap().json().await.unwrap();
        let elapsed = started.elapsed();
        assert_eq!(
            reply["result"]["isError"], false,
            "tool call failed: {reply}"
        );
        if i >= calls / 10 {
            samples.push(elapsed);
        }
    }
    samples
}

#[tokio::main]
async fn main() {
    nextcloud_mcp::adapters::nextcloud::http::install_crypto_provider();
    let calls: usize = std::env::var("AUTH_BENCH_CALLS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(1000);
    let idp = Idp::start().await;

    // (1) JWT verification with the JWKS cached (the first call fetches it).
    let provider = idp::connect(idp.config(Duration::ZERO)).await.unwrap();
    let token = SecretString::from(idp.token());
    provider.verify_access_token(&token).await.unwrap();
    let mut samples = Vec::with_capacity(calls);
    for _ in 0..calls {
        let started = Instant::now();
        provider.verify_access_token(&token).await.unwrap();
        samples.push(started.elapsed());
    }
    println!("== JWT verification (RS256, JWKS cached)");
    report("verify_access_token", samples);

    // (2) Tool calls: basic mode baseline, exchange without and with the cache.
    let nextcloud = nextcloud_stub().await;
    let basic = mcp_server(
        &nextcloud,
        AuthMode::Basic {
            username: "admin".into(),
            app_password: SecretString::from("app-pass"),
        },
        None,
    )
    .await;
    let exchange = |cache: Duration| OAuthConfig {
        idp: idp.config(cache),
        server_url: Url::parse(RESOURCE).unwrap(),
        callback_url: default_callback_url(&Url::parse(RESOURCE).unwrap()),
    };
    let mode = || AuthMode::Exchange {
        nextcloud_audience: "nextcloud".into(),
    };
    let uncached = mcp_server(&nextcloud, mode(), Some(exchange(Duration::ZERO))).await;
    let cached = mcp_server(&nextcloud, mode(), Some(exchange(Duration::from_secs(60)))).await;
    let bearer = idp.token();

    println!("== nc_notes_get_note over Streamable HTTP, sequential");
    let base = report(
        "basic mode (baseline)",
        tool_calls(&basic, None, calls).await,
    );
    let plain = report(
        "exchange, cache off",
        tool_calls(&uncached, Some(&bearer), calls).await,
    );
    let quick = report(
        "exchange, cache on (60 s)",
        tool_calls(&cached, Some(&bearer), calls).await,
    );
    let ratio = |d: Duration| d.as_secs_f64() / base.as_secs_f64();
    println!(
        "p50 ratio vs basic: exchange cache off {:.2}x, cache on {:.2}x; cache on vs off {:.2}x",
        ratio(plain),
        ratio(quick),
        quick.as_secs_f64() / plain.as_secs_f64()
    );
}
