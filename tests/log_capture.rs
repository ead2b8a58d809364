//! No secret reaches the logs. A DEBUG-level subscriber (every target: this
//! crate, rmcp, reqwest, hyper, rustls, sqlx, and `log` records through the
//! tracing-log bridge) writes JSON lines into memory while real flows run
//! in-process: basic mode with an app password, OAuth pass-through, token
//! exchange (successful and failed), refused tokens, and progressive consent
//! (provision, callback, background refresh, revocation). Then the captured
//! output must contain none of the secrets those flows handled.
//!
//! Everything runs in one test so the assertions see every flow's output; the
//! subscriber is the global default of this test binary.

/// The helpers of the `it` binary this one needs. `it` uses every helper in
/// these files, so an unused one is reported there; here some are unused by
/// design.
#[allow(dead_code)]
#[path = "it/support"]
mod support {
    pub mod e2e;
    pub mod fixtures;
    pub mod idp;
    pub mod login_flow;
    pub mod oauth;
    pub mod output_schema;
}

use std::io;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;
use support::idp::*;

// The crate root looks for modules beside it; the flows live in its folder.
#[path = "log_capture/flows.rs"]
mod flows;

use flows::{
    basic_mode, login_flow_mode, multi_user_basic_mode, oauth_exchange, oauth_pass_through,
    progressive_consent,
};

// ----- The capturing subscriber -----

#[derive(Clone)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

static CAPTURED: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();

/// Installs the global DEBUG subscriber once; answers its buffer.
fn capture_logs() -> Arc<Mutex<Vec<u8>>> {
    CAPTURED
        .get_or_init(|| {
            let buffer = Arc::new(Mutex::new(Vec::new()));
            let writer = Capture(buffer.clone());
            // JSON: one event per line with its target, span fields included,
            // so a leak can be attributed and multi-line messages stay whole.
            // `try_init` also bridges the `log` crate (reqwest, rustls, wiremock).
            tracing_subscriber::fmt()
                .json()
                .with_max_level(tracing::Level::DEBUG)
                .with_ansi(false)
                .with_writer(move || writer.clone())
                .try_init()
                .expect("the only global subscriber of this test binary");
            buffer
        })
        .clone()
}

/// Secrets handled by the flows, each with a name for the failure message.
#[derive(Default)]
struct Secrets(Vec<(String, String)>);

impl Secrets {
    fn add(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.0.push((name.into(), value.into()));
    }

    /// A JWT: its full text and its signature part.
    fn add_jwt(&mut self, name: &str, jwt: &str) {
        self.add(format!("{name} (full JWT)"), jwt);
        let signature = jwt.rsplit('.').next().unwrap();
        self.add(format!("{name} (JWT signature)"), signature);
    }
}

// ----- The check -----

/// Every captured line containing `needle`, as `target: line` (shortened).
fn lines_with<'a>(lines: &'a [(String, &'a str)], needle: &str) -> Vec<String> {
    lines
        .iter()
        .filter(|(_, line)| line.contains(needle))
        .map(|(target, line)| {
            let short: String = line.chars().take(600).collect();
            format!("    target {target}: {short}")
        })
        .collect()
}

#[tokio::test]
async fn no_secret_reaches_the_logs_at_debug_level() {
    let buffer = capture_logs();
    let mut secrets = Secrets::default();
    secrets.add("this server's client secret", CLIENT_SECRET);
    secrets.add(
        "client_secret_basic header value",
        STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}")),
    );

    basic_mode(&mut secrets).await;
    oauth_pass_through(&mut secrets).await;
    oauth_exchange(&mut secrets).await;
    progressive_consent(&mut secrets).await;
    login_flow_mode(&mut secrets).await;
    multi_user_basic_mode(&mut secrets).await;
    // Audit writes and connection teardown log off the calls' paths.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let output = String::from_utf8_lossy(&buffer.lock().unwrap()).into_owned();
    // LOG_CAPTURE_DUMP=<file> keeps the captured output for inspection.
    if let Ok(dump) = std::env::var("LOG_CAPTURE_DUMP") {
        std::fs::write(dump, &output).unwrap();
    }
    let lines: Vec<(String, &str)> = output
        .lines()
        .map(|line| {
            let target = serde_json::from_str::<Value>(line)
                .ok()
                .and_then(|v| v["target"].as_str().map(str::to_string))
                .unwrap_or_else(|| "(not JSON)".into());
            (target, line)
        })
        .collect();

    // The capture works: DEBUG events of this crate and its dependencies.
    assert!(!lines.is_empty(), "nothing was captured");
    let targets: std::collections::BTreeSet<&str> = lines
        .iter()
        .map(|(t, _)| t.split("::").next().unwrap())
        .collect();
    for expected in ["nextcloud_mcp", "rmcp"] {
        assert!(
            targets.contains(expected),
            "no {expected} events captured; targets: {targets:?}"
        );
    }
    for message in [
        "bearer token refused",
        "identity provider connected",
        "consent callback refused",
        "fetched identity provider signing keys",
    ] {
        assert!(
            output.contains(message),
            "the known log message {message:?} was not captured"
        );
    }
    assert!(
        lines.iter().any(|(_, l)| l.contains("\"level\":\"DEBUG\"")),
        "DEBUG events are captured"
    );

    let mut leaks = Vec::new();
    for (name, value) in &secrets.0 {
        let hits = lines_with(&lines, value);
        if !hits.is_empty() {
            leaks.push(format!(
                "  {name} ({value}) in {} line(s):\n{}",
                hits.len(),
                hits.join("\n")
            ));
        }
    }
    let verifier_hits = lines_with(&lines, "code_verifier=");
    if !verifier_hits.is_empty() {
        leaks.push(format!(
            "  a form with code_verifier= in {} line(s):\n{}",
            verifier_hits.len(),
            verifier_hits.join("\n")
        ));
    }
    assert!(
        leaks.is_empty(),
        "SECRET LEAKED INTO THE LOGS (DEBUG level; {} secrets checked, {} lines captured, targets {targets:?}):\n{}",
        secrets.0.len(),
        lines.len(),
        leaks.join("\n")
    );
}
