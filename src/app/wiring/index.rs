//! The search index's wiring: whose data the sync acts for, and which
//! embedder and vector search it uses, if any.

use std::sync::Arc;

use super::invalid;
use crate::adapters::embeddings::{EmbeddingsSettings, OpenAiEmbedder};
use crate::app::config::{Config, ConfigError};
use crate::domain::credential::AuthMode;
use crate::domain::index::vectors::VectorEngine;
use crate::ports::embedder::Embedder;
use crate::ports::nextcloud::NextcloudConnector;
use crate::ports::store::Store;
use crate::service::login_flow::ConnectedAccounts;
use crate::service::offline::{ConnectedSyncAccess, OfflineAccess, OfflineSyncAccess};
use crate::service::sync::{
    BasicSyncAccess, IndexReader, IndexSync, Semantic, SyncAccess, SyncSettings,
};

/// Users the sync may act for: the basic-mode user, those who connected
/// their account (login-flow mode), or those who granted offline access.
/// Token exchange stores no grant, so it has no sync.
pub(super) async fn index_sync(
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
