//! The server's own overhead per tool call.
//!
//! One Notes `get` (note 213) answered by a local mock Nextcloud that replays
//! the real capture `tests/fixtures/nextcloud-34/notes/07-get.response.http`,
//! called (a) directly over HTTP with Basic auth, as the server itself does, and
//! (b) as `tools/call nc_notes_get_note` through the release `nextcloud-mcp`
//! binary over stateless Streamable HTTP. Both sequentially and with 16
//! concurrent callers; p50/p99/mean latency, throughput, b - a and b / a, and
//! the server's RSS idle and under load. Also (c), a JSON-RPC `ping` through
//! the server, which splits b - a into the fixed cost of HTTP + rmcp and the
//! cost of the tool with its own hop to Nextcloud; and the CPU time the server
//! and this process spent per call (from /proc/<pid>/task/*/schedstat).
//! Measured calls run in blocks with the paths alternating, so a change in
//! the machine's state during the run affects every path alike.
//!
//! Run with `cargo bench --bench overhead` (Linux: RSS comes from /proc).
//! Settings: `OVERHEAD_CALLS` (sequential calls per path, default 2000),
//! `OVERHEAD_CONCURRENT_CALLS` (calls per concurrent caller, default
//! OVERHEAD_CALLS / 4 = 500). Results are printed and written as JSON lines to
//! `target/overhead.json`; the server's log and its (empty) store go to
//! `target/overhead-server/`. `TOKIO_WORKER_THREADS`, if set, is passed on to
//! the server; nothing else from the environment is.
//!
//! Layout of the work: the mock has its own thread and single-threaded tokio
//! runtime; the load generator runs on the main thread on another
//! single-threaded runtime; the server is a separate process with its default
//! runtime. The same client and mock serve both paths, so b - a is what the
//! server adds: the second HTTP hop, JSON-RPC and the tool itself. Nothing here
//! asserts on timings; a run where any call failed is reported as invalid and
//! exits with status 1.

use std::fmt::Write as _;
use std::fs::File;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::{MethodRouter, get};
use axum::serve::ListenerExt;
use base64::Engine as _;
use serde_json::{Value, json};

const SERVER_BIN: &str = env!("CARGO_BIN_EXE_nextcloud-mcp");
const NOTE_PATH: &str = "/index.php/apps/notes/api/v1/notes/213";
const USER_PATH: &str = "/ocs/v2.php/cloud/user";
const CAPABILITIES_PATH: &str = "/ocs/v2.php/cloud/capabilities";
const USER: &str = "admin";
const PASSWORD: &str = "bench-app-password";
const PROTOCOL_VERSION: &str = "2025-06-18";
const TOOL: &str = "nc_notes_get_note";
const NOTE_ID: u64 = 213;
const TITLE: &str = "Groceries";
const WARMUP_SEQUENTIAL: usize = 200;
const WARMUP_PER_CALLER: usize = 10;
const CONCURRENCY: usize = 16;
/// Measured calls are split into this many blocks per path, paths alternating.
const ROUNDS: usize = 5;
/// "RSS under 30 MB", read as decimal megabytes (the stricter reading).
const RSS_TARGET_BYTES: u64 = 30_000_000;
const P50_OVERHEAD_TARGET: Duration = Duration::from_millis(1);

fn main() {
    let settings = Settings::from_env();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    let valid = runtime.block_on(run(settings));
    if !valid {
        std::process::exit(1);
    }
}

struct Settings {
    sequential_calls: usize,
    per_caller: usize,
}

impl Settings {
    fn from_env() -> Self {
        let number = |name: &str| -> Option<usize> {
            let raw = std::env::var(name).ok()?;
            match raw.trim().parse::<usize>() {
                Ok(n) if n > 0 => Some(n),
                _ => panic!("{name} must be a positive whole number, not '{raw}'"),
            }
        };
        let sequential_calls = number("OVERHEAD_CALLS").unwrap_or(2000);
        let per_caller =
            number("OVERHEAD_CONCURRENT_CALLS").unwrap_or((sequential_calls / 4).max(1));
        Self {
            sequential_calls,
            per_caller,
        }
    }
}

// ---------------------------------------------------------------------------
// The mock Nextcloud
// ---------------------------------------------------------------------------

/// One recorded response: status, headers and body exactly as captured.
struct Capture {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Capture {
    fn load(relative: &str) -> Self {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/nextcloud-34")
            .join(relative);
        let raw =
            std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let split = raw
            .windows(2)
            .position(|w| w == b"\n\n")
            .unwrap_or_else(|| panic!("{relative}: no blank line after the headers"));
        let head = std::str::from_utf8(&raw[..split]).expect("capture head is UTF-8");
        let mut lines = head.lines();
        let status: u16 = lines
            .next()
            .and_then(|line| line.split(' ').nth(1))
            .and_then(|code| code.parse().ok())
            .unwrap_or_else(|| panic!("{relative}: bad status line"));
        let mut headers = HeaderMap::new();
        for line in lines.filter(|l| !l.trim().is_empty()) {
            let (name, value) = line
                .split_once(':')
                .unwrap_or_else(|| panic!("{relative}: bad header '{line}'"));
            let name = HeaderName::from_bytes(name.trim().as_bytes()).expect("header name");
            // hyper frames the body itself.
            if name == header::CONTENT_LENGTH
                || name == header::TRANSFER_ENCODING
                || name == header::CONNECTION
            {
                continue;
            }
            headers.append(
                name,
                HeaderValue::from_str(value.trim()).expect("header value"),
            );
        }
        Self {
            status: StatusCode::from_u16(status).expect("status code"),
            headers,
            body: Bytes::copy_from_slice(&raw[split + 2..]),
        }
    }

    fn response(&self) -> Response {
        let mut response = Response::new(Body::from(self.body.clone()));
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers.clone();
        response
    }
}

fn basic_auth_value() -> String {
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"));
    format!("Basic {token}")
}

/// Requests for note 213 the mock answered, to check every MCP call reached it.
#[derive(Clone, Default)]
struct MockCounters {
    note_hits: Arc<AtomicU64>,
}

/// A GET route replaying `capture` to callers with the right Basic
/// credential, counting the requests in `hits` when given.
fn replay(capture: &str, expected_auth: Arc<String>, hits: Option<Arc<AtomicU64>>) -> MethodRouter {
    let capture = Arc::new(Capture::load(capture));
    get(move |headers: HeaderMap| {
        let capture = capture.clone();
        let ok = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            == Some(expected_auth.as_str());
        if let Some(hits) = &hits {
            hits.fetch_add(1, Ordering::Relaxed);
        }
        async move {
            if ok {
                capture.response()
            } else {
                unauthorized()
            }
        }
    })
}

/// Starts the mock on its own thread and runtime so that the load generator
/// and the mock do not take turns on one thread. Besides the note it answers
/// `/readyz`'s current-user request and the capabilities the server reads at
/// start (anything else is a 404, as for an app that is not installed).
fn start_mock() -> (SocketAddr, MockCounters) {
    let auth = Arc::new(basic_auth_value());
    let counters = MockCounters::default();
    let app = Router::new()
        .route(
            NOTE_PATH,
            replay(
                "notes/07-get.response.http",
                auth.clone(),
                Some(counters.note_hits.clone()),
            ),
        )
        .route(
            USER_PATH,
            replay(
                "ocs-capabilities/06-current-user-v2.response.http",
                auth.clone(),
                None,
            ),
        )
        .route(
            CAPABILITIES_PATH,
            replay(
                "ocs-capabilities/02-capabilities-v2-json.response.http",
                auth,
                None,
            ),
        );
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("mock-nextcloud".into())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("mock runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("mock bind");
                sender
                    .send(listener.local_addr().expect("mock address"))
                    .expect("report mock address");
                let listener = listener.tap_io(|tcp| {
                    let _ = tcp.set_nodelay(true);
                });
                axum::serve(listener, app).await.expect("mock server");
            });
        })
        .expect("mock thread");
    let address = receiver.recv().expect("mock started");
    (address, counters)
}

fn unauthorized() -> Response {
    let mut response = Response::new(Body::from("wrong credentials"));
    *response.status_mut() = StatusCode::UNAUTHORIZED;
    response
}

// ---------------------------------------------------------------------------
// The server process
// ---------------------------------------------------------------------------

struct ServerProcess {
    child: Option<Child>,
    pid: u32,
    base_url: String,
    log: PathBuf,
}

impl ServerProcess {
    /// Starts the server in basic mode with only the settings below: the
    /// environment is cleared so that OAuth, proxy or store settings of
    /// whoever runs the benchmark cannot change what is measured. Its state
    /// (the SQLite store, `$HOME`) lives under `work`, emptied first.
    fn spawn(nextcloud: SocketAddr, work: &Path) -> Self {
        // A free port: bind, read it, let go. The server binds it right after.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let listen = format!("127.0.0.1:{port}");
        let _ = std::fs::remove_dir_all(work);
        std::fs::create_dir_all(work)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", work.display()));
        let log = work.join("server.log");
        let log_file =
            File::create(&log).unwrap_or_else(|e| panic!("cannot create {}: {e}", log.display()));
        let mut command = Command::new(SERVER_BIN);
        command
            .env_clear()
            .args(["serve", "--listen", &listen])
            .env("HOME", work)
            .env("TOKEN_STORAGE_DB", work.join("store.db"))
            .env("NEXTCLOUD_HOST", format!("http://{nextcloud}"))
            .env("NEXTCLOUD_USERNAME", USER)
            .env("NEXTCLOUD_PASSWORD", PASSWORD)
            // The default level, as a deployment would run it.
            .env("NEXTCLOUD_MCP_LOG_LEVEL", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(log_file));
        // Let experiments with the runtime's size through (tokio reads it).
        if let Some(workers) = std::env::var_os("TOKIO_WORKER_THREADS") {
            command.env("TOKIO_WORKER_THREADS", workers);
        }
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {SERVER_BIN}: {e}"));
        let pid = child.id();
        Self {
            child: Some(child),
            pid,
            base_url: format!("http://{listen}"),
            log,
        }
    }

    fn exited(&mut self) -> Option<ExitStatus> {
        self.child
            .as_mut()
            .and_then(|c| c.try_wait().ok().flatten())
    }

    /// Waits for `/healthz`, then checks `/readyz` (which asks the mock).
    async fn wait_ready(&mut self, client: &reqwest::Client) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.exited() {
                return Err(format!(
                    "server exited early ({status}); see {}",
                    self.log.display()
                ));
            }
            let health = client
                .get(format!("{}/healthz", self.base_url))
                .send()
                .await;
            if matches!(&health, Ok(r) if r.status().is_success()) {
                break;
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "no /healthz within 20 s; see {}",
                    self.log.display()
                ));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let ready = client
            .get(format!("{}/readyz", self.base_url))
            .send()
            .await
            .map_err(|e| format!("/readyz: {e}"))?;
        let status = ready.status();
        let body = ready.text().await.unwrap_or_default();
        if status != StatusCode::OK {
            return Err(format!("/readyz answered {status}: {body}"));
        }
        Ok(())
    }

    /// SIGTERM, then up to 10 s for the graceful shutdown, then SIGKILL.
    fn stop(&mut self) -> Option<ExitStatus> {
        let mut child = self.child.take()?;
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        eprintln!("server ignored SIGTERM for 10 s; killing it");
        let _ = child.kill();
        child.wait().ok()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// VmRSS and VmHWM of a process, in KiB.
#[derive(Clone, Copy, Debug, Default)]
struct Memory {
    rss_kib: u64,
    hwm_kib: u64,
    /// Heap and other private memory.
    anon_kib: u64,
    /// Mapped files, mostly the executable's own pages.
    file_kib: u64,
}

fn memory(pid: u32) -> Option<Memory> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| {
                rest.trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
    };
    Some(Memory {
        rss_kib: field("VmRSS:")?,
        hwm_kib: field("VmHWM:")?,
        anon_kib: field("RssAnon:").unwrap_or(0),
        file_kib: field("RssFile:").unwrap_or(0),
    })
}

/// Polls VmRSS every 5 ms on a plain thread until stopped; returns the maximum seen.
struct RssSampler {
    stop: Arc<AtomicBool>,
    handle: std::thread::JoinHandle<u64>,
}

impl RssSampler {
    fn start(pid: u32) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let handle = std::thread::spawn(move || {
            let mut peak = 0;
            while !flag.load(Ordering::Relaxed) {
                if let Some(m) = memory(pid) {
                    peak = peak.max(m.rss_kib);
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            peak
        });
        Self { stop, handle }
    }

    fn finish(self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        self.handle.join().unwrap_or(0)
    }
}

// ---------------------------------------------------------------------------
// The two paths
// ---------------------------------------------------------------------------

#[derive(Clone)]
enum Target {
    /// (a) GET the note from the mock, as the server does.
    Direct { url: String },
    /// (b) tools/call through nextcloud-mcp.
    Mcp { url: String, ids: Arc<AtomicU64> },
    /// (c) JSON-RPC `ping` through nextcloud-mcp: HTTP and rmcp alone, no
    /// tool and no second hop; splits b - a into fixed cost and the rest.
    Ping { url: String, ids: Arc<AtomicU64> },
}

impl Target {
    fn label(&self) -> &'static str {
        match self {
            Target::Direct { .. } => "direct (a)",
            Target::Mcp { .. } => "via mcp (b)",
            Target::Ping { .. } => "mcp ping (c)",
        }
    }

    fn key(&self) -> &'static str {
        match self {
            Target::Direct { .. } => "direct",
            Target::Mcp { .. } => "mcp",
            Target::Ping { .. } => "ping",
        }
    }

    /// One call: the time from sending to having the whole body, and whether
    /// the answer was the note (checked after the clock stops).
    async fn call(&self, client: &reqwest::Client) -> (Duration, Result<(), String>) {
        match self {
            Target::Direct { url } => {
                let request = client
                    .get(url)
                    .basic_auth(USER, Some(PASSWORD))
                    .header(header::ACCEPT, "application/json");
                let (elapsed, reply) = timed(request).await;
                (
                    elapsed,
                    reply.and_then(|(status, body)| check_direct(status, &body)),
                )
            }
            Target::Mcp { url, ids } => {
                let id = ids.fetch_add(1, Ordering::Relaxed);
                let body = json!({
                    "jsonrpc": "2.0",
                    "id": id,
                    "method": "tools/call",
                    "params": { "name": TOOL, "arguments": { "note_id": NOTE_ID } },
                });
                let (elapsed, reply) = timed(mcp_request(client, url, &body)).await;
                (
                    elapsed,
                    reply.and_then(|(status, body)| check_mcp(status, &body, id)),
                )
            }
            Target::Ping { url, ids } => {
                let id = ids.fetch_add(1, Ordering::Relaxed);
                let body = json!({ "jsonrpc": "2.0", "id": id, "method": "ping" });
                let (elapsed, reply) = timed(mcp_request(client, url, &body)).await;
                (
                    elapsed,
                    reply.and_then(|(status, body)| check_ping(status, &body, id)),
                )
            }
        }
    }
}

fn mcp_request(client: &reqwest::Client, url: &str, body: &Value) -> reqwest::RequestBuilder {
    client
        .post(url)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "application/json, text/event-stream")
        .header("MCP-Protocol-Version", PROTOCOL_VERSION)
        .body(serde_json::to_vec(body).expect("request body"))
}

async fn timed(
    request: reqwest::RequestBuilder,
) -> (Duration, Result<(StatusCode, Bytes), String>) {
    let start = Instant::now();
    let reply = async {
        let response = request.send().await?;
        let status = response.status();
        let body = response.bytes().await?;
        Ok::<_, reqwest::Error>((status, body))
    }
    .await;
    (
        start.elapsed(),
        reply.map_err(|e| format!("transport: {e}")),
    )
}

fn check_direct(status: StatusCode, body: &[u8]) -> Result<(), String> {
    if status != StatusCode::OK {
        return Err(format!("direct: status {status}"));
    }
    let note: Value = serde_json::from_slice(body).map_err(|e| format!("direct: not JSON: {e}"))?;
    if note["title"] != TITLE {
        return Err(format!("direct: unexpected note {note}"));
    }
    Ok(())
}

fn check_ping(status: StatusCode, body: &[u8], id: u64) -> Result<(), String> {
    let text = String::from_utf8_lossy(body);
    let reply: Value =
        serde_json::from_slice(body).map_err(|e| format!("ping: not JSON ({e}): {text}"))?;
    if status != StatusCode::OK || reply["id"] != id || reply["result"] != json!({}) {
        return Err(format!("ping: status {status}: {text}"));
    }
    Ok(())
}

fn check_mcp(status: StatusCode, body: &[u8], id: u64) -> Result<(), String> {
    let text = String::from_utf8_lossy(body);
    if status != StatusCode::OK {
        return Err(format!("mcp: status {status}: {text}"));
    }
    let reply: Value =
        serde_json::from_slice(body).map_err(|e| format!("mcp: not JSON ({e}): {text}"))?;
    if reply["id"] != id {
        return Err(format!("mcp: answer for another id: {text}"));
    }
    let result = &reply["result"];
    if result["isError"] != false {
        return Err(format!("mcp: isError is not false: {text}"));
    }
    let structured_title = result["structuredContent"]["title"] == TITLE;
    let text_mentions = result["content"].as_array().is_some_and(|items| {
        items
            .iter()
            .any(|i| i["text"].as_str().is_some_and(|t| t.contains(TITLE)))
    });
    if !structured_title && !text_mentions {
        return Err(format!("mcp: no '{TITLE}' in the result: {text}"));
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Phases and statistics
// ---------------------------------------------------------------------------

#[derive(Default)]
struct Phase {
    latencies: Vec<Duration>,
    wall: Duration,
    failures: usize,
    first_failure: Option<String>,
    cpu: CpuTimes,
}

/// CPU time used so far by the server process and by this process (load
/// generator and mock), summed over their threads from
/// `/proc/<pid>/task/*/schedstat` (nanoseconds).
#[derive(Clone, Copy, Default)]
struct CpuTimes {
    server: Duration,
    bench: Duration,
}

impl CpuTimes {
    fn now(server_pid: u32) -> Self {
        Self {
            server: process_cpu(&format!("/proc/{server_pid}/task")),
            bench: process_cpu("/proc/self/task"),
        }
    }

    fn since(self, earlier: Self) -> Self {
        Self {
            server: self.server.saturating_sub(earlier.server),
            bench: self.bench.saturating_sub(earlier.bench),
        }
    }
}

fn process_cpu(tasks: &str) -> Duration {
    let Ok(entries) = std::fs::read_dir(tasks) else {
        return Duration::ZERO;
    };
    let nanos: u64 = entries
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("schedstat")).ok())
        .filter_map(|line| line.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    Duration::from_nanos(nanos)
}

#[derive(Clone, Copy)]
enum Mode {
    Sequential(usize),
    Concurrent { callers: usize, per_caller: usize },
}

/// One measured block, with the CPU both processes spent on it, and a check
/// that each call reached the mock exactly once (ping: not at all).
async fn measure(
    client: &reqwest::Client,
    target: &Target,
    mode: Mode,
    server_pid: u32,
    note_hits: &AtomicU64,
) -> Phase {
    let hits_before = note_hits.load(Ordering::Relaxed);
    let before = CpuTimes::now(server_pid);
    let mut phase = match mode {
        Mode::Sequential(calls) => sequential(client, target, calls).await,
        Mode::Concurrent {
            callers,
            per_caller,
        } => concurrent(client, target, callers, per_caller).await,
    };
    phase.cpu = CpuTimes::now(server_pid).since(before);
    let hits = note_hits.load(Ordering::Relaxed) - hits_before;
    let expected = match target {
        Target::Ping { .. } => 0,
        Target::Direct { .. } | Target::Mcp { .. } => phase.latencies.len() as u64,
    };
    if hits != expected {
        phase.failures += 1;
        phase.first_failure.get_or_insert(format!(
            "the mock saw {hits} note requests for {expected} calls"
        ));
    }
    phase
}

/// `total` split into `parts` near-equal whole numbers.
fn split(total: usize, parts: usize) -> impl Iterator<Item = usize> {
    (0..parts).map(move |i| total / parts + usize::from(i < total % parts))
}

impl Phase {
    fn record(&mut self, elapsed: Duration, outcome: Result<(), String>) {
        self.latencies.push(elapsed);
        if let Err(e) = outcome {
            self.failures += 1;
            self.first_failure.get_or_insert(e);
        }
    }

    fn merge(&mut self, other: Phase) {
        self.latencies.extend(other.latencies);
        self.wall += other.wall;
        self.cpu.server += other.cpu.server;
        self.cpu.bench += other.cpu.bench;
        self.failures += other.failures;
        if self.first_failure.is_none() {
            self.first_failure = other.first_failure;
        }
    }
}

async fn sequential(client: &reqwest::Client, target: &Target, calls: usize) -> Phase {
    let mut phase = Phase {
        latencies: Vec::with_capacity(calls),
        ..Phase::default()
    };
    let start = Instant::now();
    for _ in 0..calls {
        let (elapsed, outcome) = target.call(client).await;
        phase.record(elapsed, outcome);
    }
    phase.wall = start.elapsed();
    phase
}

async fn concurrent(
    client: &reqwest::Client,
    target: &Target,
    callers: usize,
    per_caller: usize,
) -> Phase {
    let mut tasks = tokio::task::JoinSet::new();
    let start = Instant::now();
    for _ in 0..callers {
        let client = client.clone();
        let target = target.clone();
        tasks.spawn(async move {
            let mut phase = Phase {
                latencies: Vec::with_capacity(per_caller),
                ..Phase::default()
            };
            for _ in 0..per_caller {
                let (elapsed, outcome) = target.call(&client).await;
                phase.record(elapsed, outcome);
            }
            phase
        });
    }
    let mut total = Phase {
        latencies: Vec::with_capacity(callers * per_caller),
        ..Phase::default()
    };
    while let Some(joined) = tasks.join_next().await {
        total.merge(joined.expect("caller task"));
    }
    total.wall = start.elapsed();
    total
}

#[derive(Clone, Copy)]
struct Stats {
    calls: usize,
    failures: usize,
    p50: Duration,
    p99: Duration,
    mean: Duration,
    max: Duration,
    throughput: f64,
    server_cpu_per_call: Duration,
    bench_cpu_per_call: Duration,
}

impl Stats {
    fn of(phase: &Phase) -> Self {
        let mut sorted = phase.latencies.clone();
        sorted.sort_unstable();
        // Nearest rank.
        let rank =
            |q: f64| sorted[((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1];
        let total: Duration = sorted.iter().sum();
        Self {
            calls: sorted.len(),
            failures: phase.failures,
            p50: rank(0.50),
            p99: rank(0.99),
            mean: total / sorted.len() as u32,
            max: *sorted.last().expect("at least one call"),
            throughput: sorted.len() as f64 / phase.wall.as_secs_f64(),
            server_cpu_per_call: phase.cpu.server / sorted.len() as u32,
            bench_cpu_per_call: phase.cpu.bench / sorted.len() as u32,
        }
    }
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn signed_us(b: Duration, a: Duration) -> f64 {
    us(b) - us(a)
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines().find_map(|l| {
                l.strip_prefix("model name")
                    .map(|rest| rest.trim_start_matches([' ', '\t', ':']).to_string())
            })
        })
        .unwrap_or_else(|| "unknown".into())
}

// ---------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------

struct Row {
    phase: &'static str,
    path: &'static str,
    label: &'static str,
    stats: Stats,
}

async fn run(settings: Settings) -> bool {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let target_dir = Path::new(SERVER_BIN)
        .parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("target"));
    let cpus = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let model = cpu_model();
    // Other work on the machine shows up in every number; say how busy it was.
    let load_before = load_average();

    let (mock, counters) = start_mock();
    let client = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(CONCURRENCY * 2)
        .build()
        .expect("client");

    let mut server = ServerProcess::spawn(mock, &target_dir.join("overhead-server"));
    if let Err(e) = server.wait_ready(&client).await {
        eprintln!("overhead: {e}");
        server.stop();
        return false;
    }
    // Idle: started, answered /healthz and /readyz, no tool call yet.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let idle = memory(server.pid).unwrap_or_default();

    let direct = Target::Direct {
        url: format!("http://{mock}{NOTE_PATH}"),
    };
    let ids = Arc::new(AtomicU64::new(1));
    let mcp = Target::Mcp {
        url: format!("{}/mcp", server.base_url),
        ids: ids.clone(),
    };
    let ping = Target::Ping {
        url: format!("{}/mcp", server.base_url),
        ids,
    };

    println!(
        "nextcloud-mcp overhead: {TOOL} {{note_id: {NOTE_ID}}} vs GET {NOTE_PATH}; {} sequential calls, \
         {CONCURRENCY} callers x {} calls; {cpus} CPUs ({model})",
        settings.sequential_calls, settings.per_caller
    );

    // Warm-up: connection pools (client -> server, server -> mock), allocator, caches.
    let mut warmup_failures = Vec::new();
    for target in [&direct, &mcp, &ping] {
        let mut phase = sequential(&client, target, WARMUP_SEQUENTIAL).await;
        phase.merge(concurrent(&client, target, CONCURRENCY, WARMUP_PER_CALLER).await);
        if phase.failures > 0 {
            warmup_failures.push(format!(
                "warm-up {}: {} failures, first: {}",
                target.label(),
                phase.failures,
                phase.first_failure.unwrap_or_default()
            ));
        }
    }

    let mut rows = Vec::new();
    let mut failures: Vec<String> = warmup_failures;
    let mut note = |phase: &'static str, target: &Target, result: Phase, rows: &mut Vec<Row>| {
        if result.failures > 0 {
            failures.push(format!(
                "{phase} {}: {} of {} calls failed, first: {}",
                target.label(),
                result.failures,
                result.latencies.len(),
                result.first_failure.clone().unwrap_or_default()
            ));
        }
        rows.push(Row {
            phase,
            path: target.key(),
            label: target.label(),
            stats: Stats::of(&result),
        });
    };

    // Paths alternate in ROUNDS blocks so that a change in the machine's
    // state during the run (other load, thread placement) hits all of them.
    let pid = server.pid;
    let hits = &counters.note_hits;
    let sequential_targets = [&direct, &mcp, &ping];
    let mut sequential_phases: [Phase; 3] = Default::default();
    for block in split(settings.sequential_calls, ROUNDS) {
        for (phase, target) in sequential_phases.iter_mut().zip(sequential_targets) {
            phase.merge(measure(&client, target, Mode::Sequential(block), pid, hits).await);
        }
    }
    for (phase, target) in sequential_phases.into_iter().zip(sequential_targets) {
        note("sequential", target, phase, &mut rows);
    }
    let after_sequential = memory(server.pid).unwrap_or_default();

    let sampler = RssSampler::start(server.pid);
    let concurrent_targets = [&direct, &mcp];
    let mut concurrent_phases: [Phase; 2] = Default::default();
    for per_caller in split(settings.per_caller, ROUNDS) {
        let mode = Mode::Concurrent {
            callers: CONCURRENCY,
            per_caller,
        };
        for (phase, target) in concurrent_phases.iter_mut().zip(concurrent_targets) {
            phase.merge(measure(&client, target, mode, pid, hits).await);
        }
    }
    let peak_sampled = sampler.finish();
    let after_load = memory(server.pid).unwrap_or_default();
    for (phase, target) in concurrent_phases.into_iter().zip(concurrent_targets) {
        note("concurrent", target, phase, &mut rows);
    }

    let load_after = load_average();
    let exit = server.stop();
    let exit_text = exit
        .map(|s| s.to_string())
        .unwrap_or_else(|| "unknown".into());

    // ----- report -----
    let mut table = String::new();
    let _ = writeln!(
        table,
        "{:<11} {:<12} {:>6} {:>9} {:>9} {:>9} {:>9} {:>9} {:>10} {:>10}",
        "phase",
        "path",
        "calls",
        "p50 us",
        "p99 us",
        "mean us",
        "max us",
        "calls/s",
        "srv cpu us",
        "bench cpu"
    );
    let _ = writeln!(
        table,
        "{:<11} {:<12} {:>6} {:>9} {:>9} {:>9} {:>9} {:>9} {:>10} {:>10}",
        "", "", "", "", "", "", "", "", "per call", "us/call"
    );
    let mut overheads = Vec::new();
    for phase in ["sequential", "concurrent"] {
        let a = rows
            .iter()
            .find(|r| r.phase == phase && r.path == "direct")
            .expect("row a")
            .stats;
        let b = rows
            .iter()
            .find(|r| r.phase == phase && r.path == "mcp")
            .expect("row b")
            .stats;
        let phase_label = if phase == "concurrent" {
            "conc. x16"
        } else {
            phase
        };
        for row in rows.iter().filter(|r| r.phase == phase) {
            let s = row.stats;
            let _ = writeln!(
                table,
                "{:<11} {:<12} {:>6} {:>9.1} {:>9.1} {:>9.1} {:>9.1} {:>9.0} {:>10.1} {:>10.1}",
                phase_label,
                row.label,
                s.calls,
                us(s.p50),
                us(s.p99),
                us(s.mean),
                us(s.max),
                s.throughput,
                us(s.server_cpu_per_call),
                us(s.bench_cpu_per_call)
            );
        }
        let _ = writeln!(
            table,
            "{:<11} {:<12} {:>6} {:>+9.1} {:>+9.1} {:>+9.1} {:>9} {:>9}",
            phase_label,
            "b - a",
            "",
            signed_us(b.p50, a.p50),
            signed_us(b.p99, a.p99),
            signed_us(b.mean, a.mean),
            "",
            ""
        );
        let _ = writeln!(
            table,
            "{:<11} {:<12} {:>6} {:>8.2}x {:>8.2}x {:>8.2}x {:>9} {:>8.2}x",
            phase_label,
            "b / a",
            "",
            us(b.p50) / us(a.p50),
            us(b.p99) / us(a.p99),
            us(b.mean) / us(a.mean),
            "",
            b.throughput / a.throughput
        );
        overheads.push((phase, a, b));
    }
    print!("{table}");
    let seq = |path: &str| {
        rows.iter()
            .find(|r| r.phase == "sequential" && r.path == path)
            .expect("row")
            .stats
    };
    let (a, b, c) = (seq("direct"), seq("mcp"), seq("ping"));
    println!(
        "sequential p50 split: c - a = {:+.1} us (JSON-RPC over HTTP through rmcp, beyond a plain GET); \
         b - c = {:+.1} us (the tool: its Nextcloud hop and JSON; a alone is {:.1} us)",
        signed_us(c.p50, a.p50),
        signed_us(b.p50, c.p50),
        us(a.p50)
    );

    let peak_kib = peak_sampled.max(after_load.rss_kib);
    let rss_worst_kib = peak_kib.max(after_load.hwm_kib);
    println!(
        "server RSS: idle {:.1} MiB (VmHWM {:.1}); after sequential {:.1} MiB; \
         peak sampled under 16-caller load {:.1} MiB; after load {:.1} MiB; VmHWM at end {:.1} MiB",
        mib(idle.rss_kib),
        mib(idle.hwm_kib),
        mib(after_sequential.rss_kib),
        mib(peak_kib),
        mib(after_load.rss_kib),
        mib(after_load.hwm_kib)
    );
    println!(
        "  of which anonymous (heap) / file-backed (binary): idle {:.1} / {:.1} MiB, after load {:.1} / {:.1} MiB",
        mib(idle.anon_kib),
        mib(idle.file_kib),
        mib(after_load.anon_kib),
        mib(after_load.file_kib)
    );

    let p50_ok = overheads
        .iter()
        .all(|(_, a, b)| b.p50.saturating_sub(a.p50) < P50_OVERHEAD_TARGET);
    let rss_ok = rss_worst_kib * 1024 < RSS_TARGET_BYTES;
    let valid = failures.is_empty();
    println!(
        "targets: p50 overhead < 1 ms: {} (sequential {:+.1} us, concurrent {:+.1} us); RSS < 30 MB: {} (VmHWM {:.1} MB)",
        if p50_ok { "met" } else { "NOT met" },
        signed_us(overheads[0].2.p50, overheads[0].1.p50),
        signed_us(overheads[1].2.p50, overheads[1].1.p50),
        if rss_ok { "met" } else { "NOT met" },
        (rss_worst_kib * 1024) as f64 / 1e6
    );
    println!(
        "server exit after SIGTERM: {exit_text}; load average before {load_before}, after {load_after}"
    );
    if valid {
        println!("run valid: every call returned note {NOTE_ID} '{TITLE}' with isError false");
    } else {
        println!("INVALID RUN:");
        for f in &failures {
            println!("  {f}");
        }
    }

    // ----- JSON lines -----
    let when = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let mut lines = vec![json!({
        "record": "meta",
        "unix_time": when,
        "tool": TOOL,
        "note_id": NOTE_ID,
        "sequential_calls": settings.sequential_calls,
        "concurrency": CONCURRENCY,
        "calls_per_caller": settings.per_caller,
        "warmup_sequential": WARMUP_SEQUENTIAL,
        "warmup_per_caller": WARMUP_PER_CALLER,
        "rounds": ROUNDS,
        "server_tokio_worker_threads": std::env::var("TOKIO_WORKER_THREADS").ok(),
        "cpus": cpus,
        "cpu_model": model,
        "loadavg_before": load_before,
        "loadavg_after": load_after,
        "server_binary": SERVER_BIN,
    })];
    for row in &rows {
        let s = row.stats;
        lines.push(json!({
            "record": "latency",
            "phase": row.phase,
            "path": row.path,
            "calls": s.calls,
            "failures": s.failures,
            "p50_us": us(s.p50),
            "p99_us": us(s.p99),
            "mean_us": us(s.mean),
            "max_us": us(s.max),
            "throughput_per_s": s.throughput,
            "server_cpu_us_per_call": us(s.server_cpu_per_call),
            "bench_cpu_us_per_call": us(s.bench_cpu_per_call),
        }));
    }
    for (phase, a, b) in &overheads {
        lines.push(json!({
            "record": "overhead",
            "phase": phase,
            "p50_us": signed_us(b.p50, a.p50),
            "p99_us": signed_us(b.p99, a.p99),
            "mean_us": signed_us(b.mean, a.mean),
            "ratio_p50": us(b.p50) / us(a.p50),
            "ratio_p99": us(b.p99) / us(a.p99),
            "ratio_mean": us(b.mean) / us(a.mean),
            "ratio_throughput": b.throughput / a.throughput,
        }));
    }
    lines.push(json!({
        "record": "split",
        "phase": "sequential",
        "ping_minus_direct_p50_us": signed_us(c.p50, a.p50),
        "mcp_minus_ping_p50_us": signed_us(b.p50, c.p50),
    }));
    lines.push(json!({
        "record": "rss",
        "idle_kib": idle.rss_kib,
        "idle_hwm_kib": idle.hwm_kib,
        "after_sequential_kib": after_sequential.rss_kib,
        "peak_sampled_kib": peak_kib,
        "after_load_kib": after_load.rss_kib,
        "hwm_end_kib": after_load.hwm_kib,
        "idle_anon_kib": idle.anon_kib,
        "idle_file_kib": idle.file_kib,
        "after_load_anon_kib": after_load.anon_kib,
        "after_load_file_kib": after_load.file_kib,
    }));
    lines.push(json!({
        "record": "verdict",
        "valid": valid,
        "failures": failures,
        "p50_overhead_under_1ms": p50_ok,
        "rss_under_30mb": rss_ok,
        "server_exit": exit_text,
    }));
    let out = target_dir.join("overhead.json");
    let written = File::create(&out).and_then(|mut f| {
        for line in &lines {
            writeln!(f, "{line}")?;
        }
        Ok(())
    });
    match written {
        Ok(()) => println!("wrote {}", out.display()),
        Err(e) => eprintln!("cannot write {}: {e}", out.display()),
    }
    valid
}
