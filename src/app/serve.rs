//! The HTTP server: MCP at `/mcp` (stateless Streamable HTTP), `/healthz`,
//! `/readyz`, and graceful shutdown that lets in-flight calls finish.

use std::future::Future;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use serde_json::json;
use tokio::net::TcpListener;

use axum::middleware;
use url::Url;

use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::auth::{AuthState, require_bearer};
use crate::adapters::mcp::consent_routes;
use crate::adapters::mcp::well_known::{self, METADATA_PATH, ResourceMetadata};
use crate::domain::credential::Credential;
use crate::domain::credential::{AuthMode, CredentialPlan, CredentialSecret, plan_credential};
use crate::ports::consent::ConsentService;
use crate::ports::identity::IdentityProvider;
use crate::ports::nextcloud::NextcloudConnector;

/// What `/readyz` needs: Nextcloud, the mode, and the IdP in OAuth modes.
#[derive(Clone)]
pub struct Readiness {
    pub connector: Arc<dyn NextcloudConnector>,
    pub mode: AuthMode,
    pub identity: Option<Arc<dyn IdentityProvider>>,
}

impl Readiness {
    /// Basic mode: Nextcloud accepts the app password. OAuth modes: Nextcloud
    /// answers and the identity provider's discovery is reachable.
    async fn check(&self) -> Result<(), String> {
        if let Ok(CredentialPlan::Ready {
            user_id: Some(user_id),
            secret: secret @ CredentialSecret::AppPassword(_),
        }) = plan_credential(&self.mode, None)
        {
            return self
                .connector
                .connect(Credential { user_id, secret })
                .current_user_id()
                .await
                .map(|_| ())
                .map_err(|e| e.to_string());
        }
        self.connector
            .check_reachable()
            .await
            .map_err(|e| e.to_string())?;
        match &self.identity {
            Some(identity) => identity
                .metadata()
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
            None => Err("no identity provider is configured for an OAuth mode".into()),
        }
    }
}

pub struct HttpOptions {
    /// Host names clients may use; empty keeps rmcp's loopback-only default.
    pub allowed_hosts: Vec<String>,
}

/// The OAuth resource-server side of the HTTP edge.
#[derive(Clone)]
pub struct OAuthEdge {
    pub identity: Arc<dyn IdentityProvider>,
    /// Canonical URL of our /mcp endpoint (the audience tokens must name).
    pub server_url: Url,
    /// The client registry: OAuth client ids allowed to call; empty = any.
    pub allowed_clients: Vec<String>,
    /// Flow 2's callback route is mounted when consent is on.
    pub consent: Option<Arc<dyn ConsentService>>,
}

impl OAuthEdge {
    /// RFC 9728 3.1: the well-known segment goes between host and path.
    pub fn resource_metadata_url(&self) -> String {
        let mut url = self.server_url.clone();
        let path = format!(
            "{METADATA_PATH}{}",
            self.server_url.path().trim_end_matches('/')
        );
        url.set_path(&path);
        url.set_query(None);
        url.to_string()
    }
}

pub fn router(
    mcp: NextcloudMcp,
    readiness: Readiness,
    oauth: Option<OAuthEdge>,
    options: HttpOptions,
) -> Router {
    let mut config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .with_sse_keep_alive(None);
    if !options.allowed_hosts.is_empty() {
        config = config.with_allowed_hosts(options.allowed_hosts);
    }
    let scopes = mcp.tool_scopes();
    // Mounted only when WEBHOOK_SECRET is set; the receiver checks the
    // secret itself, so it stays outside the bearer middleware.
    let webhook_routes = mcp.webhook_routes();
    let service = StreamableHttpService::new(
        move || Ok(mcp.clone()),
        Arc::new(NeverSessionManager::default()),
        config,
    );
    let base = Router::new()
        .route(
            "/healthz",
            get(|| async { Json(json!({ "status": "alive" })) }),
        )
        .route("/readyz", get(readyz).with_state(readiness));
    let base = match webhook_routes {
        Some(routes) => base.merge(routes),
        None => base,
    };
    match oauth {
        None => base.nest_service("/mcp", service),
        Some(edge) => {
            let auth = AuthState {
                identity: edge.identity.clone(),
                scopes: scopes.clone(),
                resource_metadata_url: edge.resource_metadata_url(),
                allowed_clients: Arc::new(edge.allowed_clients.clone()),
            };
            let protected = Router::new()
                .nest_service("/mcp", service)
                .layer(middleware::from_fn_with_state(auth, require_bearer));
            let mut app = base
                .merge(protected)
                .merge(well_known::routes(ResourceMetadata {
                    resource: edge.server_url.to_string(),
                    scopes_supported: scopes.all_scopes(),
                    identity: edge.identity,
                }));
            if let Some(consent) = edge.consent {
                app = app.merge(consent_routes::routes(consent));
            }
            app
        }
    }
}

async fn readyz(State(readiness): State<Readiness>) -> impl IntoResponse {
    let mode = readiness.mode.name();
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

/// Serves until `shutdown` resolves, then stops accepting and waits for
/// in-flight requests to finish.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Resolves on SIGTERM or SIGINT.
pub async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown requested; finishing in-flight calls");
}
