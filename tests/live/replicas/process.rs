//! Replicas as separate processes of the built binary. Each is killed when
//! its handle is dropped, so a failing assertion (a panic unwinding the test)
//! leaves no server behind.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_nextcloud-mcp");
/// How long start-up may take before the test gives up: a guard against a
/// hang, not a timing assertion.
const START_TIMEOUT: Duration = Duration::from_secs(60);

pub struct Replica {
    pub name: String,
    pub base_url: String,
    child: tokio::process::Child,
    log: Arc<Mutex<Vec<String>>>,
}

/// A spawned process that has not said where it listens yet.
struct Starting {
    name: String,
    child: tokio::process::Child,
    log: Arc<Mutex<Vec<String>>>,
}

fn spawn(name: &str, env: &[(String, String)]) -> Starting {
    let mut command = tokio::process::Command::new(BIN);
    command
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = command.spawn().expect("spawn the server binary");
    // Read on a thread: the child writes its log whatever the test awaits.
    let stderr = child.stderr.take().unwrap().into_owned_fd().unwrap();
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&log);
    std::thread::spawn(move || {
        for line in BufReader::new(std::fs::File::from(stderr)).lines() {
            let Ok(line) = line else { break };
            sink.lock().unwrap().push(line);
        }
    });
    Starting {
        name: name.to_string(),
        child,
        log,
    }
}

/// Starts `count` replicas at the same instant (all spawned before any is
/// waited for) and answers them once each serves.
pub async fn start_together(count: usize, env: &[(String, String)]) -> Vec<Replica> {
    let starting: Vec<Starting> = (0..count)
        .map(|i| spawn(&format!("replica-{i}"), env))
        .collect();
    let mut replicas = Vec::new();
    for s in starting {
        replicas.push(s.serving().await);
    }
    replicas
}

impl Starting {
    async fn serving(mut self) -> Replica {
        let since = Instant::now();
        loop {
            let listen = self
                .log
                .lock()
                .unwrap()
                .iter()
                .find(|l| l.contains("serving Streamable HTTP"))
                .map(|l| listen_of(l));
            if let Some(listen) = listen {
                return Replica {
                    name: self.name,
                    base_url: format!("http://{listen}"),
                    child: self.child,
                    log: self.log,
                };
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "{} exited at start ({status}):\n{}",
                    self.name,
                    self.log.lock().unwrap().join("\n")
                );
            }
            assert!(
                since.elapsed() < START_TIMEOUT,
                "{} did not start:\n{}",
                self.name,
                self.log.lock().unwrap().join("\n")
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// The `listen` field of a JSON log line.
fn listen_of(line: &str) -> String {
    let value: Value = serde_json::from_str(line).expect("a JSON log line");
    value["listen"].as_str().expect("listen field").to_string()
}

impl Replica {
    pub fn mcp_url(&self) -> String {
        format!("{}/mcp", self.base_url)
    }

    /// Its log lines so far (JSON, one per line).
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// Stops it now (SIGKILL) and waits until it is gone.
    pub async fn kill(&mut self) {
        self.child.kill().await.ok();
    }
}

/// Every replica's log, for a failure message.
pub fn logs(replicas: &[Replica]) -> String {
    replicas
        .iter()
        .map(|r| format!("--- {} ---\n{}", r.name, r.log().join("\n")))
        .collect::<Vec<_>>()
        .join("\n")
}
