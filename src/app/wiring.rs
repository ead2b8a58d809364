//! Chooses and builds the adapters the configuration asks for, and the use
//! cases and edges around them. Nothing here runs yet: `startup` serves what
//! this builds and starts its background work.

use std::sync::Arc;

use secrecy::ExposeSecret;

use crate::adapters::documents::BoundedDocumentReader;
use crate::adapters::embeddings::{EmbeddingsSettings, OpenAiEmbedder};
use crate::adapters::http::basic_users::BasicUsers;
use crate::adapters::http::webhook_receiver::ReceiverState;
use crate::adapters::http::{HttpEdge, OAuthEdge, ToolScopeGate};
use crate::adapters::idp;
use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::server::ToolContext;
use crate::adapters::mcp::tool_scopes::ToolScopes;
use crate::adapters::nextcloud::HttpNextcloud;
use crate::adapters::store::open_store;
use crate::app::config::{Config, ConfigError, StoreAccess};
use crate::domain::audit::AuditEvent;
use crate::domain::credential::AuthMode;
use crate::domain::index::vectors::VectorEngine;
use crate::domain::scopes::{MissingScopes, ScopeSet};
use crate::ports::consent::ConsentService;
use crate::ports::embedder::Embedder;
use crate::ports::identity::{IdentityProvider, IdpError};
use crate::ports::login_flow::LoginFlowApi;
use crate::ports::nextcloud::NextcloudConnector;
use crate::ports::store::{AuditLog, Store, StoreError};
use crate::ports::webhooks::{EventIntake, WebhookAdmin};
use crate::service::consent::ConsentManager;
use crate::service::credentials::CredentialResolver;
use crate::service::login_flow::{ConnectedAccounts, LoginFlowConsent};
use crate::service::offline::{ConnectedSyncAccess, OfflineAccess, OfflineSyncAccess};
use crate::service::readiness::Readiness;
use crate::service::sync::{
    BasicSyncAccess, IndexReader, IndexSync, Semantic, SyncAccess, SyncSettings,
};
use crate::service::webhooks::{QueueWorker, WebhookRuntime, WebhookService};
use crate::telemetry::metered_idp::MeteredIdentityProvider;
use crate::telemetry::record::store_error;

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

/// Users the sync may act for: the basic-mode user, those who connected
/// their account (login-flow mode), or those who granted offline access.
/// Token exchange stores no grant, so it has no sync.
async fn index_sync(
    config: &Config,
    store: Arc<dyn Store>,
    offline: Option<Arc<OfflineAccess>>,
    accounts: Option<Arc<ConnectedAccounts>>,
    connector: &Arc<dyn NextcloudConnector>,
) -> Result<(Arc<IndexSync>, Arc<IndexReader>), ConfigError> {
    let (access, default_owner): (Arc<dyn SyncAccess>, Option<String>) =
        match (&config.mode, offline) {
            (
                AuthMode::Basic {
                    username,
                    app_password,
                },
                _,
            ) => (
                Arc::new(BasicSyncAccess::new(username.clone(), app_password.clone())),
                Some(username.clone()),
            ),
            (AuthMode::LoginFlow(_), _) => match accounts {
                Some(accounts) => (Arc::new(ConnectedSyncAccess::new(accounts)), None),
                None => {
                    return Err(invalid("VECTOR_SYNC_ENABLED")(
                        "login-flow mode has no connected accounts to sync".into(),
                    ));
                }
            },
            (AuthMode::MultiUserBasic, _) => {
                return Err(invalid("VECTOR_SYNC_ENABLED")(
                    "the index sync does not act through multi-user-basic accounts yet; \
                     turn it off in this mode"
                        .into(),
                ));
            }
            (_, Some(offline)) => (Arc::new(OfflineSyncAccess::new(offline)), None),
            (_, None) => {
                return Err(invalid("VECTOR_SYNC_ENABLED")(
                    "in the OAuth modes the sync acts through users' offline access: \
                     set ENABLE_PROGRESSIVE_CONSENT=true (pass-through mode)"
                        .into(),
                ));
            }
        };
    let semantic = semantic(config, &store).await?;
    let sync = IndexSync::new(
        store.clone(),
        store.clone(),
        access.clone(),
        connector.clone(),
        config.nextcloud_url.clone(),
        SyncSettings {
            interval: config.sync.interval,
            apps: config.sync.apps.clone(),
            max_users_at_once: SYNC_USERS_AT_ONCE,
        },
    );
    let reader =
        IndexReader::new(store, default_owner, config.sync.apps.clone()).with_access(access);
    let (sync, reader) = match semantic {
        Some(semantic) => (
            sync.with_semantic(semantic.clone()),
            reader.with_semantic(semantic),
        ),
        None => (sync, reader),
    };
    Ok((Arc::new(sync), Arc::new(reader)))
}

/// The embedding service and the store's vector search, when configured;
/// the start-up log says which search runs and where vectors are compared.
async fn semantic(
    config: &Config,
    store: &Arc<dyn Store>,
) -> Result<Option<Semantic>, ConfigError> {
    let Some((embedder, setting)) = embedder(config).await? else {
        tracing::info!(
            "search index: keyword search only (set NEXTCLOUD_MCP_EMBEDDINGS_URL for semantic search)"
        );
        return Ok(None);
    };
    let dimensions = embedder.dimensions();
    let engine = store.prepare_vectors(dimensions).await.map_err(|e| {
        invalid(setting)(format!("the store could not be prepared for vectors: {e}"))
    })?;
    let compared = match &engine {
        VectorEngine::Database(version) => format!("by pgvector {version} (HNSW index)"),
        VectorEngine::InProcess => "in this process, one user's vectors at a time \
            (SQLite, or PostgreSQL without the pgvector extension)"
            .to_string(),
    };
    tracing::info!(
        model = %embedder.model(),
        dimensions,
        "search index: hybrid keyword and semantic search; vectors compared {compared}"
    );
    Ok(Some(Semantic {
        embedder,
        vectors: store.clone(),
    }))
}

/// The configured embedder and the setting an error about it should name:
/// an OpenAI-compatible service, or a model run in this process.
async fn embedder(
    config: &Config,
) -> Result<Option<(Arc<dyn Embedder>, &'static str)>, ConfigError> {
    if let Some(settings) = &config.sync.embeddings {
        let service = OpenAiEmbedder::new(EmbeddingsSettings {
            url: settings.url.clone(),
            model: settings.model.clone(),
            key: settings.key.clone(),
            dimensions: settings.dimensions,
            timeout: config.request_timeout,
        })
        .map_err(|e| invalid("NEXTCLOUD_MCP_EMBEDDINGS_URL")(e.to_string()))?;
        tracing::info!(
            endpoint = %crate::adapters::embeddings::endpoint_of(&settings.url),
            "search index: embeddings from an OpenAI-compatible service"
        );
        return Ok(Some((
            Arc::new(service),
            "NEXTCLOUD_MCP_EMBEDDINGS_DIMENSIONS",
        )));
    }
    let Some(dir) = &config.sync.model_dir else {
        return Ok(None);
    };
    in_process_model(dir).await
}

#[cfg(feature = "embeddings-onnx")]
async fn in_process_model(
    dir: &std::path::Path,
) -> Result<Option<(Arc<dyn Embedder>, &'static str)>, ConfigError> {
    let model = crate::adapters::embeddings::onnx::OnnxEmbedder::open(dir.to_path_buf())
        .await
        .map_err(|e| invalid("NEXTCLOUD_MCP_EMBEDDINGS_MODEL_DIR")(e.to_string()))?;
    tracing::info!(folder = %dir.display(), "search index: embeddings from a model in this process");
    Ok(Some((
        Arc::new(model),
        "NEXTCLOUD_MCP_EMBEDDINGS_MODEL_DIR",
    )))
}

/// Configuration refuses a model folder in a build without the feature;
/// this only keeps that promise should the check ever be bypassed.
#[cfg(not(feature = "embeddings-onnx"))]
async fn in_process_model(
    _dir: &std::path::Path,
) -> Result<Option<(Arc<dyn Embedder>, &'static str)>, ConfigError> {
    Err(invalid("NEXTCLOUD_MCP_EMBEDDINGS_MODEL_DIR")(
        "this build cannot run a model in process; build with `--features embeddings-onnx`".into(),
    ))
}

/// Users synced at once: each pass is mostly waiting on Nextcloud, and a
/// few at a time keep one Nextcloud from feeling the sync.
const SYNC_USERS_AT_ONCE: usize = 4;

/// The webhook work that runs beside the server.
pub struct WebhookJobs {
    pub service: Arc<WebhookService>,
    pub worker: QueueWorker,
    /// The receiver's side, whose counters `/metrics` folds in.
    pub intake: Arc<dyn EventIntake>,
}

/// The audit-only view of the store handed to per-call code.
struct StoreAuditLog(Arc<dyn Store>);

#[async_trait::async_trait]
impl AuditLog for StoreAuditLog {
    async fn record(&self, event: &AuditEvent) -> Result<(), StoreError> {
        self.0
            .append_audit(event)
            .await
            .inspect_err(|_| store_error("audit"))
    }
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

/// Opens (creates, migrates) the store the settings name; `serve`, `stdio`
/// and `admin` all open it here.
pub async fn open_configured_store(access: &StoreAccess) -> Result<Arc<dyn Store>, ConfigError> {
    const SETTING: &str = "TOKEN_STORAGE_DB/DATABASE_URL";
    open_store(access.location.expose_secret(), access.keyring.clone())
        .await
        .map_err(|e| match e {
            // Not "is invalid": the location may be right and the database down.
            StoreError::Unavailable(_) => ConfigError::Unusable {
                setting: SETTING,
                reason: e.to_string(),
            },
            other => invalid(SETTING)(other.to_string()),
        })
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

/// Which feature needs the store, named for the error when it cannot be
/// opened; `None` when nothing does. Single-user stdio in basic mode needs
/// nothing writable, so an unwritable or missing HOME does not stop it.
pub fn store_needed_by(config: &Config) -> Option<&'static str> {
    if config.store.progressive_consent {
        Some("offline access (ENABLE_PROGRESSIVE_CONSENT)")
    } else if config.sync.enabled {
        Some("the search index (VECTOR_SYNC_ENABLED)")
    } else if config.webhooks.secret.is_some() {
        Some("webhooks (WEBHOOK_SECRET)")
    } else if config.oauth.is_some() {
        Some("the audit log of OAuth modes")
    } else if config.store.location_set {
        Some("the location set in TOKEN_STORAGE_DB/DATABASE_URL")
    } else {
        None
    }
}

/// The store a feature needs; [`store_needed_by`] opened it for that feature.
fn opened(store: &Option<Arc<dyn Store>>) -> Result<Arc<dyn Store>, ConfigError> {
    store.clone().ok_or(ConfigError::Missing {
        setting: "TOKEN_STORAGE_DB/DATABASE_URL",
        hint: "a feature that keeps state is on, but no store was opened",
    })
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
