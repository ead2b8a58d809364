//! The Prometheus side: the process-wide recorder and the `/metrics` route,
//! served on its own listener (NEXTCLOUD_MCP_METRICS_LISTEN) so metrics are
//! never public by accident on the MCP port.

use std::sync::Arc;

use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle, PrometheusRecorder};

use super::record::WEBHOOK_DELIVERIES;
use crate::ports::webhooks::EventIntake;

/// Latency buckets in seconds: tool calls and Nextcloud requests range from
/// a few milliseconds (cached reads) to the request timeout.
const BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// A recorder with this server's buckets, not yet installed (the benchmark
/// uses one locally).
pub fn recorder() -> PrometheusRecorder {
    PrometheusBuilder::new()
        .set_buckets(BUCKETS)
        .expect("the bucket list is not empty")
        .build_recorder()
}

/// Installs the recorder for the whole process; once per process.
pub fn install() -> Result<PrometheusHandle, String> {
    let recorder = recorder();
    let handle = recorder.handle();
    metrics::set_global_recorder(recorder)
        .map_err(|_| "a metrics recorder is already installed".to_string())?;
    Ok(handle)
}

/// What `/metrics` renders: the recorder, plus the webhook receiver's own
/// counters when webhooks are on (they are kept per replica by the receiver
/// and folded in at scrape time).
#[derive(Clone)]
pub struct Exposition {
    pub handle: PrometheusHandle,
    pub webhooks: Option<Arc<dyn EventIntake>>,
}

impl Exposition {
    pub fn render(&self) -> String {
        if let Some(intake) = &self.webhooks {
            let seen = intake.counters().snapshot();
            for (outcome, value) in [
                ("accepted", seen.queued),
                ("dropped_full", seen.dropped_full),
                ("dropped_unknown", seen.unknown),
                ("rejected_auth", seen.rejected_auth),
                ("malformed", seen.malformed),
                ("processed", seen.processed),
                ("failed", seen.failed),
            ] {
                metrics::counter!(WEBHOOK_DELIVERIES, "outcome" => outcome).absolute(value);
            }
        }
        self.handle.render()
    }

    /// `GET /metrics` in the Prometheus text format.
    pub fn router(self) -> Router {
        Router::new().route(
            "/metrics",
            get(move || {
                let body = self.render();
                async move { ([(CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response() }
            }),
        )
    }
}
