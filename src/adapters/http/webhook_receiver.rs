//! The receiver for Nextcloud's webhook deliveries, and its counters.
//!
//! `POST /webhooks/nextcloud`: Nextcloud's background jobs POST JSON without a
//! Content-Type, with the `Authorization: Bearer <WEBHOOK_SECRET>` header we
//! registered (stored encrypted there, sent in clear). Each delivery is
//! - 401 when the secret is wrong or missing (compared in constant time),
//!   nothing parsed or queued;
//! - 400 when the body is not a delivery;
//! - 202 `dropped` for an event class this server does not know;
//! - 202 `queued` once handed to the worker, without waiting for it;
//! - 503 with Retry-After when the queue is full (dropped and counted).
//!
//! `GET /webhooks/metrics`: the counters and queue depth as JSON, for the
//! same secret (401 without it).

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::domain::webhooks::{Delivery, parse_delivery};
use crate::ports::webhooks::{EventIntake, Offered, WebhookCounters};

pub const RECEIVER_PATH: &str = "/webhooks/nextcloud";
pub const METRICS_PATH: &str = "/webhooks/metrics";
/// Deliveries carry a summary of one object (a calendar object with its data
/// at most); anything larger is refused with 413 before it is read.
pub const MAX_DELIVERY_BYTES: usize = 2 * 1024 * 1024;
/// Seconds a refused delivery is told to wait (Nextcloud 34 does not retry).
const RETRY_AFTER_SECONDS: &str = "30";

/// The receiver's state: a digest of the expected Authorization value (the
/// secret itself is not kept here) and the queue.
#[derive(Clone)]
pub struct ReceiverState {
    expected: [u8; 32],
    intake: Arc<dyn EventIntake>,
}

fn digest(value: &[u8]) -> [u8; 32] {
    Sha256::digest(value).into()
}

impl ReceiverState {
    pub fn new(secret: &SecretString, intake: Arc<dyn EventIntake>) -> Self {
        let expected = format!("Bearer {}", secret.expose_secret());
        Self {
            expected: digest(expected.as_bytes()),
            intake,
        }
    }

    /// Hashing first makes the comparison independent of the length and
    /// content of what was sent; the digests are compared in constant time.
    fn authorized(&self, headers: &HeaderMap) -> bool {
        let presented = headers
            .get(header::AUTHORIZATION)
            .map(|v| digest(v.as_bytes()))
            .unwrap_or([0; 32]);
        let matches: bool = presented.ct_eq(&self.expected).into();
        matches && headers.contains_key(header::AUTHORIZATION)
    }

    fn counters(&self) -> &WebhookCounters {
        self.intake.counters()
    }
}

pub fn routes(state: ReceiverState) -> Router {
    Router::new()
        .route(RECEIVER_PATH, post(receive))
        .route(METRICS_PATH, get(metrics))
        .layer(DefaultBodyLimit::max(MAX_DELIVERY_BYTES))
        .with_state(state)
}

/// The longest sender-controlled value written to the log.
const LOGGED_CHARS: usize = 200;

/// Sender-controlled text made safe for a log line: control characters
/// (newlines, terminal escapes) escaped, length bounded.
pub fn for_log(text: &str) -> String {
    let mut out: String = text
        .chars()
        .take(LOGGED_CHARS)
        .flat_map(char::escape_default)
        .collect();
    if text.chars().count() > LOGGED_CHARS {
        out.push('…');
    }
    out
}

fn answer(status: StatusCode, body: serde_json::Value) -> Response {
    (status, Json(body)).into_response()
}

async fn receive(State(state): State<ReceiverState>, headers: HeaderMap, body: Bytes) -> Response {
    let counters = state.counters();
    WebhookCounters::bump(&counters.received);
    if !state.authorized(&headers) {
        WebhookCounters::bump(&counters.rejected_auth);
        tracing::warn!(
            has_authorization = headers.contains_key(header::AUTHORIZATION),
            "webhook delivery refused: wrong or missing secret"
        );
        return answer(StatusCode::UNAUTHORIZED, json!({"error": "unauthorized"}));
    }
    let event = match parse_delivery(&body) {
        Ok(Delivery::Known(event)) => event,
        Ok(Delivery::Unknown { class }) => {
            WebhookCounters::bump(&counters.unknown);
            // Sender-controlled text: escaped so it cannot forge log lines.
            let class = for_log(&class);
            tracing::info!(%class, "webhook delivery of an unknown event dropped");
            return answer(
                StatusCode::ACCEPTED,
                json!({"status": "dropped", "reason": "unknown event class"}),
            );
        }
        Err(error) => {
            WebhookCounters::bump(&counters.malformed);
            tracing::warn!(%error, "malformed webhook delivery");
            return answer(
                StatusCode::BAD_REQUEST,
                json!({"error": "malformed delivery", "detail": error.to_string()}),
            );
        }
    };
    let class = event.short_class().to_string();
    match state.intake.offer(event) {
        Offered::Queued => answer(StatusCode::ACCEPTED, json!({"status": "queued"})),
        refused => {
            let gauge = state.intake.gauge();
            tracing::warn!(
                event = %class,
                depth = gauge.depth,
                capacity = gauge.capacity,
                closed = refused == Offered::Closed,
                "webhook queue full: delivery dropped"
            );
            let mut response = answer(
                StatusCode::SERVICE_UNAVAILABLE,
                json!({"status": "dropped", "reason": "queue full"}),
            );
            response.headers_mut().insert(
                header::RETRY_AFTER,
                header::HeaderValue::from_static(RETRY_AFTER_SECONDS),
            );
            response
        }
    }
}

async fn metrics(State(state): State<ReceiverState>, headers: HeaderMap) -> Response {
    if !state.authorized(&headers) {
        return answer(StatusCode::UNAUTHORIZED, json!({"error": "unauthorized"}));
    }
    answer(
        StatusCode::OK,
        json!({
            "counters": state.counters().snapshot(),
            "queue": state.intake.gauge(),
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::for_log;

    #[test]
    fn logged_values_cannot_forge_lines_or_reach_a_terminal() {
        let forged = for_log("OCA\\X\n2026-01-01 INFO forged line\u{1b}[31m");
        assert!(
            !forged.contains('\n') && !forged.contains('\u{1b}'),
            "{forged}"
        );
        assert!(forged.contains("\\n") && forged.contains("\\u{1b}"));
        let long = for_log(&"a".repeat(10_000));
        assert!(long.chars().count() <= 201, "{}", long.len());
    }
}
