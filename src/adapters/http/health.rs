//! `/healthz` (the process answers) and `/readyz` (it can do its work).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde_json::json;

use crate::service::readiness::Readiness;

pub(super) async fn healthz() -> impl IntoResponse {
    Json(json!({ "status": "alive" }))
}

pub(super) async fn readyz(State(readiness): State<Readiness>) -> impl IntoResponse {
    let mode = readiness.mode().name();
    match readiness.check().await {
        Ok(()) => (
            StatusCode::OK,
            Json(json!({ "status": "ready", "mode": mode })),
        ),
        Err(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "not ready", "mode": mode, "reason": reason })),
        ),
    }
}
