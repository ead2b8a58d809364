//! The per-call cost of what operators watch: the Prometheus recorder and
//! the per-call INFO line, on against off, in one run, on real tool calls,
//! as a share of the server's own CPU per call.
//!
//! The server runs in this process against a stand-in Nextcloud that
//! answers with the captured note (`tests/fixtures/nextcloud-34/notes/
//! 07-get.response.http`). A client sends `tools/call nc_notes_get_note`
//! over Streamable HTTP, as the `overhead` bench does, and checks each
//! answer. The server has a thread of its own with its own single-threaded
//! runtime (every task it spawns, its connection to the stand-in included,
//! runs there); client and stand-in share the main thread and another
//! single-threaded runtime. So the server thread's CPU is what the server
//! spends per call, and that is the headline ratio; the whole process's CPU
//! (client and stand-in too) gives the whole-loop ratio beside it.
//!
//! Telemetry is switched per block on the server thread alone: the server
//! thread enters its runtime for a block inside
//! `tracing::dispatcher::with_default` and `metrics::with_local_recorder`,
//! both thread-local, so every task it polls during the block logs and
//! records through them. In the server both are process-wide, which costs
//! the same per call. The paths:
//!
//! - off: no recorder (every `metrics` call is a no-op) and no subscriber,
//!   as a server without NEXTCLOUD_MCP_METRICS_LISTEN at log level warn;
//! - json: the Prometheus recorder and the server's JSON log format at info;
//! - plain: the recorder and the plain format at info.
//!
//! Both formats are the server's own subscriber (`app::logging::subscriber`)
//! with a different writer.
//!
//! Log lines go to /dev/null through a real `write`, as they would go to
//! stderr. Blocks of the three take turns so a change in the machine's state
//! affects each alike. CPU comes from `/proc/self/task/<tid>/schedstat`:
//! the server thread's for the server, every thread's for the whole loop;
//! CPU on threads that are neither the server's nor the main thread is
//! printed too, so work that escaped the server thread would show.
//! A run is invalid (exit status 1) when an answer is wrong, a call does not
//! reach the stand-in exactly once, or the exposition does not count exactly
//! the calls made with the recorder on.
//!
//! Run with `cargo bench --bench telemetry` (release profile: the bench
//! profile inherits it). `TELEMETRY_CALLS` sets calls per block (default
//! 2000), `TELEMETRY_BLOCKS` the blocks per path (default 10). Linux only.

use std::path::{Path as FsPath, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use axum::serve::ListenerExt;
use metrics_exporter_prometheus::PrometheusHandle;
use nextcloud_mcp::app::config::{Config, HttpSettings, LogFormat, StoreConfig};
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

/// The schedstat file of the calling thread, to be read from any thread.
fn this_thread() -> PathBuf {
    std::fs::read_link("/proc/thread-self")
        .map(|task| PathBuf::from("/proc").join(task).join("schedstat"))
        .expect("/proc/thread-self")
}

/// CPU time a thread has run, from its schedstat file.
fn thread_cpu(schedstat: &FsPath) -> Duration {
    let line = std::fs::read_to_string(schedstat).expect("schedstat");
    let nanos = line
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .expect("schedstat starts with the CPU time in ns");
    Duration::from_nanos(nanos)
}

/// CPU time every thread of this process has run.
fn process_cpu() -> Duration {
    let nanos: u64 = std::fs::read_dir("/proc/self/task")
        .expect("/proc/self/task")
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("schedstat")).ok())
        .filter_map(|line| line.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    Duration::from_nanos(nanos)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Telemetry {
    Off,
    Json,
    Plain,
}

/// What the server thread is told: run one block with this telemetry, until
/// the main thread says the block's calls are done.
struct Block {
    telemetry: Telemetry,
    done: tokio::sync::oneshot::Receiver<()>,
}

/// The server on its own thread; `blocks` drives it one block at a time.
struct ServerThread {
    blocks: mpsc::Sender<Block>,
    /// "Entered": the server's telemetry is set and its runtime is about to run.
    entered: mpsc::Receiver<()>,
    /// The server thread's CPU over each block.
    spent: mpsc::Receiver<Duration>,
    exposition: PrometheusHandle,
    url: String,
    thread: std::thread::JoinHandle<()>,
}

impl ServerThread {
    /// Starts the server against `nextcloud`; `runtime` keeps the stand-in
    /// answering while the server starts.
    fn start(nextcloud: String, runtime: &tokio::runtime::Runtime) -> Self {
        let (blocks, block_rx) = mpsc::channel::<Block>();
        let (entered_tx, entered) = mpsc::channel();
        let (spent_tx, spent) = mpsc::channel();
        let (ready_tx, ready) = tokio::sync::oneshot::channel();
        let thread = std::thread::Builder::new()
            .name("mcp-server".into())
            .spawn(move || {
                let server = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("server runtime");
                let url = server.block_on(async {
                    let app =
                        Application::build(config(&nextcloud), HttpSettings::loopback_any_port())
                            .await
                            .expect("start-up");
                    let url = format!("http://{}/mcp", app.address());
                    tokio::spawn(app.run_until_stopped(std::future::pending()));
                    url
                });
                let recorder = exporter::recorder();
                // The server's own subscriber, writing to /dev/null.
                let json = logging::subscriber("info", LogFormat::Json, false, dev_null());
                let plain = logging::subscriber("info", LogFormat::Plain, false, dev_null());
                let schedstat = this_thread();
                let _ = ready_tx.send((url, recorder.handle()));
                for Block { telemetry, done } in block_rx {
                    let before = thread_cpu(&schedstat);
                    let run = || {
                        let _ = entered_tx.send(());
                        server
                            .block_on(done)
                            .expect("the main thread ends every block");
                    };
                    match telemetry {
                        Telemetry::Off => run(),
                        Telemetry::Json => tracing::dispatcher::with_default(&json, || {
                            metrics::with_local_recorder(&recorder, run)
                        }),
                        Telemetry::Plain => tracing::dispatcher::with_default(&plain, || {
                            metrics::with_local_recorder(&recorder, run)
                        }),
                    }
                    let _ = spent_tx.send(thread_cpu(&schedstat) - before);
                }
            })
            .expect("server thread");
        let (url, exposition) = runtime.block_on(ready).expect("the server started");
        Self {
            blocks,
            entered,
            spent,
            exposition,
            url,
            thread,
        }
    }
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
}

/// What one block cost.
struct Spent {
    server: Duration,
    main: Duration,
    process: Duration,
    wall: Duration,
}

/// Runs `calls` sequential calls with the server's telemetry set to `telemetry`.
fn block(
    server: &ServerThread,
    client: &mut Client,
    runtime: &tokio::runtime::Runtime,
    main_thread: &FsPath,
    telemetry: Telemetry,
    calls: u64,
) -> Result<Spent, String> {
    let (done_tx, done) = tokio::sync::oneshot::channel();
    server
        .blocks
        .send(Block { telemetry, done })
        .map_err(|_| "the server thread ended".to_string())?;
    server
        .entered
        .recv()
        .map_err(|_| "the server thread ended".to_string())?;
    let hits = NOTE_HITS.load(Ordering::Relaxed);
    let (process, main, wall) = (process_cpu(), thread_cpu(main_thread), Instant::now());
    let calls_made = runtime.block_on(async {
        for _ in 0..calls {
            client.call().await?;
        }
        Ok::<_, String>(())
    });
    let (process, main, wall) = (
        process_cpu() - process,
        thread_cpu(main_thread) - main,
        wall.elapsed(),
    );
    let _ = done_tx.send(());
    let server_cpu = server
        .spent
        .recv()
        .map_err(|_| "the server thread ended".to_string())?;
    calls_made?;
    let reached = NOTE_HITS.load(Ordering::Relaxed) - hits;
    if reached != calls {
        return Err(format!(
            "{calls} calls reached the stand-in {reached} times"
        ));
    }
    Ok(Spent {
        server: server_cpu,
        main,
        process,
        wall,
    })
}

#[derive(Default)]
struct Total {
    server: Duration,
    main: Duration,
    process: Duration,
    wall: Duration,
    calls: u64,
}

impl Total {
    fn add(&mut self, spent: Spent, calls: u64) {
        self.server += spent.server;
        self.main += spent.main;
        self.process += spent.process;
        self.wall += spent.wall;
        self.calls += calls;
    }

    fn per_call(&self, total: Duration) -> f64 {
        total.as_secs_f64() * 1e6 / self.calls as f64
    }

    fn server_us(&self) -> f64 {
        self.per_call(self.server)
    }

    fn process_us(&self) -> f64 {
        self.per_call(self.process)
    }

    /// CPU on threads that are neither the server's nor the main thread.
    fn elsewhere_us(&self) -> f64 {
        self.per_call(self.process.saturating_sub(self.server + self.main))
    }

    fn wall_us(&self) -> f64 {
        self.per_call(self.wall)
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
    let nextcloud = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let nextcloud = format!("http://{}", listener.local_addr().expect("address"));
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        tokio::spawn(async move { axum::serve(listener, stand_in()).await });
        nextcloud
    });
    let server = ServerThread::start(nextcloud, &runtime);
    let main_thread = this_thread();
    let mut client = Client {
        http: reqwest::Client::new(),
        url: server.url.clone(),
        next_id: 0,
    };

    let (mut off, mut with_json, mut with_plain) =
        (Total::default(), Total::default(), Total::default());
    let warm_up = calls / 5 + 1;
    let run = (|| {
        let mut run_block = |telemetry, calls| {
            block(
                &server,
                &mut client,
                &runtime,
                &main_thread,
                telemetry,
                calls,
            )
        };
        // Warm-up: connections, the start-up probe, first-call allocations.
        for telemetry in [Telemetry::Off, Telemetry::Json, Telemetry::Plain] {
            run_block(telemetry, warm_up)?;
        }
        for _ in 0..blocks {
            off.add(run_block(Telemetry::Off, calls)?, calls);
            with_json.add(run_block(Telemetry::Json, calls)?, calls);
            with_plain.add(run_block(Telemetry::Plain, calls)?, calls);
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
    println!(
        "path                 server CPU us/call  vs off   whole-loop CPU us/call  vs off   elsewhere us/call  wall us/call"
    );
    for (name, total) in [
        ("off", &off),
        ("metrics + json log", &with_json),
        ("metrics + plain log", &with_plain),
    ] {
        println!(
            "{name:<20} {:>18.1}  {:>+6.1}%  {:>22.1}  {:>+6.1}%  {:>17.1}  {:>12.1}",
            total.server_us(),
            (total.server_us() / off.server_us() - 1.0) * 100.0,
            total.process_us(),
            (total.process_us() / off.process_us() - 1.0) * 100.0,
            total.elsewhere_us(),
            total.wall_us(),
        );
    }
    println!(
        "added server CPU per call: json {:+.1} us, plain {:+.1} us (whole loop: json {:+.1} us, plain {:+.1} us)",
        with_json.server_us() - off.server_us(),
        with_plain.server_us() - off.server_us(),
        with_json.process_us() - off.process_us(),
        with_plain.process_us() - off.process_us(),
    );
    // The exposition must hold exactly the calls made with the recorder on,
    // or the "on" paths measured nothing.
    let rendered = server.exposition.render();
    let counted: f64 = rendered
        .lines()
        .filter(|l| l.starts_with("nextcloud_mcp_tool_calls_total{"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum();
    let expected = (with_json.calls + with_plain.calls + 2 * warm_up) as f64;
    if counted != expected {
        println!("INVALID RUN: the recorder counted {counted} tool calls, not {expected}");
        std::process::exit(1);
    }
    println!("run valid: every answer checked, the recorder counted {counted} calls");
    // The server thread ends when no more blocks can come.
    drop(server.blocks);
    let _ = server.thread.join();
}
