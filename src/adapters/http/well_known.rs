//! RFC 9728 protected resource metadata, at the root and path-suffixed forms.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::ports::identity::IdentityProvider;

#[derive(Clone)]
pub struct ResourceMetadata {
    /// The canonical URL of our MCP endpoint (RFC 8707 resource).
    pub resource: String,
    pub scopes_supported: Vec<&'static str>,
    pub identity: Arc<dyn IdentityProvider>,
}

pub const METADATA_PATH: &str = "/.well-known/oauth-protected-resource";

/// Routes for `/.well-known/oauth-protected-resource` and its `/mcp` suffix.
pub fn routes(metadata: ResourceMetadata) -> Router {
    Router::new()
        .route(METADATA_PATH, get(serve_metadata))
        .route(&format!("{METADATA_PATH}/mcp"), get(serve_metadata))
        .with_state(metadata)
}

async fn serve_metadata(State(metadata): State<ResourceMetadata>) -> Response {
    let issuer = match metadata.identity.metadata().await {
        Ok(idp) => idp.issuer,
        Err(error) => {
            return (StatusCode::SERVICE_UNAVAILABLE, error.to_string()).into_response();
        }
    };
    Json(json!({
        "resource": metadata.resource,
        "authorization_servers": [issuer],
        "scopes_supported": metadata.scopes_supported,
        "bearer_methods_supported": ["header"],
        "resource_name": "nextcloud-mcp",
    }))
    .into_response()
}
