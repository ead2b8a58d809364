//! Offline access: background work that acts for users while they are away,
//! with the refresh tokens they granted, and the grant keeper that keeps those
//! grants alive. The tokens are used here and only here.
//!
//! Opening a grant needs a [`BackgroundJob`], which only this module can make:
//!
//! ```compile_fail
//! // Tool code cannot forge the proof a background job carries.
//! let job = nextcloud_mcp::service::offline::BackgroundJob { _private: () };
//! ```

use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use tokio_util::sync::CancellationToken;

use crate::domain::audit::{AuditEvent, AuditKind};
use crate::domain::credential::{Credential, CredentialSecret};
use crate::ports::identity::IdentityProvider;
use crate::ports::nextcloud::NextcloudConnector;
use crate::ports::store::{RefreshGrant, StoreError, TokenStore};
use crate::service::audit;
use crate::service::clock::now;

/// Proof that the holder runs as a background job, not as a tool call.
pub struct BackgroundJob {
    _private: (),
}

#[derive(Debug, thiserror::Error)]
pub enum OfflineError {
    #[error("{0} has not granted offline access")]
    NotProvisioned(String),
    #[error("the token store failed: {0}")]
    Store(#[from] StoreError),
    #[error("refreshing the grant failed: {0}")]
    Refresh(String),
}

/// Nextcloud access for background jobs, through stored refresh tokens.
pub struct OfflineAccess {
    store: Arc<dyn TokenStore>,
    identity: Arc<dyn IdentityProvider>,
    provider: String,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RefreshReport {
    pub refreshed: u64,
    pub failed: u64,
}

impl OfflineAccess {
    pub fn new(
        store: Arc<dyn TokenStore>,
        identity: Arc<dyn IdentityProvider>,
        provider: String,
    ) -> Self {
        Self {
            store,
            identity,
            provider,
        }
    }

    /// A fresh access token for `subject` by the refresh grant. A rotated
    /// refresh token replaces the stored one before the access token is used,
    /// so a crash in between cannot strand the user with a spent token.
    pub async fn access_token(
        &self,
        _job: &BackgroundJob,
        subject: &str,
    ) -> Result<SecretString, OfflineError> {
        let grant = self
            .store
            .get_grant(subject, &self.provider)
            .await?
            .ok_or_else(|| OfflineError::NotProvisioned(subject.to_string()))?;
        match self.identity.refresh(&grant.refresh_token).await {
            Ok(tokens) => {
                if let Some(rotated) = tokens.refresh_token {
                    self.store
                        .put_grant(&RefreshGrant {
                            refresh_token: rotated,
                            ..grant
                        })
                        .await?;
                }
                self.audit(AuditEvent::success(AuditKind::Refreshed, subject, now()))
                    .await;
                Ok(tokens.access_token)
            }
            Err(error) => {
                let reason = error.to_string();
                self.audit(AuditEvent::failure(
                    AuditKind::RefreshFailed,
                    subject,
                    now(),
                    reason.clone(),
                ))
                .await;
                Err(OfflineError::Refresh(reason))
            }
        }
    }

    /// Refreshes every grant once: keeps rotating refresh tokens alive and
    /// finds revoked ones early (recorded in the audit log).
    pub async fn refresh_all(&self, job: &BackgroundJob) -> Result<RefreshReport, OfflineError> {
        let mut report = RefreshReport::default();
        for user in self.store.list_provisioned().await? {
            if user.provider != self.provider {
                continue;
            }
            match self.access_token(job, &user.subject).await {
                Ok(_) => report.refreshed += 1,
                Err(_) => report.failed += 1,
            }
        }
        Ok(report)
    }

    async fn audit(&self, event: AuditEvent) {
        audit::record(&*self.store, &event).await;
    }
}

/// Runs `refresh_all` every `interval` until `stop` is cancelled.
pub fn spawn_grant_keeper(
    offline: Arc<OfflineAccess>,
    interval: Duration,
    stop: CancellationToken,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let job = BackgroundJob { _private: () };
        let mut ticker = tokio::time::interval(interval);
        ticker.tick().await;
        loop {
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = ticker.tick() => {
                    match offline.refresh_all(&job).await {
                        Ok(report) => {
                            crate::telemetry::record::grants_refreshed(report.refreshed, report.failed);
                            tracing::info!(refreshed = report.refreshed, failed = report.failed, "offline grants refreshed")
                        }
                        Err(error) => {
                            crate::telemetry::record::store_error("grants");
                            tracing::warn!(%error, "offline grant refresh failed")
                        }
                    }
                }
            }
        }
    })
}

/// One pass of the grant keeper, by hand (operators' CLI, tests). It yields a
/// report, never a token.
pub async fn run_once(offline: &OfflineAccess) -> Result<RefreshReport, OfflineError> {
    offline.refresh_all(&BackgroundJob { _private: () }).await
}

/// What a job learned about one user's Nextcloud access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccessCheck {
    /// Nextcloud accepted the refreshed token as this user id.
    Works {
        nextcloud_user: String,
    },
    Failed {
        reason: String,
    },
}

/// A background job that confirms a user's offline access end to end: a
/// refresh at the IdP, then one Nextcloud call with the new access token.
/// Later jobs (sync, indexing) take the same path to Nextcloud.
pub async fn check_nextcloud_access(
    offline: &OfflineAccess,
    connector: &dyn NextcloudConnector,
    subject: &str,
) -> AccessCheck {
    let job = BackgroundJob { _private: () };
    let token = match offline.access_token(&job, subject).await {
        Ok(token) => token,
        Err(error) => {
            return AccessCheck::Failed {
                reason: error.to_string(),
            };
        }
    };
    let api = connector.connect(Credential {
        user_id: String::new(),
        secret: CredentialSecret::Bearer(token),
    });
    match api.current_user_id().await {
        Ok(nextcloud_user) => AccessCheck::Works { nextcloud_user },
        Err(error) => AccessCheck::Failed {
            reason: error.to_string(),
        },
    }
}
