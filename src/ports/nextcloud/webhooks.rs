//! Nextcloud's webhook_listeners registrations.

use async_trait::async_trait;

use crate::domain::webhooks::{RemoteWebhook, WebhookDraft};

use super::NextcloudError;

/// Nextcloud's webhook_listeners OCS API
/// (`/ocs/v2.php/apps/webhook_listeners/api/v1/webhooks`). Only admins (or
/// delegated admins) may use it; others get [`NextcloudError::Forbidden`].
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait WebhooksApi: Send + Sync {
    async fn register_webhook(&self, draft: &WebhookDraft)
    -> Result<RemoteWebhook, NextcloudError>;
    /// Every webhook, or only those delivering to exactly `uri`.
    async fn list_webhooks(
        &self,
        uri: Option<String>,
    ) -> Result<Vec<RemoteWebhook>, NextcloudError>;
    async fn get_webhook(&self, id: i64) -> Result<RemoteWebhook, NextcloudError>;
    /// Replaces the whole registration (`POST /webhooks/{id}`).
    async fn update_webhook(
        &self,
        id: i64,
        draft: &WebhookDraft,
    ) -> Result<RemoteWebhook, NextcloudError>;
    /// `Ok(false)` when Nextcloud had no such webhook (it answers 200 `data:false`).
    async fn delete_webhook(&self, id: i64) -> Result<bool, NextcloudError>;
}
