//! Webhooks as the rest of the program sees them:
//! - [`EventHandler`]: the extension point. The background worker calls it
//!   for every accepted event; later jobs (search index, cache invalidation)
//!   plug in here.
//! - [`EventIntake`]: the receiver's side of the bounded queue. Offering never
//!   waits, so a slow handler never makes a delivery wait.
//! - [`WebhookAdmin`]: registrations, presets and reconcile, for the MCP tools.

use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use serde::Serialize;

use crate::domain::webhooks::{
    EventFilter, Preset, ReconcileReport, RemoteWebhook, WebhookEvent, WebhookSpec,
};
use crate::ports::nextcloud::{NextcloudError, WebhooksApi};
use crate::ports::store::{StoreError, WebhookRegistration};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct HandlerError(pub String);

#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait EventHandler: Send + Sync {
    /// Acts on one event. Called by the worker, one event at a time, in the
    /// order they were accepted. An error is logged and counted, nothing more.
    async fn handle(&self, event: &WebhookEvent) -> Result<(), HandlerError>;
}

/// What became of an event offered to the queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Offered {
    Queued,
    /// The queue is at its bound; the event was dropped (and counted).
    Full,
    /// The worker has stopped (shutting down).
    Closed,
}

/// How full the queue is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct QueueGauge {
    pub depth: usize,
    pub capacity: usize,
}

pub trait EventIntake: Send + Sync {
    /// Hands an event to the worker without waiting.
    fn offer(&self, event: WebhookEvent) -> Offered;
    fn counters(&self) -> &WebhookCounters;
    fn gauge(&self) -> QueueGauge;
}

/// What the receiver and the worker have seen since start (per replica).
#[derive(Debug, Default)]
pub struct WebhookCounters {
    /// Every POST to the receiver.
    pub received: AtomicU64,
    /// Wrong or missing secret: 401, nothing queued.
    pub rejected_auth: AtomicU64,
    /// Not a delivery (bad JSON, no event class, missing fields): 400.
    pub malformed: AtomicU64,
    /// A class this server does not know: 202, dropped.
    pub unknown: AtomicU64,
    pub queued: AtomicU64,
    /// The queue was full: 503, dropped.
    pub dropped_full: AtomicU64,
    /// Handled without error.
    pub processed: AtomicU64,
    /// The handler returned an error.
    pub failed: AtomicU64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CounterSnapshot {
    pub received: u64,
    pub rejected_auth: u64,
    pub malformed: u64,
    pub unknown: u64,
    pub queued: u64,
    pub dropped_full: u64,
    pub processed: u64,
    pub failed: u64,
}

impl WebhookCounters {
    pub fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> CounterSnapshot {
        let read = |c: &AtomicU64| c.load(Ordering::Relaxed);
        CounterSnapshot {
            received: read(&self.received),
            rejected_auth: read(&self.rejected_auth),
            malformed: read(&self.malformed),
            unknown: read(&self.unknown),
            queued: read(&self.queued),
            dropped_full: read(&self.dropped_full),
            processed: read(&self.processed),
            failed: read(&self.failed),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error(
        "no public URL for the webhook receiver: set NEXTCLOUD_MCP_WEBHOOK_URL to the address \
         Nextcloud can POST to (this server's /webhooks/nextcloud)"
    )]
    NoReceiverUrl,
    #[error("{0}")]
    Invalid(String),
    /// Another replica is doing the same work right now; try again shortly.
    #[error("{0}; try again shortly")]
    Busy(String),
    #[error("{0}")]
    Nextcloud(#[from] NextcloudError),
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// One of our registrations, as the database has it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LocalWebhook {
    pub id: i64,
    pub nextcloud_id: Option<i64>,
    pub event: String,
    pub filter: EventFilter,
    pub uri: String,
    pub created_at: i64,
    pub status: &'static str,
    pub preset: Option<Preset>,
}

impl From<&WebhookRegistration> for LocalWebhook {
    fn from(r: &WebhookRegistration) -> Self {
        let filter = EventFilter::from_remote(&r.filter);
        Self {
            id: r.id,
            nextcloud_id: r.nextcloud_id,
            preset: Preset::recognise(&r.event, &filter),
            event: r.event.clone(),
            filter,
            uri: r.uri.clone(),
            created_at: r.created_at.0,
            status: r.status.as_str(),
        }
    }
}

/// A webhook at Nextcloud, and whether it is one of ours.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RemoteListing {
    #[serde(flatten)]
    pub webhook: RemoteWebhook,
    /// Delivered to our receiver.
    pub ours: bool,
    /// Our registration that records it.
    pub local_id: Option<i64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct PresetReport {
    pub preset: Option<Preset>,
    /// Registrations newly made (enable) or removed (disable) at Nextcloud.
    pub changed: u32,
    /// Already as asked.
    pub unchanged: u32,
    pub webhooks: Vec<LocalWebhook>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DeleteReport {
    pub nextcloud_id: i64,
    /// False when Nextcloud had no such webhook.
    pub existed_at_nextcloud: bool,
    /// Our registration, now disabled, if it was ours.
    pub local_id: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PresetState {
    pub preset: Preset,
    pub active: usize,
    pub expected: usize,
}

/// Status from the database and this replica's counters; Nextcloud is not asked.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StatusReport {
    pub receiver_url: Option<String>,
    pub registrations: Vec<LocalWebhook>,
    /// Presets with at least one active registration.
    pub presets: Vec<PresetState>,
    pub counters: CounterSnapshot,
    pub queue: QueueGauge,
}

/// Registration management for admins. `nc` is the caller's Nextcloud
/// client: webhook_listeners only serves admins.
#[async_trait]
pub trait WebhookAdmin: Send + Sync {
    async fn register(
        &self,
        nc: &dyn WebhooksApi,
        spec: WebhookSpec,
    ) -> Result<LocalWebhook, WebhookError>;
    /// Webhooks at Nextcloud: ours only, or `all`.
    async fn list_remote(
        &self,
        nc: &dyn WebhooksApi,
        all: bool,
    ) -> Result<Vec<RemoteListing>, WebhookError>;
    /// Deletes at Nextcloud by its id; our record of it, if any, is disabled.
    async fn delete(
        &self,
        nc: &dyn WebhooksApi,
        nextcloud_id: i64,
    ) -> Result<DeleteReport, WebhookError>;
    async fn enable_preset(
        &self,
        nc: &dyn WebhooksApi,
        preset: Preset,
        user_id: &str,
    ) -> Result<PresetReport, WebhookError>;
    async fn disable_preset(
        &self,
        nc: &dyn WebhooksApi,
        preset: Preset,
        user_id: &str,
    ) -> Result<PresetReport, WebhookError>;
    /// Compares the database with Nextcloud and repairs both ways; `force`
    /// re-registers every wanted webhook (after changing WEBHOOK_SECRET).
    async fn reconcile(
        &self,
        nc: &dyn WebhooksApi,
        force: bool,
    ) -> Result<ReconcileReport, WebhookError>;
    async fn status(&self) -> Result<StatusReport, WebhookError>;
}
