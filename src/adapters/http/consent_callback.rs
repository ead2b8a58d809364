//! The offline-access callback: the browser comes back from the IdP with
//! `code` and `state`; the code is redeemed server-side and never shown or
//! logged.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use secrecy::SecretString;
use serde::Deserialize;

use crate::ports::consent::ConsentService;

pub const CALLBACK_PATH: &str = "/oauth/callback";

#[derive(Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

pub fn routes(consent: Arc<dyn ConsentService>) -> Router {
    Router::new()
        .route(CALLBACK_PATH, get(callback))
        .with_state(consent)
}

fn page(status: StatusCode, title: &str, detail: &str) -> Response {
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let body = format!(
        "<!doctype html><meta charset=\"utf-8\"><title>{t}</title><h1>{t}</h1><p>{d}</p>",
        t = escape(title),
        d = escape(detail)
    );
    (status, Html(body)).into_response()
}

async fn callback(
    State(consent): State<Arc<dyn ConsentService>>,
    Query(query): Query<CallbackQuery>,
) -> Response {
    if let Some(error) = query.error {
        let code: String = error
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(64)
            .collect();
        return page(
            StatusCode::BAD_REQUEST,
            "Access not granted",
            &format!("The identity provider answered: {code}."),
        );
    }
    let (Some(code), Some(state)) = (query.code, query.state) else {
        return page(
            StatusCode::BAD_REQUEST,
            "Access not granted",
            "The link is incomplete (no code or state).",
        );
    };
    match consent.complete(&SecretString::from(code), &state).await {
        Ok(_) => page(
            StatusCode::OK,
            "Nextcloud access granted",
            "This server may now work in your Nextcloud in the background. You can close this window.",
        ),
        Err(error) => {
            tracing::info!(%error, "consent callback refused");
            page(
                StatusCode::BAD_REQUEST,
                "Access not granted",
                &error.to_string(),
            )
        }
    }
}
