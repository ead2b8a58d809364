//! The receiver on 127.0.0.1 with the real queue and worker: authentication,
//! the real deliveries, malformed and unknown ones, and bursts against a
//! slow handler. No timing is asserted: a gate holds the handler instead.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use crate::support::webhooks::received;
use async_trait::async_trait;
use nextcloud_mcp::adapters::http::webhook_receiver::{ReceiverState, routes};
use nextcloud_mcp::domain::webhooks::{EventSubject, WebhookEvent};
use nextcloud_mcp::ports::webhooks::{CounterSnapshot, EventHandler, EventIntake, HandlerError};
use nextcloud_mcp::service::webhooks::WebhookQueue;
use secrecy::SecretString;
use serde_json::{Value, json};
use tokio::sync::{Semaphore, watch};

const SECRET: &str = "fixture-webhook-secret";

/// Records what it handles; waits while the gate is closed.
struct Recorder {
    gate: watch::Receiver<bool>,
    seen: Mutex<Vec<WebhookEvent>>,
}

#[async_trait]
impl EventHandler for Recorder {
    async fn handle(&self, event: &WebhookEvent) -> Result<(), HandlerError> {
        let mut gate = self.gate.clone();
        let _ = gate.wait_for(|open| *open).await;
        tokio::task::yield_now().await;
        self.seen.lock().unwrap().push(event.clone());
        Ok(())
    }
}

struct Receiver {
    url: String,
    metrics_url: String,
    intake: Arc<WebhookQueue>,
    recorder: Arc<Recorder>,
    open: watch::Sender<bool>,
    client: reqwest::Client,
}

impl Receiver {
    async fn start(capacity: usize, gate_open: bool) -> Self {
        nextcloud_mcp::adapters::nextcloud::http::install_crypto_provider();
        let (open, gate) = watch::channel(gate_open);
        let recorder = Arc::new(Recorder {
            gate,
            seen: Mutex::default(),
        });
        let (intake, _worker) = WebhookQueue::start(capacity, recorder.clone());
        let state = ReceiverState::new(&SecretString::from(SECRET), intake.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, routes(state)).await });
        Self {
            url: format!("http://{address}/webhooks/nextcloud"),
            metrics_url: format!("http://{address}/webhooks/metrics"),
            intake,
            recorder,
            open,
            client: reqwest::Client::new(),
        }
    }

    /// POSTs like Nextcloud does: no Content-Type.
    async fn post(&self, authorization: Option<&str>, body: Vec<u8>) -> (u16, Value) {
        let mut request = self
            .client
            .post(&self.url)
            .header("User-Agent", "Nextcloud-Server-Crawler/34.0.1")
            .body(body);
        if let Some(value) = authorization {
            request = request.header("Authorization", value);
        }
        let response = request.send().await.expect("delivery answered");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    fn counters(&self) -> CounterSnapshot {
        self.intake.counters().snapshot()
    }

    fn seen(&self) -> Vec<WebhookEvent> {
        self.recorder.seen.lock().unwrap().clone()
    }

    /// Waits until the worker has handled `n`; the bound only guards
    /// against a hang, it is not a timing assertion.
    async fn wait_handled(&self, n: u64) {
        for _ in 0..12_000 {
            if self.counters().processed + self.counters().failed >= n {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        panic!("the worker handled {:?}, expected {n}", self.counters());
    }
}

fn node_delivery(id: i64) -> Vec<u8> {
    json!({"event": {"node": {"id": id, "path": format!("/admin/files/burst/{id}.txt")},
        "class": "OCP\\Files\\Events\\Node\\NodeWrittenEvent"},
        "user": {"uid": "admin", "displayName": "admin"}, "time": 1795423116, "authentication": []})
    .to_string()
    .into_bytes()
}

fn node_id(event: &WebhookEvent) -> i64 {
    match &event.subject {
        EventSubject::Node { node } => node.id.unwrap(),
        other => panic!("not a node event: {other:?}"),
    }
}

#[tokio::test]
async fn the_real_deliveries_are_accepted_as_sent() {
    let rx = Receiver::start(8, true).await;
    for name in ["12-delivered-node-created", "13-delivered-node-written"] {
        let delivery = received(name);
        let mut request = rx.client.post(&rx.url).body(delivery.body.clone());
        for (k, v) in &delivery.headers {
            if !["host", "content-length", "authorization"]
                .contains(&k.to_ascii_lowercase().as_str())
            {
                request = request.header(k, v);
            }
        }
        // 13 was registered without auth; here every delivery carries ours.
        let response = request
            .header("Authorization", format!("Bearer {SECRET}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 202, "{name}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["status"], "queued");
    }
    rx.wait_handled(2).await;
    let seen = rx.seen();
    let classes: Vec<&str> = seen.iter().map(|e| e.short_class()).collect();
    assert_eq!(classes, ["NodeCreatedEvent", "NodeWrittenEvent"]);
    assert_eq!(node_id(&seen[0]), 240);
    let anonymous = rx.client.get(&rx.metrics_url).send().await.unwrap();
    assert_eq!(anonymous.status(), 401, "the metrics are not public");
    let metrics: Value = rx
        .client
        .get(&rx.metrics_url)
        .header("Authorization", format!("Bearer {SECRET}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(metrics["counters"]["processed"], 2);
    assert_eq!(metrics["queue"]["capacity"], 8);
}

#[tokio::test]
async fn a_wrong_or_missing_secret_is_401_and_nothing_is_queued() {
    let rx = Receiver::start(8, true).await;
    let body = received("12-delivered-node-created").body;
    for auth in [
        None,
        Some("Bearer wrong-secret-of-same-length!"),
        Some("Bearer fixture-webhook-secre"),
        Some("fixture-webhook-secret"),
        Some("Basic YWRtaW46cGFzcw=="),
    ] {
        let (status, reply) = rx.post(auth, body.clone()).await;
        assert_eq!(status, 401, "{auth:?}");
        assert!(!reply.to_string().contains(SECRET));
    }
    let c = rx.counters();
    assert_eq!((c.received, c.rejected_auth, c.queued), (5, 5, 0));
    assert_eq!(rx.intake.gauge().depth, 0);
    assert!(rx.seen().is_empty());
}

#[tokio::test]
async fn malformed_is_400_and_unknown_is_202_dropped() {
    let rx = Receiver::start(8, true).await;
    let auth = format!("Bearer {SECRET}");
    for body in [&b"{not json"[..], b"", b"[]", br#"{"event":{"node":{}}}"#] {
        let (status, reply) = rx.post(Some(&auth), body.to_vec()).await;
        assert_eq!(status, 400, "{}", String::from_utf8_lossy(body));
        assert_eq!(reply["error"], "malformed delivery");
    }
    // A known class whose payload lacks what it must carry is malformed too.
    let no_node = json!({"event": {"class": "OCP\\Files\\Events\\Node\\NodeCreatedEvent"}});
    assert_eq!(
        rx.post(Some(&auth), no_node.to_string().into_bytes())
            .await
            .0,
        400
    );

    let unknown = json!({"event": {"class": "OCA\\Mystery\\Events\\SomethingHappened", "x": 1}, "user": null, "time": 1});
    let (status, reply) = rx.post(Some(&auth), unknown.to_string().into_bytes()).await;
    assert_eq!((status, reply["status"].as_str()), (202, Some("dropped")));
    let c = rx.counters();
    assert_eq!((c.malformed, c.unknown, c.queued), (5, 1, 0));
    assert!(rx.seen().is_empty());
}

/// 1,000 deliveries at once against a handler held shut: each one is
/// answered (202 or 503), the queue never holds more than its bound, and
/// every accepted event reaches the handler once it opens.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_against_a_slow_worker_is_answered_bounded_and_lossless_below_the_bound() {
    const CAPACITY: usize = 64;
    const BURST: i64 = 1000;
    let rx = Arc::new(Receiver::start(CAPACITY, false).await);
    let in_flight = Arc::new(Semaphore::new(64));
    let mut tasks = Vec::new();
    for id in 0..BURST {
        let rx = rx.clone();
        let permit = in_flight.clone().acquire_owned().await.unwrap();
        tasks.push(tokio::spawn(async move {
            let answer = rx
                .post(Some(&format!("Bearer {SECRET}")), node_delivery(id))
                .await;
            drop(permit);
            (id, answer)
        }));
    }
    let mut accepted = BTreeSet::new();
    let mut refused = 0;
    for task in tasks {
        let (id, (status, reply)) = task.await.unwrap();
        match status {
            202 => {
                assert_eq!(reply["status"], "queued");
                accepted.insert(id);
            }
            503 => {
                assert_eq!(reply["reason"], "queue full");
                refused += 1;
            }
            other => panic!("delivery {id}: unexpected {other}"),
        }
        assert!(rx.intake.gauge().depth <= CAPACITY);
    }
    // Gate shut: the worker holds at most one event outside the queue.
    let n = accepted.len();
    assert!((CAPACITY..=CAPACITY + 1).contains(&n), "accepted {n}");
    assert_eq!(n as i64 + refused, BURST);
    let c = rx.counters();
    assert_eq!(
        (c.received, c.queued, c.dropped_full),
        (BURST as u64, n as u64, refused as u64)
    );
    assert!(rx.seen().is_empty(), "the handler is still shut");

    rx.open.send(true).unwrap();
    rx.wait_handled(n as u64).await;
    let seen: BTreeSet<i64> = rx.seen().iter().map(node_id).collect();
    assert_eq!(
        seen, accepted,
        "every accepted event handled, and only those"
    );
    assert_eq!(rx.seen().len(), n, "each once");
    assert_eq!(rx.counters().processed, n as u64);
}

/// With room for the whole burst, a slow handler loses nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn nothing_is_lost_while_the_queue_has_room() {
    const BURST: i64 = 1000;
    let rx = Arc::new(Receiver::start(BURST as usize, false).await);
    let in_flight = Arc::new(Semaphore::new(64));
    let mut tasks = Vec::new();
    for id in 0..BURST {
        let rx = rx.clone();
        let permit = in_flight.clone().acquire_owned().await.unwrap();
        tasks.push(tokio::spawn(async move {
            let (status, _) = rx
                .post(Some(&format!("Bearer {SECRET}")), node_delivery(id))
                .await;
            drop(permit);
            status
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), 202);
    }
    rx.open.send(true).unwrap();
    rx.wait_handled(BURST as u64).await;
    let seen: Vec<i64> = rx.seen().iter().map(node_id).collect();
    assert_eq!(
        seen.iter().copied().collect::<BTreeSet<_>>().len(),
        BURST as usize
    );
    let c = rx.counters();
    assert_eq!(
        (c.queued, c.processed, c.dropped_full),
        (BURST as u64, BURST as u64, 0)
    );
}
