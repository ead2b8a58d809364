//! Reconcile: the database says what we want, Nextcloud what exists. Wanted
//! registrations missing at Nextcloud are registered again (or adopted when
//! Nextcloud has them under our URI without our id), and webhooks under our
//! URIs that nothing wanted claims are deleted at Nextcloud.

use std::collections::HashSet;
use std::time::Duration;

use crate::domain::webhooks::{EventFilter, ReconcileReport, RemoteWebhook, WebhookSpec};
use crate::ports::nextcloud::WebhooksApi;
use crate::ports::store::{NewWebhook, StoreError, WebhookRegistration, WebhookStatus};
use crate::ports::webhooks::WebhookError;
use crate::service::clock::now;

use super::{REGISTER_LEASE, WebhookService, later};

pub(super) fn spec_of(row: &WebhookRegistration) -> WebhookSpec {
    WebhookSpec {
        event: row.event.clone(),
        filter: EventFilter::from_remote(&row.filter),
    }
}

/// The job lease reconcile runs under: one replica at a time.
const RECONCILE_JOB: &str = "webhooks.reconcile";
/// Longer than a reconcile of many webhooks takes; a replica that dies
/// mid-reconcile blocks the next one for this long at most.
const RECONCILE_LEASE: Duration = Duration::from_secs(300);

impl WebhookService {
    /// Reconciles unless another replica is reconciling (`Busy`): two
    /// reconciles at once would each delete what the other just registered.
    pub(super) async fn run_reconcile(
        &self,
        nc: &dyn WebhooksApi,
        force: bool,
    ) -> Result<ReconcileReport, WebhookError> {
        let now = now();
        let taken = self
            .store
            .try_lease(
                RECONCILE_JOB,
                &self.holder,
                now,
                later(now, RECONCILE_LEASE),
            )
            .await?;
        if !taken {
            return Err(WebhookError::Busy(
                "another replica is reconciling the webhooks".into(),
            ));
        }
        let result = self.reconcile_leased(nc, force).await;
        if let Err(error) = self.store.release_lease(RECONCILE_JOB, &self.holder).await {
            tracing::warn!(%error, "reconcile lease not released; it expires by itself");
        }
        result
    }

    async fn reconcile_leased(
        &self,
        nc: &dyn WebhooksApi,
        force: bool,
    ) -> Result<ReconcileReport, WebhookError> {
        let uri = self.receiver_url()?.to_string();
        let rows = self.store.list_webhooks().await?;
        let remote = nc.list_webhooks(None).await?;
        // Ours: our current URI and any URI we registered before it.
        let our_uris: HashSet<&str> = rows
            .iter()
            .map(|r| r.uri.as_str())
            .chain([uri.as_str()])
            .collect();
        let ours: Vec<&RemoteWebhook> = remote
            .iter()
            .filter(|w| our_uris.contains(w.uri.as_str()))
            .collect();
        let mut claimed = HashSet::new();
        // Specs another replica is registering right now: their fresh
        // webhooks at Nextcloud are not strays.
        let mut in_flight: Vec<WebhookSpec> = Vec::new();
        let mut report = ReconcileReport::default();

        for row in rows.iter().filter(|r| r.status != WebhookStatus::Disabled) {
            let spec = spec_of(row);
            let row = if row.uri == uri {
                row.clone()
            } else {
                // The receiver moved: record the new URI, retire the old row
                // (its webhook at Nextcloud is then unclaimed and deleted).
                self.store
                    .update_webhook(row.id, WebhookStatus::Disabled, row.nextcloud_id)
                    .await?;
                let inserted = self
                    .store
                    .insert_webhook(&NewWebhook {
                        event: spec.event.clone(),
                        filter: spec.filter.to_value(),
                        uri: uri.clone(),
                        created_at: now(),
                    })
                    .await;
                match inserted {
                    Ok(row) => row,
                    // The new URI has its own wanted row already; it is
                    // reconciled in its own turn.
                    Err(StoreError::Conflict(_)) => continue,
                    Err(e) => return Err(e.into()),
                }
            };
            if !force {
                let present = row.nextcloud_id.and_then(|id| {
                    ours.iter()
                        .find(|w| w.id == id && !claimed.contains(&id) && w.serves(&spec, &uri))
                });
                if let Some(w) = present {
                    claimed.insert(w.id);
                    if row.status != WebhookStatus::Active {
                        self.store
                            .update_webhook(row.id, WebhookStatus::Active, Some(w.id))
                            .await?;
                    }
                    report.kept += 1;
                    continue;
                }
                let stray = ours
                    .iter()
                    .find(|w| !claimed.contains(&w.id) && w.serves(&spec, &uri));
                if let Some(w) = stray {
                    claimed.insert(w.id);
                    self.store
                        .update_webhook(row.id, WebhookStatus::Active, Some(w.id))
                        .await?;
                    report.adopted += 1;
                    continue;
                }
            }
            if row.status != WebhookStatus::Active {
                let now = now();
                let mine = self
                    .store
                    .claim_webhook(row.id, now, later(now, REGISTER_LEASE))
                    .await?;
                if !mine {
                    tracing::info!(id = row.id, event = %spec.event, "webhook being registered by another replica");
                    in_flight.push(spec);
                    continue;
                }
            }
            match self
                .register_row(nc, &row, &spec, &uri, WebhookStatus::Failed)
                .await
            {
                Ok(id) => {
                    claimed.insert(id);
                    report.reregistered += 1;
                }
                Err(error) => {
                    report.failed += 1;
                    report
                        .failures
                        .push(format!("register {}: {error}", spec.event));
                }
            }
        }

        let unclaimed = ours.iter().filter(|w| {
            !claimed.contains(&w.id) && !in_flight.iter().any(|spec| w.serves(spec, &uri))
        });
        for w in unclaimed {
            match nc.delete_webhook(w.id).await {
                Ok(_) => report.deleted_remote += 1,
                Err(error) => {
                    report.failed += 1;
                    report
                        .failures
                        .push(format!("delete webhook {}: {error}", w.id));
                }
            }
        }
        tracing::info!(
            kept = report.kept,
            adopted = report.adopted,
            reregistered = report.reregistered,
            deleted_remote = report.deleted_remote,
            failed = report.failed,
            "webhooks reconciled"
        );
        Ok(report)
    }
}
