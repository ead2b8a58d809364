//! Background jobs of login-flow mode: acting as a user with their connected
//! account, finishing login flows any replica started, and rotating stored
//! app passwords. Like refresh tokens, a stored app password opens for a
//! job only with the [`BackgroundJob`] proof, which tool code cannot make.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::{AccessCheck, BackgroundJob};
use crate::domain::audit::{AuditEvent, AuditKind};
use crate::domain::credential::{Credential, CredentialSecret};
use crate::domain::time::UnixTime;
use crate::ports::nextcloud::{NextcloudConnector, NextcloudError};
use crate::ports::store::StoreError;
use crate::service::clock::now;
use crate::service::login_flow::{AccountError, ConnectedAccounts, credential_of};

/// One replica rotates at a time: two rotating the same password would
/// each invalidate what the other stored.
const ROTATION_JOB: &str = "app-password-rotation";
const ROTATION_LEASE: Duration = Duration::from_secs(300);
/// How often the keeper looks for passwords due for rotation.
const ROTATION_CHECK: Duration = Duration::from_secs(60);

impl ConnectedAccounts {
    /// `subject`'s connected account as a credential, for a background job.
    pub async fn job_credential(
        &self,
        _job: &BackgroundJob,
        subject: &str,
    ) -> Result<Credential, AccountError> {
        match self.store().get_account(subject, self.provider()).await? {
            None => Err(AccountError::NotConnected),
            Some((account, Some(_))) => Err(AccountError::NeedsReconnect {
                login_name: account.login_name,
            }),
            Some((account, None)) => Ok(credential_of(account)),
        }
    }

    /// Rotates every account of this provider last rotated longer than
    /// `max_age` ago; returns how many were rotated.
    pub async fn rotate_due(
        &self,
        _job: &BackgroundJob,
        max_age: Duration,
    ) -> Result<u64, StoreError> {
        let due_before = UnixTime(now().0 - max_age.as_secs() as i64);
        let mut rotated = 0;
        for summary in self.store().list_accounts().await? {
            if summary.provider != self.provider()
                || summary.needs_reconnect_since.is_some()
                || summary.rotated_at > due_before
            {
                continue;
            }
            let Some((account, None)) = self
                .store()
                .get_account(&summary.subject, &summary.provider)
                .await?
            else {
                continue;
            };
            let fresh = match self
                .nextcloud()
                .rotate_app_password(&account.login_name, &account.app_password)
                .await
            {
                Ok(fresh) => fresh,
                Err(NextcloudError::CredentialRejected) => {
                    crate::service::login_flow::check_and_mark(
                        self,
                        &account.subject,
                        &account.provider,
                        &account.login_name,
                        &account.app_password,
                    )
                    .await;
                    continue;
                }
                Err(error) => {
                    tracing::warn!(%error, subject = %account.subject, "app password rotation failed");
                    continue;
                }
            };
            let stored = self
                .store()
                .rotate_account(
                    &account.subject,
                    &account.provider,
                    &account.app_password,
                    &fresh,
                    now(),
                )
                .await?;
            if !stored {
                // Reconnected or revoked meanwhile: the fresh one is nobody's.
                let _ = self
                    .nextcloud()
                    .delete_app_password(&account.login_name, &fresh)
                    .await;
                continue;
            }
            rotated += 1;
            self.audit(AuditEvent::success(
                AuditKind::AppPasswordRotated,
                &account.subject,
                now(),
            ))
            .await;
        }
        Ok(rotated)
    }
}

/// The index sync's users in login-flow mode: everyone with a connected
/// account of this provider that Nextcloud still accepts, each acting with
/// their stored app password through the background-job gate.
pub struct ConnectedSyncAccess {
    accounts: Arc<ConnectedAccounts>,
    job: BackgroundJob,
}

impl ConnectedSyncAccess {
    pub fn new(accounts: Arc<ConnectedAccounts>) -> Self {
        Self {
            accounts,
            job: BackgroundJob { _private: () },
        }
    }
}

#[async_trait::async_trait]
impl crate::service::sync::SyncAccess for ConnectedSyncAccess {
    async fn owners(&self) -> Result<Vec<String>, crate::service::sync::AccessError> {
        let accounts = self
            .accounts
            .store()
            .list_accounts()
            .await
            .map_err(|e| crate::service::sync::AccessError::Transient(e.to_string()))?;
        Ok(accounts
            .into_iter()
            .filter(|a| a.provider == self.accounts.provider() && a.needs_reconnect_since.is_none())
            .map(|a| a.subject)
            .collect())
    }

    async fn credential(
        &self,
        owner: &str,
    ) -> Result<Credential, crate::service::sync::AccessError> {
        use crate::service::sync::AccessError;
        match self.accounts.job_credential(&self.job, owner).await {
            Ok(credential) => Ok(credential),
            Err(e @ (AccountError::NotConnected | AccountError::NeedsReconnect { .. })) => {
                Err(AccessError::Gone(owner.to_string(), e.to_string()))
            }
            Err(e) => Err(AccessError::Transient(e.to_string())),
        }
    }

    /// As during a tool call: Nextcloud is asked once more whom the
    /// password belongs to, and a second refusal marks the account "needs
    /// reconnecting", which drops it from `owners`.
    async fn rejected(&self, owner: &str, credential: &Credential) {
        let CredentialSecret::LoginAppPassword { login, password } = &credential.secret else {
            return;
        };
        crate::service::login_flow::check_and_mark(
            &self.accounts,
            owner,
            self.accounts.provider(),
            login,
            password,
        )
        .await;
    }

    async fn stopped(&self, owner: &str) -> Option<String> {
        match self.accounts.job_credential(&self.job, owner).await {
            Err(e @ AccountError::NeedsReconnect { .. }) => Some(e.to_string()),
            _ => None,
        }
    }
}

/// A background job that confirms a user's connected account end to end:
/// one Nextcloud call with the stored app password.
pub async fn check_connected_account(
    accounts: &ConnectedAccounts,
    connector: &dyn NextcloudConnector,
    subject: &str,
) -> AccessCheck {
    let job = BackgroundJob { _private: () };
    let credential = match accounts.job_credential(&job, subject).await {
        Ok(credential) => credential,
        Err(error) => {
            return AccessCheck::Failed {
                reason: error.to_string(),
            };
        }
    };
    match connector.connect(credential).current_user_id().await {
        Ok(nextcloud_user) => AccessCheck::Works { nextcloud_user },
        Err(error) => AccessCheck::Failed {
            reason: error.to_string(),
        },
    }
}

/// One rotation pass by hand (operators, tests), ignoring the schedule.
pub async fn rotate_now(accounts: &ConnectedAccounts) -> Result<u64, StoreError> {
    accounts
        .rotate_due(&BackgroundJob { _private: () }, Duration::ZERO)
        .await
}

/// Polls open login flows every `poll_every` (so a flow started on a replica
/// that stopped is still finished) and, when rotation is on, rotates due app
/// passwords under a lease shared by the replicas.
pub fn spawn_account_keeper(
    accounts: Arc<ConnectedAccounts>,
    poll_every: Duration,
    stop: CancellationToken,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let job = BackgroundJob { _private: () };
        let holder = uuid::Uuid::new_v4().to_string();
        let mut polls = tokio::time::interval(poll_every);
        let mut rotation = tokio::time::interval(ROTATION_CHECK);
        loop {
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = polls.tick() => {
                    if let Err(error) = accounts.poll_open_flows().await {
                        tracing::warn!(%error, "polling open login flows failed");
                    }
                }
                _ = rotation.tick() => {
                    let Some(every) = accounts.rotate_every() else { continue };
                    rotate_under_lease(&accounts, &job, &holder, every).await;
                }
            }
        }
    })
}

async fn rotate_under_lease(
    accounts: &ConnectedAccounts,
    job: &BackgroundJob,
    holder: &str,
    every: Duration,
) {
    let store = accounts.store();
    let at = now();
    let until = UnixTime(at.0 + ROTATION_LEASE.as_secs() as i64);
    match store.try_lease(ROTATION_JOB, holder, at, until).await {
        Ok(true) => {}
        Ok(false) => return,
        Err(error) => {
            tracing::warn!(%error, "rotation lease unavailable");
            return;
        }
    }
    match accounts.rotate_due(job, every).await {
        Ok(rotated) if rotated > 0 => tracing::info!(rotated, "app passwords rotated"),
        Ok(_) => {}
        Err(error) => tracing::warn!(%error, "app password rotation failed"),
    }
    let _ = store.release_lease(ROTATION_JOB, holder).await;
}
