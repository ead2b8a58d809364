//! The per-call cost of what operators watch: the metrics recorder and the
//! per-call INFO line, on against off in one run.
//!
//! Each iteration is what a tool call adds around its work: the in-flight
//! gauge, the call's scope counting Nextcloud requests, one Nextcloud request
//! recorded (counter and histogram by app and status class), the tool-call
//! counter and latency histogram, and the INFO line. "off" has no recorder
//! and no subscriber, as a server without NEXTCLOUD_MCP_METRICS_LISTEN at
//! log level warn; "on" has the Prometheus recorder and a JSON subscriber at
//! info writing to a sink (the formatting cost, not the terminal's). Blocks
//! alternate so a change in the machine's state affects both alike. The
//! result is CPU time per call; docs/performance.md relates it to the
//! server's measured CPU per tool call.
//!
//! Run with `cargo bench --bench telemetry`; `TELEMETRY_CALLS` sets the calls
//! per block (default 20000).

use std::time::{Duration, Instant};

use nextcloud_mcp::telemetry::exporter;
use nextcloud_mcp::telemetry::record::{nextcloud_request, status_class};
use nextcloud_mcp::telemetry::{ToolCallOutcome, observe_tool_call};

const BLOCKS: usize = 10;

fn one_call(runtime: &tokio::runtime::Runtime) {
    runtime.block_on(observe_tool_call(
        "nc_notes_get_note",
        Some("0123456789ab".to_string()),
        async {
            nextcloud_request("notes", status_class(200), Duration::from_micros(900));
        },
        |_| ToolCallOutcome::Ok,
    ));
}

fn block(runtime: &tokio::runtime::Runtime, calls: usize) -> Duration {
    let started = Instant::now();
    for _ in 0..calls {
        one_call(runtime);
    }
    started.elapsed()
}

fn main() {
    let calls: usize = std::env::var("TELEMETRY_CALLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let recorder = exporter::recorder();
    let handle = recorder.handle();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_env_filter(tracing_subscriber::EnvFilter::new("info"))
        .with_writer(std::io::sink)
        .finish();
    // Warm both paths once.
    block(&runtime, calls / 10);
    tracing::subscriber::with_default(subscriber, || {
        metrics::with_local_recorder(&recorder, || block(&runtime, calls / 10))
    });

    let (mut off, mut on) = (Duration::ZERO, Duration::ZERO);
    let subscriber = tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_env_filter(tracing_subscriber::EnvFilter::new("info"))
        .with_writer(std::io::sink)
        .finish();
    let dispatch = tracing::Dispatch::new(subscriber);
    for _ in 0..BLOCKS {
        off += block(&runtime, calls);
        on += tracing::dispatcher::with_default(&dispatch, || {
            metrics::with_local_recorder(&recorder, || block(&runtime, calls))
        });
    }
    let per_call = |total: Duration| total.as_secs_f64() * 1e9 / (BLOCKS * calls) as f64;
    let (off_ns, on_ns) = (per_call(off), per_call(on));
    println!("calls per path: {}", BLOCKS * calls);
    println!("off: {off_ns:.0} ns per call");
    println!("on:  {on_ns:.0} ns per call");
    println!(
        "added by metrics and the log line: {:.0} ns per call",
        on_ns - off_ns
    );
    // The exposition must hold what was recorded, or the "on" path measured nothing.
    let rendered = handle.render();
    assert!(
        rendered.contains("nextcloud_mcp_tool_calls_total"),
        "{rendered}"
    );
}
