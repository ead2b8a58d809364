//! The background sync that keeps each connected user's search index fresh
//! (docs/adr/0010-search-index.md). A pass lists every connected owner,
//! removes the documents of owners no longer connected, and syncs each
//! owner under a job lease so one replica works on a user at a time.

mod access;
mod backoff;
mod collections;
mod embed;
mod reader;
mod sources;
mod user;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use tokio::sync::{Notify, Semaphore};
use tokio_util::sync::CancellationToken;
use url::Url;

pub use access::{AccessError, BasicSyncAccess, SyncAccess};
pub use embed::{EMBED_BATCH, EmbedPassError, MAX_BATCHES_PER_PASS, embed_app};
pub use reader::{IndexReader, ReadError, SearchMode, SearchOutcome, SearchRequest};
pub use sources::{MAX_FILE_BYTES, is_indexable_file};
pub use user::{AppReport, PassError};

use crate::domain::credential::Credential;
use crate::domain::index::DocApp;
use crate::domain::webhooks::WebhookEvent;
use crate::ports::embedder::{EmbedError, Embedder};
use crate::ports::index::SearchIndex;
use crate::ports::nextcloud::{NextcloudConnector, NextcloudError};
use crate::ports::store::JobLeases;
use crate::ports::vectors::VectorIndex;
use crate::ports::webhooks::{EventHandler, HandlerError};
use crate::service::clock::now;

/// A pass over one user rarely takes this long; a replica that dies holding
/// the lease delays that user by this much at most.
const OWNER_LEASE_SECS: i64 = 600;

#[derive(Clone, Debug)]
pub struct SyncSettings {
    pub interval: Duration,
    /// The apps indexed in this deployment.
    pub apps: Vec<DocApp>,
    /// Users synced at once; each user's apps run one after another.
    pub max_users_at_once: usize,
}

/// What one pass did, for logs and tests.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PassReport {
    pub synced: u64,
    /// Skipped: leased by another replica, or backing off.
    pub skipped: u64,
    pub failed: u64,
    /// Owners whose documents were removed (access gone).
    pub purged: u64,
    pub written: u64,
    pub removed: u64,
    /// Vectors stored (semantic search on).
    pub embedded: u64,
}

/// The embedder and where its vectors go, when semantic search is on.
#[derive(Clone)]
pub struct Semantic {
    pub embedder: Arc<dyn Embedder>,
    pub vectors: Arc<dyn VectorIndex>,
}

pub struct IndexSync {
    index: Arc<dyn SearchIndex>,
    leases: Arc<dyn JobLeases>,
    access: Arc<dyn SyncAccess>,
    connector: Arc<dyn NextcloudConnector>,
    nextcloud: Url,
    settings: SyncSettings,
    semantic: Option<Semantic>,
    /// Names this replica in job leases.
    holder: String,
    backoff: Mutex<backoff::Backoff>,
    /// Nextcloud user id -> owner, learned while syncing: webhook
    /// deliveries name the Nextcloud user.
    owner_of: Mutex<HashMap<String, String>>,
    /// Owners a webhook delivery asked to sync before the next tick.
    wanted: Mutex<HashSet<String>>,
    wake: Notify,
}

enum OwnerOutcome {
    Synced(AppReport),
    Skipped,
    Purged,
    Failed,
}

impl IndexSync {
    pub fn new(
        index: Arc<dyn SearchIndex>,
        leases: Arc<dyn JobLeases>,
        access: Arc<dyn SyncAccess>,
        connector: Arc<dyn NextcloudConnector>,
        nextcloud: Url,
        settings: SyncSettings,
    ) -> Self {
        Self {
            index,
            leases,
            access,
            connector,
            nextcloud,
            settings,
            semantic: None,
            holder: format!("replica-{}", uuid::Uuid::new_v4()),
            backoff: Mutex::default(),
            owner_of: Mutex::default(),
            wanted: Mutex::default(),
            wake: Notify::new(),
        }
    }

    /// Embeds new and changed documents after each app's pass.
    pub fn with_semantic(mut self, semantic: Semantic) -> Self {
        self.semantic = Some(semantic);
        self
    }

    /// Syncs every connected owner (or only `only`, when given) once.
    pub async fn run_pass(self: &Arc<Self>, only: Option<HashSet<String>>) -> PassReport {
        let mut report = PassReport::default();
        let owners = match self.access.owners().await {
            Ok(owners) => owners,
            Err(error) => {
                tracing::warn!(%error, "index sync: connected users could not be listed");
                report.failed += 1;
                return report;
            }
        };
        // Users whose access is gone (revoked, refused) leave the index.
        if only.is_none() {
            match self.index.owners().await {
                Ok(indexed) => {
                    for owner in indexed.iter().filter(|o| !owners.contains(o)) {
                        if self.purge(owner).await {
                            report.purged += 1;
                        }
                    }
                }
                Err(error) => tracing::warn!(%error, "index sync: indexed owners unreadable"),
            }
        }
        let limit = Arc::new(Semaphore::new(self.settings.max_users_at_once.max(1)));
        let mut running = tokio::task::JoinSet::new();
        for owner in owners {
            if only.as_ref().is_some_and(|o| !o.contains(&owner)) {
                continue;
            }
            let ready = self
                .backoff
                .lock()
                .expect("backoff lock")
                .ready(&owner, Instant::now());
            if !ready {
                report.skipped += 1;
                continue;
            }
            let permit = limit.clone().acquire_owned().await.expect("semaphore open");
            let this = self.clone();
            running.spawn(async move {
                let outcome = this.sync_owner(&owner).await;
                drop(permit);
                outcome
            });
        }
        while let Some(done) = running.join_next().await {
            match done {
                Ok(OwnerOutcome::Synced(apps)) => {
                    report.synced += 1;
                    report.written += apps.written;
                    report.removed += apps.removed;
                    report.embedded += apps.embedded;
                }
                Ok(OwnerOutcome::Skipped) => report.skipped += 1,
                Ok(OwnerOutcome::Purged) => report.purged += 1,
                Ok(OwnerOutcome::Failed) | Err(_) => report.failed += 1,
            }
        }
        report
    }

    async fn purge(&self, owner: &str) -> bool {
        match self.index.purge_owner(owner).await {
            Ok(gone) => {
                tracing::info!(
                    owner,
                    documents = gone,
                    "index sync: access gone, documents removed"
                );
                true
            }
            Err(error) => {
                tracing::warn!(owner, %error, "index sync: documents could not be removed");
                false
            }
        }
    }

    async fn sync_owner(&self, owner: &str) -> OwnerOutcome {
        let lease = format!("index-sync:{owner}");
        let at = now();
        match self
            .leases
            .try_lease(&lease, &self.holder, at, at.plus_secs(OWNER_LEASE_SECS))
            .await
        {
            Ok(true) => {}
            Ok(false) => return OwnerOutcome::Skipped,
            Err(error) => {
                tracing::warn!(owner, %error, "index sync: lease unavailable");
                return OwnerOutcome::Failed;
            }
        }
        let outcome = self.sync_leased(owner).await;
        if let Err(error) = self.leases.release_lease(&lease, &self.holder).await {
            tracing::warn!(owner, %error, "index sync: lease not released; it expires");
        }
        outcome
    }

    async fn sync_leased(&self, owner: &str) -> OwnerOutcome {
        let mut credential = match self.access.credential(owner).await {
            Ok(credential) => credential,
            Err(AccessError::Gone(_, why)) => {
                tracing::info!(owner, reason = %why, "index sync: stopping for this user");
                return if self.purge(owner).await {
                    OwnerOutcome::Purged
                } else {
                    OwnerOutcome::Failed
                };
            }
            Err(AccessError::Transient(why)) => {
                tracing::warn!(owner, reason = %why, "index sync: no credential this pass");
                self.back_off(owner, None);
                return OwnerOutcome::Failed;
            }
        };
        if credential.user_id.is_empty() {
            // A bearer token: Nextcloud tells whose it is, and DAV paths need it.
            match self
                .connector
                .connect(credential.clone())
                .current_user_id()
                .await
            {
                Ok(user) => credential.user_id = user,
                Err(error) => {
                    self.nextcloud_failed(owner, &credential, &error).await;
                    return OwnerOutcome::Failed;
                }
            }
        }
        self.owner_of
            .lock()
            .expect("owner map lock")
            .insert(credential.user_id.clone(), owner.to_string());
        let api = self.connector.connect(credential.clone());
        let mut total = AppReport::default();
        let mut any_failed = false;
        for app in &self.settings.apps {
            match user::sync_app(&*self.index, &*api, &self.nextcloud, owner, *app, now().0).await {
                Ok(done) => {
                    total.written += done.written;
                    total.removed += done.removed;
                    total.unchanged += done.unchanged;
                    match self.embed(owner, *app).await {
                        Ok(n) => total.embedded += n,
                        Err(EmbedPassError::Embed(
                            error @ (EmbedError::Busy { .. } | EmbedError::Unreachable { .. }),
                        )) => {
                            // As for Nextcloud's 429: this owner waits, the
                            // words written so far stay searchable.
                            tracing::warn!(owner, %error, "index sync: embeddings unavailable; backing off");
                            self.back_off(owner, None);
                            return OwnerOutcome::Failed;
                        }
                        Err(error) => {
                            tracing::warn!(owner, app = app.as_str(), %error, "index sync: embedding failed");
                            any_failed = true;
                        }
                    }
                }
                Err(PassError::Nextcloud(error))
                    if slow_down(&error).is_some()
                        || matches!(error, NextcloudError::CredentialRejected) =>
                {
                    // Every other app would hear the same.
                    self.nextcloud_failed(owner, &credential, &error).await;
                    return OwnerOutcome::Failed;
                }
                Err(error) => {
                    // One app failing (not installed for this user, a
                    // malformed item) does not hold up the others.
                    tracing::warn!(owner, app = app.as_str(), %error, "index sync: app failed");
                    any_failed = true;
                }
            }
        }
        if any_failed {
            return OwnerOutcome::Failed;
        }
        self.backoff.lock().expect("backoff lock").succeeded(owner);
        OwnerOutcome::Synced(total)
    }

    async fn embed(&self, owner: &str, app: DocApp) -> Result<u64, EmbedPassError> {
        match &self.semantic {
            Some(s) => embed_app(&*s.vectors, &*s.embedder, owner, app).await,
            None => Ok(0),
        }
    }

    /// A failure of the whole pass: a refused credential is reported to the
    /// access (which may end the owner's sync); the owner backs off.
    async fn nextcloud_failed(&self, owner: &str, credential: &Credential, error: &NextcloudError) {
        if matches!(error, NextcloudError::CredentialRejected) {
            self.access.rejected(owner, credential).await;
        }
        self.failed(owner, error);
    }

    fn failed(&self, owner: &str, error: &NextcloudError) {
        tracing::warn!(owner, %error, "index sync: Nextcloud failed; backing off");
        self.back_off(owner, slow_down(error).flatten());
    }

    fn back_off(&self, owner: &str, hint: Option<Duration>) {
        self.backoff.lock().expect("backoff lock").failed(
            owner,
            self.settings.interval,
            hint,
            Instant::now(),
        );
    }

    /// Asks for `owner` to be synced soon, before the next tick.
    pub fn request(&self, owner: &str) {
        self.wanted
            .lock()
            .expect("wanted lock")
            .insert(owner.to_string());
        self.wake.notify_one();
    }

    /// A webhook delivery in `nextcloud_user`'s session: their owner, if the
    /// sync has met them, is synced soon.
    pub fn request_for_nextcloud_user(&self, nextcloud_user: &str) {
        let owner = self
            .owner_of
            .lock()
            .expect("owner map lock")
            .get(nextcloud_user)
            .cloned();
        if let Some(owner) = owner {
            self.request(&owner);
        }
    }

    /// Runs a pass every interval, and a targeted one when asked, until
    /// `stop` is cancelled.
    pub fn spawn(self: Arc<Self>, stop: CancellationToken) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(self.settings.interval);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                let only = tokio::select! {
                    _ = stop.cancelled() => break,
                    _ = ticker.tick() => None,
                    _ = self.wake.notified() => {
                        Some(std::mem::take(&mut *self.wanted.lock().expect("wanted lock")))
                    }
                };
                let report = self.run_pass(only).await;
                tracing::info!(
                    synced = report.synced,
                    skipped = report.skipped,
                    failed = report.failed,
                    purged = report.purged,
                    written = report.written,
                    removed = report.removed,
                    embedded = report.embedded,
                    "index sync pass"
                );
            }
        })
    }
}

/// `Some(retry-after)` for errors that mean "later": 429, 5xx, timeouts.
fn slow_down(error: &NextcloudError) -> Option<Option<Duration>> {
    match error {
        NextcloudError::RateLimited(after) => Some(after.map(Duration::from_secs)),
        NextcloudError::Unavailable(_) | NextcloudError::Timeout(_) => Some(None),
        _ => None,
    }
}

/// Webhook deliveries wake the sync for the user they fired for, then go
/// on to the handler that was there before.
pub struct SyncOnEvent {
    pub sync: Arc<IndexSync>,
    pub then: Arc<dyn EventHandler>,
}

#[async_trait]
impl EventHandler for SyncOnEvent {
    async fn handle(&self, event: &WebhookEvent) -> Result<(), HandlerError> {
        if let Some(user) = &event.user {
            self.sync.request_for_nextcloud_user(user);
        }
        self.then.handle(event).await
    }
}
