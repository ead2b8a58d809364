//! Chooses and builds the adapters the configuration asks for, and the use
//! cases and edges around them. Nothing here runs yet: `startup` serves what
//! this builds and starts its background work.

mod index;
mod store;

use std::sync::Arc;

use crate::adapters::documents::BoundedDocumentReader;
use crate::adapters::http::basic_users::BasicUsers;
use crate::adapters::http::webhook_receiver::ReceiverState;
use crate::adapters::http::{HttpEdge, OAuthEdge, ToolScopeGate};
use crate::adapters::idp;
use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::server::ToolContext;
use crate::adapters::mcp::tool_scopes::ToolScopes;
use crate::adapters::nextcloud::HttpNextcloud;
use crate::app::config::{Config, ConfigError, StoreAccess};
use crate::domain::credential::AuthMode;
use crate::domain::scopes::{MissingScopes, ScopeSet};
use crate::ports::consent::ConsentService;
use crate::ports::identity::{IdentityProvider, IdpError};
use crate::ports::login_flow::LoginFlowApi;
use crate::ports::nextcloud::NextcloudConnector;
use crate::ports::store::{AuditLog, Store};
use crate::ports::webhooks::{EventIntake, WebhookAdmin};
use crate::service::consent::ConsentManager;
use crate::service::credentials::CredentialResolver;
use crate::service::login_flow::{ConnectedAccounts, LoginFlowConsent};
use crate::service::offline::OfflineAccess;
use crate::service::readiness::Readiness;
use crate::service::sync::IndexSync;
use crate::service::webhooks::{QueueWorker, WebhookRuntime, WebhookService};
use crate::telemetry::metered_idp::MeteredIdentityProvider;
use index::index_sync;
use store::{StoreAuditLog, opened};

pub use store::{open_configured_store, store_needed_by};

pub struct Wired {
    pub mcp: NextcloudMcp,
    /// The routes around MCP.
    pub http: HttpEdge,
    /// Present when a feature needs it (see [`store_needed_by`]).
    pub store: Option<Arc<dyn Store>>,
    pub connector: Arc<dyn NextcloudConnector>,
    /// Present when progressive consent is on: the background jobs' access.
    pub offline: Option<Arc<OfflineAccess>>,
    /// Present in login-flow mode: the callers' connected accounts.
    pub accounts: Option<Arc<ConnectedAccounts>>,
    /// Present when WEBHOOK_SECRET is set: the worker, not yet running.
    pub webhooks: Option<WebhookJobs>,
    /// Present when VECTOR_SYNC_ENABLED: the index sync, not yet running.
    pub sync: Option<Arc<IndexSync>>,
}

/// The webhook work that runs beside the server.
pub struct WebhookJobs {
    pub service: Arc<WebhookService>,
    pub worker: QueueWorker,
    /// The receiver's side, whose counters `/metrics` folds in.
    pub intake: Arc<dyn EventIntake>,
}

/// The MCP edge's tool table is what the HTTP edge checks scopes against;
/// the two edges meet here so neither imports the other.
impl ToolScopeGate for ToolScopes {
    fn check(&self, tool: &str, granted: &ScopeSet) -> Result<(), MissingScopes> {
        ToolScopes::check(self, tool, granted)
    }

    fn all_scopes(&self) -> Vec<&'static str> {
        ToolScopes::all_scopes(self)
    }
}

fn invalid(setting: &'static str) -> impl Fn(String) -> ConfigError {
    move |reason| ConfigError::Invalid { setting, reason }
}

/// An IdP that does not answer at start is named as such, not as a wrong
/// setting: the operator's next step differs.
fn idp_start_error(url: &url::Url, error: IdpError) -> ConfigError {
    match error {
        IdpError::Unavailable { detail, .. } => ConfigError::Unreachable {
            service: "identity provider",
            setting: "OIDC_DISCOVERY_URL",
            url: url.to_string(),
            reason: detail,
        },
        other => invalid("OIDC_DISCOVERY_URL")(other.to_string()),
    }
}

/// Builds everything. The store is opened (created, migrated) when a feature
/// needs it ([`store_needed_by`]),
/// and in OAuth modes the IdP's discovery is fetched, so a wrong setting fails
/// at start, not at the first call. Nextcloud is not asked anything here:
/// [`crate::app::startup::probe_in_background`] does that once serving.
pub async fn wire(config: &Config) -> Result<Wired, ConfigError> {
    let nextcloud = HttpNextcloud::new(config.nextcloud_url.clone(), config.request_timeout)
        .map_err(|e| invalid("NEXTCLOUD_HOST")(e.to_string()))?;
    let login_flow_api: Arc<dyn LoginFlowApi> = Arc::new(nextcloud.clone());
    let connector: Arc<dyn NextcloudConnector> = Arc::new(nextcloud);
    let store = match store_needed_by(config) {
        Some(feature) => Some(
            open_configured_store(&StoreAccess {
                location: config.store.location.clone(),
                keyring: config.store.keyring.clone(),
            })
            .await
            .map_err(|e| {
                let needed = |reason| format!("{reason} (the store is needed for {feature})");
                match e {
                    ConfigError::Invalid { setting, reason } => ConfigError::Invalid {
                        setting,
                        reason: needed(reason),
                    },
                    ConfigError::Unusable { setting, reason } => ConfigError::Unusable {
                        setting,
                        reason: needed(reason),
                    },
                    other => other,
                }
            })?,
        ),
        None => None,
    };

    let mut consent: Option<Arc<dyn ConsentService>> = None;
    let mut offline = None;
    let mut accounts = None;
    let (identity, oauth) = match &config.oauth {
        Some(oauth) => {
            let identity: Arc<dyn IdentityProvider> = idp::connect(oauth.idp.clone())
                .await
                .map_err(|e| idp_start_error(&oauth.idp.issuer_or_discovery_url, e))?;
            let identity: Arc<dyn IdentityProvider> = Arc::new(MeteredIdentityProvider(identity));
            if config.store.progressive_consent {
                let provider = identity
                    .metadata()
                    .await
                    .map_err(|e| invalid("OIDC_DISCOVERY_URL")(e.to_string()))?
                    .issuer;
                let redirect_uri = oauth.callback_url.clone();
                let store = opened(&store)?;
                consent = Some(Arc::new(
                    ConsentManager::new(
                        store.clone(),
                        identity.clone(),
                        provider.clone(),
                        redirect_uri,
                    )
                    .forgetting_in(store.clone()),
                ));
                offline = Some(Arc::new(OfflineAccess::new(
                    store.clone(),
                    identity.clone(),
                    provider,
                )));
            }
            // The OAuth callback is offline consent's; login flows are polled.
            let callback = consent.clone();
            if let AuthMode::LoginFlow(policy) = &config.mode {
                let provider = identity
                    .metadata()
                    .await
                    .map_err(|e| invalid("OIDC_DISCOVERY_URL")(e.to_string()))?
                    .issuer;
                let connected = ConnectedAccounts::new(
                    opened(&store)?,
                    login_flow_api.clone(),
                    provider,
                    policy.clone(),
                );
                consent = Some(Arc::new(LoginFlowConsent(connected.clone())));
                accounts = Some(connected);
            }
            let edge = OAuthEdge {
                identity: identity.clone(),
                server_url: oauth.server_url.clone(),
                allowed_clients: config.store.allowed_clients.clone(),
                consent: callback,
            };
            (Some(identity), Some(edge))
        }
        None => (None, None),
    };
    let webhooks = match config.webhooks.secret.clone() {
        Some(secret) => Some(WebhookRuntime::new(
            secret,
            config.webhooks.receiver_url.clone(),
            config.webhooks.queue_capacity,
            opened(&store)?,
        )),
        None => None,
    };
    let (sync, index) = if config.sync.enabled {
        let (sync, reader) = index_sync(
            config,
            opened(&store)?,
            offline.clone(),
            accounts.clone(),
            &connector,
        )
        .await?;
        (Some(sync), Some(reader))
    } else {
        (None, None)
    };
    let mut credentials = CredentialResolver::new(
        config.mode.clone(),
        connector.clone(),
        identity.clone(),
        store
            .clone()
            .map(|store| Arc::new(StoreAuditLog(store)) as Arc<dyn AuditLog>),
    );
    if let Some(accounts) = &accounts {
        credentials = credentials.with_connected_accounts(accounts.clone());
    }
    let mcp = NextcloudMcp::new(ToolContext {
        credentials,
        consent,
        webhooks: webhooks
            .as_ref()
            .map(|w| w.service.clone() as Arc<dyn WebhookAdmin>),
        index,
        documents: Arc::new(BoundedDocumentReader::default()),
    });
    let http = HttpEdge {
        readiness: Readiness::new(connector.clone(), config.mode.clone(), identity),
        oauth,
        webhooks: webhooks
            .as_ref()
            .map(|w| ReceiverState::new(&w.secret, w.intake.clone())),
        // Without it this mode would serve /mcp with no authentication.
        basic_users: matches!(config.mode, AuthMode::MultiUserBasic)
            .then(|| Arc::new(BasicUsers::new(connector.clone()))),
    };
    Ok(Wired {
        mcp,
        http,
        store,
        connector,
        offline,
        sync,
        accounts,
        webhooks: webhooks.map(|w| WebhookJobs {
            service: w.service,
            worker: w.worker,
            intake: w.intake,
        }),
    })
}
