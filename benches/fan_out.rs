//! Unified search across providers at the speed of the slowest request.
//!
//! A stand-in Nextcloud answers every request after a fixed delay
//! (`FAN_OUT_DELAY_MS`, default 80 ms) and offers `FAN_OUT_PROVIDERS` search
//! providers. In one run it measures (a) one provider request on its own,
//! the slowest single request; (b) the sequential baseline: the provider list
//! and then every provider one after another, as the tool used to search; and
//! (c) `tools/call nc_search_query` over every provider through the server in
//! process over Streamable HTTP; and (d) the same tool for one provider,
//! which is one request plus what the server adds to any call; and (e) how
//! long the stand-in was busy during (c), from the first request in to the
//! last answer out: the time the tool spends waiting on Nextcloud, which
//! fan-out is about (the per-call cost of HTTP and JSON-RPC is d - a and is
//! measured by the `overhead` bench). It prints each, e / a, c / a and
//! b / c, and the most requests the stand-in saw at once, and exits with
//! status 1 when e is more than twice a (the target) or a call failed.
//!
//! Run with `cargo bench --bench fan_out`; `FAN_OUT_ROUNDS` sets how many
//! times each is measured (default 5; the median is reported).

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::Path;
use axum::routing::get;
use axum::serve::ListenerExt;
use nextcloud_mcp::app::config::{Config, HttpSettings, StoreConfig};
use nextcloud_mcp::app::startup::Application;
use nextcloud_mcp::domain::credential::AuthMode;
use rmcp::ServiceExt;
use rmcp::model::{CallToolRequestParams, ClientConfig};
use rmcp::transport::StreamableHttpClientTransport;
use secrecy::SecretString;
use serde_json::{Value, json};

/// Providers the stand-in offers (`FAN_OUT_PROVIDERS`, default 12, about
/// what a Nextcloud with the usual apps has).
static PROVIDERS: AtomicUsize = AtomicUsize::new(12);
const TARGET_RATIO: f64 = 2.0;

fn envelope(data: Value) -> axum::Json<Value> {
    axum::Json(json!({
        "ocs": { "meta": { "status": "ok", "statuscode": 200, "message": "OK" }, "data": data }
    }))
}

/// Requests the stand-in is answering now, and the most at once.
static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
/// When the first request of a measured call arrived and the last finished.
static SPAN: Mutex<(Option<Instant>, Option<Instant>)> = Mutex::new((None, None));

async fn busy(delay: Duration) {
    let now = IN_FLIGHT.fetch_add(1, Ordering::SeqCst) + 1;
    PEAK.fetch_max(now, Ordering::SeqCst);
    SPAN.lock().unwrap().0.get_or_insert_with(Instant::now);
    tokio::time::sleep(delay).await;
    SPAN.lock().unwrap().1 = Some(Instant::now());
    IN_FLIGHT.fetch_sub(1, Ordering::SeqCst);
}

/// When the stand-in first got a request of one call and last answered
/// one, and forgets both for the next call.
fn span_since_reset() -> Option<(Instant, Instant)> {
    let mut span = SPAN.lock().unwrap();
    let took = match *span {
        (Some(first), Some(last)) => Some((first, last)),
        _ => None,
    };
    *span = (None, None);
    took
}

/// Every route sleeps `delay` first, as a busy Nextcloud would.
fn stand_in(delay: Duration) -> Router {
    let list = move || async move {
        busy(delay).await;
        let providers: Vec<Value> = (0..PROVIDERS.load(Ordering::SeqCst))
            .map(|i| json!({ "id": format!("p{i}"), "appId": "bench", "name": format!("Provider {i}"), "order": i }))
            .collect();
        envelope(json!(providers))
    };
    let search = move |Path(id): Path<String>| async move {
        busy(delay).await;
        envelope(json!({
            "name": id,
            "isPaginated": false,
            "entries": [{ "title": format!("hit from {id}"), "subline": "", "resourceUrl": "" }],
            "cursor": null
        }))
    };
    Router::new()
        .route("/ocs/v2.php/search/providers", get(list))
        .route("/ocs/v2.php/search/providers/{id}/search", get(search))
}

fn config(nextcloud: &str) -> Config {
    let dir = std::env::temp_dir().join(format!("fan-out-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("store dir");
    Config {
        nextcloud_url: url::Url::parse(nextcloud).expect("url"),
        mode: AuthMode::Basic {
            username: "admin".into(),
            app_password: SecretString::from("bench-app-password"),
        },
        log_level: "warn".into(),
        request_timeout: Duration::from_secs(10),
        oauth: None,
        store: StoreConfig {
            location: SecretString::from(dir.join("store.db").to_string_lossy().into_owned()),
            location_set: true,
            keyring: None,
            progressive_consent: false,
            allowed_clients: Vec::new(),
            grant_refresh_interval: Duration::from_secs(3600),
        },
        webhooks: Default::default(),
        sync: Default::default(),
    }
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

async fn timed<F: std::future::Future<Output = bool>>(f: F) -> (Duration, bool) {
    let started = Instant::now();
    let ok = f.await;
    (started.elapsed(), ok)
}

#[tokio::main]
async fn main() {
    let env = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let delay = Duration::from_millis(env("FAN_OUT_DELAY_MS", 80));
    let rounds = env("FAN_OUT_ROUNDS", 5).max(1) as usize;
    PROVIDERS.store(
        env("FAN_OUT_PROVIDERS", 12).max(1) as usize,
        Ordering::SeqCst,
    );
    let providers = PROVIDERS.load(Ordering::SeqCst);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let nextcloud = format!("http://{}", listener.local_addr().expect("address"));
    // No Nagle delay on the stand-in's small answers, as on a real server.
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    tokio::spawn(async move { axum::serve(listener, stand_in(delay)).await });

    let app = Application::build(config(&nextcloud), HttpSettings::loopback_any_port())
        .await
        .expect("start-up");
    let mcp_url = format!("http://{}/mcp", app.address());
    tokio::spawn(app.run_until_stopped(std::future::pending()));
    let client = ClientConfig::default()
        .serve(StreamableHttpClientTransport::from_uri(mcp_url))
        .await
        .expect("MCP initialize");

    let http = reqwest::Client::new();
    let get = |path: String| {
        let request = http
            .get(format!("{nextcloud}{path}"))
            .basic_auth("admin", Some("bench-app-password"))
            .header("OCS-APIRequest", "true");
        async move { request.send().await.is_ok_and(|r| r.status().is_success()) }
    };
    let provider = |i: usize| format!("/ocs/v2.php/search/providers/p{i}/search?term=x");
    let search_in = |provider: Option<&str>| {
        let mut args = serde_json::Map::new();
        args.insert("term".into(), json!("report"));
        if let Some(p) = provider {
            args.insert("provider".into(), json!(p));
        }
        client.call_tool(CallToolRequestParams::new("nc_search_query").with_arguments(args))
    };
    let search = || search_in(None);

    let (mut single, mut sequential, mut concurrent) = (Vec::new(), Vec::new(), Vec::new());
    let mut one_provider = Vec::new();
    let mut waited = Vec::new();
    let (mut lead_in, mut tail) = (Vec::new(), Vec::new());
    let mut valid = true;
    // Warm-up: connections, the installed-app probe, the server's first call.
    valid &= search().await.is_ok_and(|r| r.is_error != Some(true));
    for _ in 0..rounds {
        let (took, ok) = timed(get(provider(0))).await;
        single.push(took);
        valid &= ok;
        let (took, ok) = timed(async {
            let mut ok = get("/ocs/v2.php/search/providers".into()).await;
            for i in 0..providers {
                ok &= get(provider(i)).await;
            }
            ok
        })
        .await;
        sequential.push(took);
        valid &= ok;
        span_since_reset();
        let started = Instant::now();
        let (took, ok) = timed(async {
            search().await.is_ok_and(|r| {
                r.is_error != Some(true)
                    && r.structured_content.as_ref().is_some_and(|s| {
                        s["results"]
                            .as_array()
                            .is_some_and(|a| a.len() == providers)
                    })
            })
        })
        .await;
        concurrent.push(took);
        let (first, last) = span_since_reset().unwrap_or((started, started));
        waited.push(last - first);
        lead_in.push(first - started);
        tail.push((started + took).saturating_duration_since(last));
        valid &= ok;
        let (took, ok) = timed(async {
            search_in(Some("p0"))
                .await
                .is_ok_and(|r| r.is_error != Some(true))
        })
        .await;
        one_provider.push(took);
        valid &= ok;
    }
    let (a, b, c) = (median(single), median(sequential), median(concurrent));
    let d = median(one_provider);
    let e = median(waited);
    let (lead_in, tail) = (median(lead_in), median(tail));
    let ratio = e.as_secs_f64() / a.as_secs_f64();
    println!("fan-out: {providers} providers, {delay:?} per request, median of {rounds} rounds");
    println!("  (a) slowest single request     {a:>10.1?}");
    println!("  (b) sequential baseline        {b:>10.1?}");
    println!("  (c) nc_search_query (server)   {c:>10.1?}");
    println!("  (d) one provider (server)      {d:>10.1?}  (one request through the server)");
    println!("  (e) stand-in busy during (c)   {e:>10.1?}  (first request in to last answer out)");
    println!(
        "  of (c), before the first request {lead_in:>10.1?}, after the last answer {tail:>10.1?}"
    );
    println!(
        "  most requests at once at the stand-in: {}",
        PEAK.load(Ordering::SeqCst)
    );
    println!(
        "  e / a = {ratio:.2} (target <= {TARGET_RATIO}), c / a = {:.2}, b / c = {:.2}",
        c.as_secs_f64() / a.as_secs_f64(),
        b.as_secs_f64() / c.as_secs_f64()
    );
    let _ = client.cancel().await;
    if !valid {
        println!("INVALID: a request or call failed");
        std::process::exit(1);
    }
    if ratio > TARGET_RATIO {
        println!("MISSED: the search took more than {TARGET_RATIO}x the slowest request");
        std::process::exit(1);
    }
}
