//! The HTTP server's routes: MCP at `/mcp` (stateless Streamable HTTP),
//! `/healthz`, `/readyz`, and, as configured, the bearer middleware in front
//! of `/mcp`, the protected-resource metadata, the consent callback and the
//! webhook receiver. The `Origin` check runs first on `/mcp`, before any
//! authentication.

use std::sync::Arc;

use axum::Router;
use axum::middleware;
use axum::routing::get;
use rmcp::ServerHandler;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use url::Url;

use super::auth::{AuthState, ToolScopeGate, require_bearer};
use super::basic_users::{BasicUsers, require_basic_user};
use super::consent_callback;
use super::health::{healthz, readyz};
use super::origin::{OriginPolicy, check_origin};
use super::static_bearer::{StaticBearer, require_static_bearer};
use super::webhook_receiver::{self, ReceiverState};
use super::well_known::{self, METADATA_PATH, ResourceMetadata};
use crate::ports::consent::ConsentService;
use crate::ports::identity::IdentityProvider;
use crate::service::readiness::Readiness;

/// Everything the HTTP edge serves besides the MCP handler itself.
pub struct HttpEdge {
    pub readiness: Readiness,
    /// Present in OAuth modes: what the edge needs to authenticate.
    pub oauth: Option<OAuthEdge>,
    /// The webhook receiver, when WEBHOOK_SECRET is set.
    pub webhooks: Option<ReceiverState>,
    /// Multi-user basic: the per-request Basic check in front of `/mcp`.
    pub basic_users: Option<Arc<BasicUsers>>,
}

/// The OAuth resource-server side of the HTTP edge.
#[derive(Clone)]
pub struct OAuthEdge {
    pub identity: Arc<dyn IdentityProvider>,
    /// Canonical URL of our /mcp endpoint (the audience tokens must name).
    pub server_url: Url,
    /// The client registry: OAuth client ids allowed to call; empty = any.
    pub allowed_clients: Vec<String>,
    /// The offline-access callback route is mounted when consent is on.
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

/// Who may reach `/mcp` before authentication is even looked at.
#[derive(Clone, Default)]
pub struct EdgeGuards {
    /// Host names clients may use (empty keeps rmcp's loopback-only default).
    pub allowed_hosts: Vec<String>,
    /// Browser origins that may call.
    pub origins: OriginPolicy,
    /// Basic mode's static bearer token, when one is configured.
    pub basic_bearer: Option<StaticBearer>,
}

/// All routes: `mcp` answers at `/mcp`; `scopes` says which soft scopes each
/// of its tools needs (checked before a call reaches it in OAuth modes).
pub fn router<H>(
    mcp: H,
    scopes: Arc<dyn ToolScopeGate>,
    edge: HttpEdge,
    guards: EdgeGuards,
) -> Router
where
    H: ServerHandler + Clone + Send + Sync + 'static,
{
    let allowed_hosts = guards.allowed_hosts;
    let mut config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .with_sse_keep_alive(None);
    if !allowed_hosts.is_empty() {
        config = config.with_allowed_hosts(allowed_hosts);
    }
    let service = StreamableHttpService::new(
        move || Ok(mcp.clone()),
        Arc::new(NeverSessionManager::default()),
        config,
    );
    let base = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz).with_state(edge.readiness));
    // The receiver checks the webhook secret itself, so it stays outside the
    // bearer middleware.
    let base = match edge.webhooks {
        Some(receiver) => base.merge(webhook_receiver::routes(receiver)),
        None => base,
    };
    let origin = middleware::from_fn_with_state(guards.origins, check_origin);
    match edge.oauth {
        None => {
            let mcp = Router::new().nest_service("/mcp", service);
            let mcp = match guards.basic_bearer {
                Some(bearer) => mcp.layer(middleware::from_fn_with_state(
                    bearer,
                    require_static_bearer,
                )),
                None => mcp,
            };
            let mcp = match edge.basic_users {
                Some(users) => mcp.layer(middleware::from_fn_with_state(users, require_basic_user)),
                None => mcp,
            };
            base.merge(mcp.layer(origin))
        }
        Some(oauth) => {
            let auth = AuthState {
                identity: oauth.identity.clone(),
                scopes: scopes.clone(),
                resource_metadata_url: oauth.resource_metadata_url(),
                allowed_clients: Arc::new(oauth.allowed_clients.clone()),
            };
            let protected = Router::new()
                .nest_service("/mcp", service)
                .layer(middleware::from_fn_with_state(auth, require_bearer))
                .layer(origin);
            let mut app = base
                .merge(protected)
                .merge(well_known::routes(ResourceMetadata {
                    resource: oauth.server_url.to_string(),
                    scopes_supported: scopes.all_scopes(),
                    identity: oauth.identity,
                }));
            if let Some(consent) = oauth.consent {
                app = app.merge(consent_callback::routes(consent));
            }
            app
        }
    }
}
