//! The store: which feature needs it, opening it, and the audit-only view
//! of it that per-call code gets.

use std::sync::Arc;

use secrecy::ExposeSecret;

use super::invalid;
use crate::adapters::store::open_store;
use crate::app::config::{Config, ConfigError, StoreAccess};
use crate::domain::audit::AuditEvent;
use crate::ports::store::{AuditLog, Store, StoreError};
use crate::telemetry::record::store_error;

/// The audit-only view of the store handed to per-call code.
pub(super) struct StoreAuditLog(pub(super) Arc<dyn Store>);

#[async_trait::async_trait]
impl AuditLog for StoreAuditLog {
    async fn record(&self, event: &AuditEvent) -> Result<(), StoreError> {
        self.0
            .append_audit(event)
            .await
            .inspect_err(|_| store_error("audit"))
    }
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
pub(super) fn opened(store: &Option<Arc<dyn Store>>) -> Result<Arc<dyn Store>, ConfigError> {
    store.clone().ok_or(ConfigError::Missing {
        setting: "TOKEN_STORAGE_DB/DATABASE_URL",
        hint: "a feature that keeps state is on, but no store was opened",
    })
}
