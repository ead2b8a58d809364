//! The per-call cost of what operators watch: the Prometheus recorder and
//! the per-call INFO line, on against off, in one run, on real tool calls.
//!
//! The server runs in this process against a stand-in Nextcloud that
//! answers with the captured note (`tests/fixtures/nextcloud-34/notes/
//! 07-get.response.http`). A client sends `tools/call nc_notes_get_note`
//! over Streamable HTTP, as the `overhead` bench does, and checks each
//! answer. Client, server and stand-in share one single-threaded runtime,
//! so everything a call costs is spent on this thread and the recorder and
//! log subscriber can be switched per block (both are thread-local here; in
//! the server they are process-wide, which costs the same per call):
//!
//! - off: no recorder (every `metrics` call is a no-op) and no subscriber,
//!   as a server without NEXTCLOUD_MCP_METRICS_LISTEN at log level warn;
//! - json: the Prometheus recorder and the server's JSON log format at info;
//! - plain: the recorder and the plain format at info.
//!
//! Log lines go to /dev/null through a real `write`, as they would go to
//! stderr. Blocks of the three take turns so a change in the machine's state
//! affects each alike. CPU is this process's (all threads) from
//! `/proc/self/task/*/schedstat`, so it holds client and stand-in too: the
//! ratio is of the whole loop, and the added microseconds are what to set
//! against the server's own CPU per call (`overhead` bench).
//!
//! Run with `cargo bench --bench telemetry` (release profile: the bench
//! profile inherits it). `TELEMETRY_CALLS` sets calls per block (default
//! 2000), `TELEMETRY_BLOCKS` the blocks per path (default 10). Linux only.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use axum::serve::ListenerExt;
use nextcloud_mcp::app::config::{Config, HttpSettings, StoreConfig};
use nextcloud_mcp::app::logging;
use nextcloud_mcp::app::startup::Application;
use nextcloud_mcp::domain::credential::AuthMode;
use nextcloud_mcp::telemetry::exporter;
use secrecy::SecretString;
use serde_json::{Value, json};

const NOTE_PATH: &str = "/index.php/apps/notes/api/v1/notes/213";
const TITLE: &str = "Groceries";

static NOTE_HITS: AtomicU64 = AtomicU64::new(0);

/// The body of a capture: everything after the first blank line.
fn capture_body(relative: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/nextcloud-34")
        .join(relative);
    let raw = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let (_, body) = raw.split_once("\n\n").expect("capture has a blank line");
    body.to_string()
}

fn stand_in() -> Router {
    let json_reply = |body: String| {
        (
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            body,
        )
    };
    let note = capture_body("notes/07-get.response.http");
    let capabilities = capture_body("ocs-capabilities/02-capabilities-v2-json.response.http");
    Router::new()
        .route(
            NOTE_PATH,
            get(move || {
                NOTE_HITS.fetch_add(1, Ordering::Relaxed);
                let reply = json_reply(note.clone());
                async move { reply }
            }),
        )
        .route(
            "/ocs/v2.php/cloud/capabilities",
            get(move || {
                let reply = json_reply(capabilities.clone());
                async move { reply }
            }),
        )
}

fn config(nextcloud: &str) -> Config {
    Config {
        nextcloud_url: url::Url::parse(nextcloud).expect("url"),
        mode: AuthMode::Basic {
            username: "admin".into(),
            app_password: SecretString::from("bench-app-password"),
        },
        log_level: "warn".into(),
        request_timeout: Duration::from_secs(10),
        oauth: None,
        // No feature that keeps state is on, so no store is opened.
        store: StoreConfig {
            location: SecretString::from(String::new()),
            location_set: false,
            keyring: None,
            progressive_consent: false,
            allowed_clients: Vec::new(),
            grant_refresh_interval: Duration::from_secs(3600),
        },
        webhooks: Default::default(),
        sync: Default::default(),
    }
}

fn process_cpu() -> Duration {
    let nanos: u64 = std::fs::read_dir("/proc/self/task")
        .expect("/proc/self/task")
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("schedstat")).ok())
        .filter_map(|line| line.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    Duration::from_nanos(nanos)
}

struct Client {
    http: reqwest::Client,
    url: String,
    next_id: u64,
}

impl Client {
    /// One tool call; an error names what was wrong with the answer.
    async fn call(&mut self) -> Result<(), String> {
        self.next_id += 1;
        let id = self.next_id;
        let body = json!({
            "jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": { "name": "nc_notes_get_note", "arguments": { "note_id": 213 } }
        });
        let reply = self
            .http
            .post(&self.url)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
            .header("MCP-Protocol-Version", "2025-06-18")
            .body(serde_json::to_vec(&body).expect("body"))
            .send()
            .await
            .map_err(|e| format!("transport: {e}"))?;
        let text = reply.text().await.map_err(|e| format!("body: {e}"))?;
        let value: Value = serde_json::from_str(&text).map_err(|e| format!("{e}: {text}"))?;
        let result = &value["result"];
        if value["id"] != id || result["isError"] != false || !text.contains(TITLE) {
            return Err(format!("unexpected answer: {text}"));
        }
        Ok(())
    }

    /// `calls` sequential calls; the CPU and wall time they took.
    fn block(
        &mut self,
        runtime: &tokio::runtime::Runtime,
        calls: u64,
    ) -> Result<(Duration, Duration), String> {
        let hits = NOTE_HITS.load(Ordering::Relaxed);
        let (cpu, wall) = (process_cpu(), Instant::now());
        runtime.block_on(async {
            for _ in 0..calls {
                self.call().await?;
            }
            Ok::<_, String>(())
        })?;
        let took = (process_cpu() - cpu, wall.elapsed());
        let reached = NOTE_HITS.load(Ordering::Relaxed) - hits;
        if reached != calls {
            return Err(format!(
                "{calls} calls reached the stand-in {reached} times"
            ));
        }
        Ok(took)
    }
}

#[derive(Default)]
struct Total {
    cpu: Duration,
    wall: Duration,
    calls: u64,
}

impl Total {
    fn add(&mut self, (cpu, wall): (Duration, Duration), calls: u64) {
        self.cpu += cpu;
        self.wall += wall;
        self.calls += calls;
    }

    fn cpu_us(&self) -> f64 {
        self.cpu.as_secs_f64() * 1e6 / self.calls as f64
    }

    fn wall_us(&self) -> f64 {
        self.wall.as_secs_f64() * 1e6 / self.calls as f64
    }
}

fn dev_null() -> Mutex<std::fs::File> {
    Mutex::new(
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/null")
            .expect("/dev/null"),
    )
}

fn main() {
    let env = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let calls = env("TELEMETRY_CALLS", 2000).max(1);
    let blocks = env("TELEMETRY_BLOCKS", 10).max(1);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut client = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let nextcloud = format!("http://{}", listener.local_addr().expect("address"));
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        tokio::spawn(async move { axum::serve(listener, stand_in()).await });
        let app = Application::build(config(&nextcloud), HttpSettings::loopback_any_port())
            .await
            .expect("start-up");
        let url = format!("http://{}/mcp", app.address());
        tokio::spawn(app.run_until_stopped(std::future::pending()));
        Client {
            http: reqwest::Client::new(),
            url,
            next_id: 0,
        }
    });

    let recorder = exporter::recorder();
    let handle = recorder.handle();
    let json = tracing::Dispatch::new(
        tracing_subscriber::fmt()
            .with_env_filter(logging::filter("info"))
            .with_writer(dev_null())
            .json()
            .flatten_event(true)
            .finish(),
    );
    let plain = tracing::Dispatch::new(
        tracing_subscriber::fmt()
            .with_env_filter(logging::filter("info"))
            .with_writer(dev_null())
            .with_ansi(false)
            .finish(),
    );
    let on = |dispatch: &tracing::Dispatch, client: &mut Client, calls: u64| {
        tracing::dispatcher::with_default(dispatch, || {
            metrics::with_local_recorder(&recorder, || client.block(&runtime, calls))
        })
    };

    let (mut off, mut with_json, mut with_plain) =
        (Total::default(), Total::default(), Total::default());
    let run = (|| {
        // Warm-up: connections, the start-up probe, first-call allocations.
        client.block(&runtime, calls / 5 + 1)?;
        on(&json, &mut client, calls / 5 + 1)?;
        on(&plain, &mut client, calls / 5 + 1)?;
        for _ in 0..blocks {
            off.add(client.block(&runtime, calls)?, calls);
            with_json.add(on(&json, &mut client, calls)?, calls);
            with_plain.add(on(&plain, &mut client, calls)?, calls);
        }
        Ok::<_, String>(())
    })();
    if let Err(problem) = run {
        println!("INVALID RUN: {problem}");
        std::process::exit(1);
    }

    println!(
        "tool calls per path: {} ({blocks} blocks of {calls})",
        off.calls
    );
    println!("path               CPU us/call  wall us/call  CPU vs off");
    for (name, total) in [
        ("off", &off),
        ("metrics + json log", &with_json),
        ("metrics + plain log", &with_plain),
    ] {
        println!(
            "{name:<19} {:>11.1}  {:>12.1}  {:>+9.1}%",
            total.cpu_us(),
            total.wall_us(),
            (total.cpu_us() / off.cpu_us() - 1.0) * 100.0
        );
    }
    println!(
        "added CPU per call: json {:+.1} us, plain {:+.1} us (client, server and stand-in share this process)",
        with_json.cpu_us() - off.cpu_us(),
        with_plain.cpu_us() - off.cpu_us()
    );
    // The exposition must hold exactly the calls made with the recorder on,
    // or the "on" paths measured nothing.
    let rendered = handle.render();
    let counted: f64 = rendered
        .lines()
        .filter(|l| l.starts_with("nextcloud_mcp_tool_calls_total{"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum();
    let expected = (with_json.calls + with_plain.calls + 2 * (calls / 5 + 1)) as f64;
    if counted != expected {
        println!("INVALID RUN: the recorder counted {counted} tool calls, not {expected}");
        std::process::exit(1);
    }
    println!("run valid: every answer checked, the recorder counted {counted} calls");
}
