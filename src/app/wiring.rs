//! Chooses and builds the adapters the configuration asks for.

use std::sync::Arc;

use secrecy::ExposeSecret;

use crate::adapters::idp;
use crate::adapters::mcp::consent_routes::CALLBACK_PATH;
use crate::adapters::mcp::server::ToolContext;
use crate::adapters::mcp::webhook_routes::{ReceiverState, WebhookEdge};
use crate::adapters::mcp::{CredentialResolver, NextcloudMcp};
use crate::adapters::nextcloud::HttpNextcloud;
use crate::adapters::store::open_store;
use crate::app::config::{Config, ConfigError};
use crate::app::consent::ConsentManager;
use crate::app::jobs::OfflineAccess;
use crate::app::serve::{OAuthEdge, Readiness};
use crate::app::webhooks::{self, LogEventHandler};
use crate::domain::audit::AuditEvent;
use crate::domain::credential::{AuthMode, Credential, CredentialSecret};
use crate::ports::consent::ConsentService;
use crate::ports::identity::IdentityProvider;
use crate::ports::nextcloud::NextcloudConnector;
use crate::ports::store::{AuditLog, Store, StoreError};

pub struct Wired {
    pub mcp: NextcloudMcp,
    pub readiness: Readiness,
    /// Present in OAuth modes: what the HTTP edge needs to authenticate.
    pub oauth: Option<OAuthEdge>,
    pub store: Arc<dyn Store>,
    /// Present when progressive consent is on: the background jobs' access.
    pub offline: Option<Arc<OfflineAccess>>,
}

/// The audit-only view of the store handed to per-call code.
struct StoreAuditLog(Arc<dyn Store>);

#[async_trait::async_trait]
impl AuditLog for StoreAuditLog {
    async fn record(&self, event: &AuditEvent) -> Result<(), StoreError> {
        self.0.append_audit(event).await
    }
}

fn invalid(setting: &'static str) -> impl Fn(String) -> ConfigError {
    move |reason| ConfigError::Invalid { setting, reason }
}

/// Builds everything. The store is opened (created, migrated) in every mode,
/// and in OAuth modes the IdP's discovery is fetched, so a wrong setting fails
/// at start, not at the first call.
pub async fn wire(config: &Config) -> Result<Wired, ConfigError> {
    let nextcloud = HttpNextcloud::new(config.nextcloud_url.clone(), config.request_timeout)
        .map_err(|e| invalid("NEXTCLOUD_HOST")(e.to_string()))?;
    let connector: Arc<dyn NextcloudConnector> = Arc::new(nextcloud);
    let store = open_store(
        config.store.location.expose_secret(),
        config.store.keyring.clone(),
    )
    .await
    .map_err(|e| invalid("TOKEN_STORAGE_DB/DATABASE_URL")(e.to_string()))?;

    let mut consent: Option<Arc<dyn ConsentService>> = None;
    let mut offline = None;
    let (identity, oauth) = match &config.oauth {
        Some(oauth) => {
            let identity: Arc<dyn IdentityProvider> = idp::connect(oauth.idp.clone())
                .await
                .map_err(|e| invalid("OIDC_DISCOVERY_URL")(e.to_string()))?;
            if config.store.progressive_consent {
                let provider = identity
                    .metadata()
                    .await
                    .map_err(|e| invalid("OIDC_DISCOVERY_URL")(e.to_string()))?
                    .issuer;
                let mut redirect_uri = oauth.server_url.clone();
                redirect_uri.set_path(CALLBACK_PATH);
                redirect_uri.set_query(None);
                consent = Some(Arc::new(ConsentManager::new(
                    store.clone(),
                    identity.clone(),
                    provider.clone(),
                    redirect_uri,
                )));
                offline = Some(Arc::new(OfflineAccess::new(
                    store.clone(),
                    identity.clone(),
                    provider,
                )));
            }
            let edge = OAuthEdge {
                identity: identity.clone(),
                server_url: oauth.server_url.clone(),
                allowed_clients: config.store.allowed_clients.clone(),
                consent: consent.clone(),
            };
            (Some(identity), Some(edge))
        }
        None => (None, None),
    };
    let mcp = NextcloudMcp::new(ToolContext {
        credentials: CredentialResolver::new(
            config.mode.clone(),
            connector.clone(),
            identity.clone(),
            Some(Arc::new(StoreAuditLog(store.clone()))),
        ),
        consent,
        webhooks: webhook_edge(config, store.clone(), connector.clone()),
    });
    // Basic mode has one credential, so the installed apps can be probed now;
    // in OAuth modes nc_refresh_capabilities probes with a caller's token.
    if let AuthMode::Basic {
        username,
        app_password,
    } = &config.mode
    {
        let api = connector.connect(Credential {
            user_id: username.clone(),
            secret: CredentialSecret::AppPassword(app_password.clone()),
        });
        let _ = mcp.refresh_installed_apps(&*api).await;
    }
    let readiness = Readiness {
        connector,
        mode: config.mode.clone(),
        identity,
    };
    Ok(Wired {
        mcp,
        readiness,
        oauth,
        store,
        offline,
    })
}

/// Webhooks when WEBHOOK_SECRET is set: the queue and its worker start here,
/// and a reconcile runs in the background when asked for at start-up.
fn webhook_edge(
    config: &Config,
    store: Arc<dyn Store>,
    connector: Arc<dyn NextcloudConnector>,
) -> Option<WebhookEdge> {
    let runtime = webhooks::start(&config.webhooks, store, Arc::new(LogEventHandler))?;
    if config.webhooks.reconcile_on_start {
        webhooks::reconcile_at_start(runtime.service.clone(), &config.mode, connector);
    }
    Some(WebhookEdge {
        admin: runtime.service,
        receiver: ReceiverState::new(&runtime.secret, runtime.intake),
    })
}
