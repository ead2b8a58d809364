//! Webhooks: registrations kept in the store (what we asked Nextcloud for,
//! its id, when, status), presets switched as a unit, reconcile both ways,
//! and the bounded queue with its worker (see ADR 0006).
//!
//! Status reads the database only; Nextcloud is asked when registering,
//! deleting, listing or reconciling.

mod queue;
mod reconcile;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};
use tokio::task::JoinHandle;
use url::Url;

pub use queue::{LogEventHandler, QueueWorker, WebhookQueue};

use crate::domain::credential::Credential;
use crate::domain::time::UnixTime;
use crate::domain::webhooks::{Preset, ReconcileReport, WebhookDraft, WebhookSpec};
use crate::ports::nextcloud::{NextcloudConnector, WebhooksApi};
use crate::ports::store::{NewWebhook, Store, StoreError, WebhookRegistration, WebhookStatus};
use crate::ports::webhooks::{
    DeleteReport, EventIntake, LocalWebhook, PresetReport, PresetState, RemoteListing,
    StatusReport, WebhookAdmin, WebhookError,
};
use crate::service::clock::now;
use reconcile::spec_of;

pub struct WebhookService {
    store: Arc<dyn Store>,
    receiver_url: Option<Url>,
    secret: SecretString,
    intake: Arc<dyn EventIntake>,
    /// Names this replica in job leases.
    holder: String,
}

/// How long a replica may take to register one webhook at Nextcloud before
/// another may claim the registration (a replica that died mid-way).
const REGISTER_LEASE: Duration = Duration::from_secs(60);
/// How often a replica waiting for another's registration looks again.
const REGISTER_POLL: Duration = Duration::from_millis(200);

fn later(now: UnixTime, by: Duration) -> UnixTime {
    UnixTime(now.0 + by.as_secs() as i64)
}

/// Everything webhooks need at run time: the admin service, the queue the
/// receiver offers to, and the worker's end of that queue, not yet running.
pub struct WebhookRuntime {
    pub service: Arc<WebhookService>,
    pub intake: Arc<dyn EventIntake>,
    pub secret: SecretString,
    pub worker: QueueWorker,
}

impl WebhookRuntime {
    /// The queue (at most `queue_capacity` events) and the service around
    /// it; `receiver_url` is where Nextcloud is told to deliver.
    pub fn new(
        secret: SecretString,
        receiver_url: Option<Url>,
        queue_capacity: usize,
        store: Arc<dyn Store>,
    ) -> Self {
        let (queue, worker) = WebhookQueue::new(queue_capacity);
        let intake: Arc<dyn EventIntake> = queue;
        let service = Arc::new(WebhookService::new(
            store,
            receiver_url,
            secret.clone(),
            intake.clone(),
        ));
        Self {
            service,
            intake,
            secret,
            worker,
        }
    }
}

/// Reconciles once in the background at start-up, with the server's own
/// Nextcloud credential (only basic mode has one before any call: the app
/// password, which must be an admin's). Without it, logs that an admin
/// should run nc_webhooks_reconcile.
pub fn reconcile_at_start(
    service: Arc<WebhookService>,
    credential: Option<Credential>,
    connector: Arc<dyn NextcloudConnector>,
) -> Option<JoinHandle<()>> {
    let Some(credential) = credential else {
        tracing::info!(
            "webhook reconcile at start-up skipped: OAuth modes have no Nextcloud credential \
             before a call; an admin can run nc_webhooks_reconcile"
        );
        return None;
    };
    Some(tokio::spawn(async move {
        let nc = connector.connect(credential);
        if let Err(error) = service.reconcile(&*nc, false).await {
            tracing::warn!(%error, "webhook reconcile at start-up failed");
        }
    }))
}

fn wanted(row: &WebhookRegistration) -> bool {
    row.status != WebhookStatus::Disabled
}

impl WebhookService {
    pub fn new(
        store: Arc<dyn Store>,
        receiver_url: Option<Url>,
        secret: SecretString,
        intake: Arc<dyn EventIntake>,
    ) -> Self {
        Self {
            store,
            receiver_url,
            secret,
            intake,
            holder: uuid::Uuid::new_v4().to_string(),
        }
    }

    fn receiver_url(&self) -> Result<&Url, WebhookError> {
        self.receiver_url
            .as_ref()
            .ok_or(WebhookError::NoReceiverUrl)
    }

    fn draft(&self, spec: &WebhookSpec, uri: &str) -> WebhookDraft {
        let bearer = SecretString::from(format!("Bearer {}", self.secret.expose_secret()));
        WebhookDraft::to_receiver(spec, uri, bearer)
    }

    /// Registers `row` at Nextcloud and records the outcome on it: active,
    /// or `on_failure` (`Failed` keeps it wanted for the next reconcile;
    /// `Disabled` when the caller is told and may ask again).
    async fn register_row(
        &self,
        nc: &dyn WebhooksApi,
        row: &WebhookRegistration,
        spec: &WebhookSpec,
        uri: &str,
        on_failure: WebhookStatus,
    ) -> Result<i64, WebhookError> {
        match nc.register_webhook(&self.draft(spec, uri)).await {
            Ok(remote) => {
                self.store
                    .update_webhook(row.id, WebhookStatus::Active, Some(remote.id))
                    .await?;
                tracing::info!(id = row.id, nextcloud_id = remote.id, event = %spec.event, "webhook registered");
                Ok(remote.id)
            }
            Err(error) => {
                self.store.update_webhook(row.id, on_failure, None).await?;
                Err(error.into())
            }
        }
    }

    /// The wanted row for `spec` at `uri` (the store keeps at most one), or a
    /// new pending one. A replica inserting the same row at the same moment
    /// makes the insert conflict; its row is then ours too.
    async fn row_for(
        &self,
        spec: &WebhookSpec,
        uri: &str,
    ) -> Result<WebhookRegistration, WebhookError> {
        let find = |rows: Vec<WebhookRegistration>| {
            rows.into_iter()
                .filter(|r| wanted(r) && r.uri == uri && spec_of(r) == *spec)
                .max_by_key(|r| (r.status == WebhookStatus::Active, r.id))
        };
        if let Some(row) = find(self.store.list_webhooks().await?) {
            return Ok(row);
        }
        let inserted = self
            .store
            .insert_webhook(&NewWebhook {
                event: spec.event.clone(),
                filter: spec.filter.to_value(),
                uri: uri.to_string(),
                created_at: now(),
            })
            .await;
        match inserted {
            Ok(row) => Ok(row),
            Err(StoreError::Conflict(what)) => find(self.store.list_webhooks().await?)
                .ok_or_else(|| StoreError::Conflict(what).into()),
            Err(e) => Err(e.into()),
        }
    }

    /// Registers `spec` unless an active registration has it already. Of
    /// replicas doing this at once, the one that claims the row registers
    /// it at Nextcloud; the others wait for its outcome.
    async fn ensure(
        &self,
        nc: &dyn WebhooksApi,
        spec: &WebhookSpec,
    ) -> Result<(LocalWebhook, bool), WebhookError> {
        let uri = self.receiver_url()?.to_string();
        let waiting_since = tokio::time::Instant::now();
        loop {
            let row = self.row_for(spec, &uri).await?;
            if row.status == WebhookStatus::Active && row.nextcloud_id.is_some() {
                return Ok(((&row).into(), false));
            }
            let now = now();
            if self
                .store
                .claim_webhook(row.id, now, later(now, REGISTER_LEASE))
                .await?
            {
                let id = self
                    .register_row(nc, &row, spec, &uri, WebhookStatus::Disabled)
                    .await?;
                let row = WebhookRegistration {
                    nextcloud_id: Some(id),
                    status: WebhookStatus::Active,
                    ..row
                };
                return Ok(((&row).into(), true));
            }
            if waiting_since.elapsed() > REGISTER_LEASE * 2 {
                return Err(WebhookError::Busy(format!(
                    "another replica is still registering {}",
                    spec.event
                )));
            }
            tokio::time::sleep(REGISTER_POLL).await;
        }
    }

    /// Deletes `row` at Nextcloud (if it has an id there) and disables it here.
    async fn retire(
        &self,
        nc: &dyn WebhooksApi,
        row: &WebhookRegistration,
    ) -> Result<bool, WebhookError> {
        let existed = match row.nextcloud_id {
            Some(id) => nc.delete_webhook(id).await?,
            None => false,
        };
        self.store
            .update_webhook(row.id, WebhookStatus::Disabled, row.nextcloud_id)
            .await?;
        Ok(existed)
    }
}

#[async_trait]
impl WebhookAdmin for WebhookService {
    async fn register(
        &self,
        nc: &dyn WebhooksApi,
        spec: WebhookSpec,
    ) -> Result<LocalWebhook, WebhookError> {
        self.ensure(nc, &spec).await.map(|(local, _)| local)
    }

    async fn list_remote(
        &self,
        nc: &dyn WebhooksApi,
        all: bool,
    ) -> Result<Vec<RemoteListing>, WebhookError> {
        let uri = match (all, self.receiver_url()) {
            (false, Err(e)) => return Err(e),
            (_, url) => url.ok().map(Url::to_string),
        };
        let remote = nc
            .list_webhooks(if all { None } else { uri.clone() })
            .await?;
        let rows = self.store.list_webhooks().await?;
        Ok(remote
            .into_iter()
            .map(|webhook| RemoteListing {
                ours: uri.as_deref() == Some(webhook.uri.as_str())
                    || rows.iter().any(|r| r.uri == webhook.uri),
                local_id: rows
                    .iter()
                    .filter(|r| r.nextcloud_id == Some(webhook.id))
                    .max_by_key(|r| (wanted(r), r.id))
                    .map(|r| r.id),
                webhook,
            })
            .collect())
    }

    async fn delete(
        &self,
        nc: &dyn WebhooksApi,
        nextcloud_id: i64,
    ) -> Result<DeleteReport, WebhookError> {
        let existed = nc.delete_webhook(nextcloud_id).await?;
        let mut local_id = None;
        for row in self.store.list_webhooks().await? {
            if row.nextcloud_id == Some(nextcloud_id) && wanted(&row) {
                self.store
                    .update_webhook(row.id, WebhookStatus::Disabled, row.nextcloud_id)
                    .await?;
                local_id = Some(row.id);
            }
        }
        Ok(DeleteReport {
            nextcloud_id,
            existed_at_nextcloud: existed,
            local_id,
        })
    }

    /// All or nothing: if one registration fails, those made by this call
    /// are removed again and the error is returned.
    async fn enable_preset(
        &self,
        nc: &dyn WebhooksApi,
        preset: Preset,
        user_id: &str,
    ) -> Result<PresetReport, WebhookError> {
        let mut report = PresetReport {
            preset: Some(preset),
            ..PresetReport::default()
        };
        let mut made = Vec::new();
        for spec in preset.specs(user_id) {
            match self.ensure(nc, &spec).await {
                Ok((local, changed)) => {
                    if changed {
                        report.changed += 1;
                        made.push(local.clone());
                    } else {
                        report.unchanged += 1;
                    }
                    report.webhooks.push(local);
                }
                Err(error) => {
                    for local in made {
                        let rollback = async {
                            let rows = self.store.list_webhooks().await?;
                            match rows.iter().find(|r| r.id == local.id) {
                                Some(row) => self.retire(nc, row).await.map(drop),
                                None => Ok(()),
                            }
                        };
                        if let Err(e) = rollback.await {
                            tracing::warn!(error = %e, id = local.id, "preset rollback incomplete; run a reconcile");
                        }
                    }
                    return Err(error);
                }
            }
        }
        Ok(report)
    }

    async fn disable_preset(
        &self,
        nc: &dyn WebhooksApi,
        preset: Preset,
        user_id: &str,
    ) -> Result<PresetReport, WebhookError> {
        let specs = preset.specs(user_id);
        let mut report = PresetReport {
            preset: Some(preset),
            ..PresetReport::default()
        };
        for row in self.store.list_webhooks().await? {
            if !specs.contains(&spec_of(&row)) {
                continue;
            }
            if wanted(&row) {
                self.retire(nc, &row).await?;
                report.changed += 1;
                report.webhooks.push(
                    (&WebhookRegistration {
                        status: WebhookStatus::Disabled,
                        ..row
                    })
                        .into(),
                );
            } else {
                report.unchanged += 1;
            }
        }
        Ok(report)
    }

    async fn reconcile(
        &self,
        nc: &dyn WebhooksApi,
        force: bool,
    ) -> Result<ReconcileReport, WebhookError> {
        self.run_reconcile(nc, force).await
    }

    async fn status(&self) -> Result<StatusReport, WebhookError> {
        let registrations: Vec<LocalWebhook> = self
            .store
            .list_webhooks()
            .await?
            .iter()
            .map(Into::into)
            .collect();
        let presets = Preset::ALL
            .into_iter()
            .map(|preset| PresetState {
                preset,
                active: registrations
                    .iter()
                    .filter(|r| {
                        r.preset == Some(preset) && r.status == WebhookStatus::Active.as_str()
                    })
                    .count(),
                expected: preset.events().len(),
            })
            .filter(|state| state.active > 0)
            .collect();
        Ok(StatusReport {
            receiver_url: self.receiver_url.as_ref().map(Url::to_string),
            registrations,
            presets,
            counters: self.intake.counters().snapshot(),
            queue: self.intake.gauge(),
        })
    }
}
