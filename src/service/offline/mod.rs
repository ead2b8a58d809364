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

mod connected;
mod jobs;
mod keeper;

use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;

use crate::domain::audit::{AuditEvent, AuditKind};
use crate::domain::time::UnixTime;
use crate::ports::identity::{IdentityProvider, IdpError, OAuthErrorCode};
use crate::ports::store::{ClaimTerms, ClaimedGrant, StoreError, TokenStore};
use crate::service::audit;
use crate::service::clock::now;

pub use connected::{
    ConnectedSyncAccess, check_connected_account, rotate_now, spawn_account_keeper,
};
pub use jobs::{AccessCheck, OfflineSyncAccess, check_nextcloud_access};
pub use keeper::{run_once, spawn_grant_keeper};

/// Proof that the holder runs as a background job, not as a tool call.
pub struct BackgroundJob {
    _private: (),
}

#[derive(Debug, thiserror::Error)]
pub enum OfflineError {
    #[error("{0} has not granted offline access")]
    NotProvisioned(String),
    #[error(
        "the offline access {0} granted is no longer honoured by the identity provider \
         (revoked or expired); they must grant it again with provision_nextcloud_access"
    )]
    NeedsConsent(String),
    #[error("another replica has been refreshing the grant of {0} for too long; try again later")]
    Busy(String),
    #[error("the token store failed: {0}")]
    Store(#[from] StoreError),
    #[error("refreshing the grant failed: {0}")]
    Refresh(String),
}

/// How long a claimed refresh may take before another replica may claim the
/// grant: longer than any IdP call, short enough that a replica dying
/// mid-refresh delays the grant by a minute at most.
const REFRESH_LEASE: Duration = Duration::from_secs(60);
/// How often a job waiting for another replica's refresh looks again.
const BUSY_POLL: Duration = Duration::from_millis(200);

/// Nextcloud access for background jobs, through stored refresh tokens.
/// Any number of replicas may share the store: a grant is refreshed by one
/// claimer at a time, and the rotated token is written only over the token
/// it was refreshed from (see docs/adr/0008-replica-leases.md).
pub struct OfflineAccess {
    store: Arc<dyn TokenStore>,
    identity: Arc<dyn IdentityProvider>,
    provider: String,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RefreshReport {
    pub refreshed: u64,
    pub failed: u64,
    /// Refreshed recently or being refreshed, by this or another replica.
    pub skipped: u64,
    /// Refused by the identity provider this pass: the user must consent again.
    pub needs_consent: u64,
}

/// What one claimed refresh came to.
enum Refreshed {
    Token(SecretString),
    /// Another replica rotated the grant under us: nothing lost.
    Superseded,
}

fn lease_terms(now: UnixTime, refreshed_before: UnixTime) -> ClaimTerms {
    ClaimTerms {
        now,
        lease_until: UnixTime(now.0 + REFRESH_LEASE.as_secs() as i64),
        refreshed_before,
    }
}

/// The cut-off for "not refreshed within `min_age`". Times are stored in
/// whole seconds, so a grant stamped second `r` may have been refreshed at
/// any moment of that second: only `r <= now - ceil(min_age) - 1` proves the
/// refresh is more than `min_age` old. Without the extra second, with a short
/// interval, a replica ticking a moment after another's refresh across a
/// second boundary refreshed the grant again. Zero keeps "however recently".
fn refreshed_before(now: UnixTime, min_age: Duration) -> UnixTime {
    if min_age.is_zero() {
        return now;
    }
    let whole_secs = min_age.as_secs() + u64::from(min_age.subsec_nanos() > 0);
    UnixTime(now.0 - whole_secs as i64 - 1)
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
    /// so a crash in between cannot strand the user with a spent token. When
    /// another replica is refreshing the grant, waits for it and refreshes
    /// from the token it stored.
    pub async fn access_token(
        &self,
        _job: &BackgroundJob,
        subject: &str,
    ) -> Result<SecretString, OfflineError> {
        let waiting_since = tokio::time::Instant::now();
        loop {
            let now = now();
            let terms = lease_terms(now, UnixTime(i64::MAX));
            if let Some(claimed) = self
                .store
                .claim_refresh(subject, &self.provider, terms)
                .await?
            {
                match self.refresh_claimed(claimed).await? {
                    Refreshed::Token(token) => return Ok(token),
                    Refreshed::Superseded => continue,
                }
            }
            match self.store.grant_state(subject, &self.provider).await? {
                None => return Err(OfflineError::NotProvisioned(subject.to_string())),
                Some(state) if state.needs_consent_since.is_some() => {
                    return Err(OfflineError::NeedsConsent(subject.to_string()));
                }
                Some(_) if waiting_since.elapsed() > REFRESH_LEASE => {
                    return Err(OfflineError::Busy(subject.to_string()));
                }
                Some(_) => tokio::time::sleep(BUSY_POLL).await,
            }
        }
    }

    /// Refreshes a grant this replica holds the lease of, and ends the lease.
    async fn refresh_claimed(&self, claimed: ClaimedGrant) -> Result<Refreshed, OfflineError> {
        let ClaimedGrant { grant, version } = claimed;
        let subject = grant.subject.as_str();
        match self.identity.refresh(&grant.refresh_token).await {
            Ok(tokens) => {
                let written = self
                    .store
                    .finish_refresh(
                        subject,
                        &self.provider,
                        version,
                        tokens.refresh_token,
                        now(),
                    )
                    .await?;
                if !written {
                    // Only a new consent replaces a leased row; it wins.
                    tracing::info!(
                        subject,
                        "grant replaced during a refresh; the new consent is kept"
                    );
                }
                self.audit(AuditEvent::success(AuditKind::Refreshed, subject, now()))
                    .await;
                Ok(Refreshed::Token(tokens.access_token))
            }
            Err(IdpError::Rejected {
                code: OAuthErrorCode::InvalidGrant,
                ..
            }) => self.refused(subject, version).await,
            Err(error) => {
                self.store
                    .release_refresh(subject, &self.provider, version)
                    .await?;
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

    /// The IdP refused the token we refreshed from. If the row moved on
    /// (another replica rotated it after our lease ran out, or the user
    /// consented again) that token was simply old; otherwise the grant is
    /// dead and the user must consent again.
    async fn refused(&self, subject: &str, version: i64) -> Result<Refreshed, OfflineError> {
        let marked = self
            .store
            .mark_needs_consent(subject, &self.provider, version, now())
            .await?;
        if !marked {
            tracing::info!(
                subject,
                "refresh refused for a token another replica had already replaced"
            );
            return Ok(Refreshed::Superseded);
        }
        tracing::warn!(
            subject,
            provider = %self.provider,
            "the identity provider refused the stored grant (invalid_grant); it needs new consent"
        );
        self.audit(AuditEvent::failure(
            AuditKind::RefreshFailed,
            subject,
            now(),
            "invalid_grant: the grant needs new consent".to_string(),
        ))
        .await;
        Err(OfflineError::NeedsConsent(subject.to_string()))
    }

    /// Deletes consent links that expired unused (a person who never
    /// finished signing in leaves one); returns how many.
    pub async fn purge_expired_consents(&self) -> Result<u64, OfflineError> {
        Ok(self.store.purge_expired_pending(now()).await?)
    }

    /// Refreshes every grant of this provider not refreshed within `min_age`
    /// (by any replica) and not being refreshed now: keeps rotating refresh
    /// tokens alive and finds revoked ones early. Replicas running this at
    /// once share the grants: each is claimed by one of them.
    pub async fn refresh_all(
        &self,
        _job: &BackgroundJob,
        min_age: Duration,
    ) -> Result<RefreshReport, OfflineError> {
        let mut report = RefreshReport::default();
        for user in self.store.list_provisioned().await? {
            if user.provider != self.provider || user.needs_consent_since.is_some() {
                continue;
            }
            let now = now();
            let terms = lease_terms(now, refreshed_before(now, min_age));
            let claimed = match self
                .store
                .claim_refresh(&user.subject, &self.provider, terms)
                .await
            {
                Ok(Some(claimed)) => claimed,
                Ok(None) => {
                    report.skipped += 1;
                    continue;
                }
                Err(error) => {
                    tracing::warn!(subject = %user.subject, %error, "grant could not be claimed");
                    report.failed += 1;
                    continue;
                }
            };
            match self.refresh_claimed(claimed).await {
                Ok(Refreshed::Token(_)) => report.refreshed += 1,
                Ok(Refreshed::Superseded) => report.skipped += 1,
                Err(OfflineError::NeedsConsent(_)) => report.needs_consent += 1,
                Err(_) => report.failed += 1,
            }
        }
        Ok(report)
    }

    async fn audit(&self, event: AuditEvent) {
        audit::record(&*self.store, &event).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refresh_within_min_age_is_never_old_enough() {
        let now = UnixTime(1_000);
        // Stamped 999 may be 0.1 s old: not older than one second.
        assert_eq!(refreshed_before(now, Duration::from_secs(1)), UnixTime(998));
        // Half of a 3 s interval rounds up to 2 s.
        assert_eq!(
            refreshed_before(now, Duration::from_millis(1_500)),
            UnixTime(997)
        );
        assert_eq!(
            refreshed_before(now, Duration::from_secs(30)),
            UnixTime(969)
        );
    }

    #[test]
    fn zero_min_age_takes_grants_however_recent() {
        assert_eq!(
            refreshed_before(UnixTime(1_000), Duration::ZERO),
            UnixTime(1_000)
        );
    }
}
