//! Login-flow mode: each caller connects their own Nextcloud account through
//! Login Flow v2; the app password Nextcloud grants is checked against the
//! caller (the ownership rule), stored sealed under the caller's verified
//! subject, and used for that caller's tool calls only.
//!
//! Pending flows live in the store, so whichever replica polls first
//! finishes a flow; Nextcloud hands the app password out once.

mod consent;
mod watch;

pub use consent::LoginFlowConsent;
pub(crate) use watch::check_and_mark;

use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;

use crate::domain::audit::{AuditEvent, AuditKind};
use crate::domain::credential::{Credential, CredentialSecret, LoginFlowPolicy};
use crate::domain::login_flow::{
    ConnectedAccount, FLOW_LIFETIME, OwnershipRefusal, PendingLoginFlow, expected_login,
};
use crate::domain::principal::Principal;
use crate::domain::time::UnixTime;
use crate::ports::consent::ProvisioningStatus;
use crate::ports::login_flow::{LoginFlowApi, PollAnswer};
use crate::ports::nextcloud::{NextcloudError, RejectionWatch};
use crate::ports::store::{Store, StoreError};
use crate::service::audit;
use crate::service::clock::now;

/// Why a caller's connected account cannot serve a call, said so that the
/// caller knows what to do.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error(
        "your Nextcloud account is not connected to this server yet. Call \
         provision_nextcloud_access: it returns a link where you sign in to Nextcloud and \
         approve access for this server; then call this tool again"
    )]
    NotConnected,
    #[error(
        "connecting your Nextcloud account is under way but not approved yet: open the link \
         provision_nextcloud_access gave you, sign in and approve, then call this tool again \
         (check_provisioning_status tells when it is done)"
    )]
    Pending,
    #[error(
        "Nextcloud no longer accepts the app password this server holds for you ({login_name}); \
         it was probably revoked in Nextcloud's security settings. Connect again with \
         provision_nextcloud_access"
    )]
    NeedsReconnect { login_name: String },
    #[error(transparent)]
    NotYours(#[from] OwnershipRefusal),
    #[error("Nextcloud could not start or finish the login flow: {0}")]
    Nextcloud(#[from] NextcloudError),
    #[error("the account store failed: {0}")]
    Store(#[from] StoreError),
}

/// How a poll ended.
#[derive(Debug)]
pub(crate) enum Polled {
    /// Not approved yet (or finished by another replica meanwhile).
    Waiting,
    Connected,
    Refused(String),
}

pub struct ConnectedAccounts {
    store: Arc<dyn Store>,
    nextcloud: Arc<dyn LoginFlowApi>,
    /// The identity provider's issuer: accounts are bound to (subject, provider).
    provider: String,
    policy: LoginFlowPolicy,
}

impl ConnectedAccounts {
    pub fn new(
        store: Arc<dyn Store>,
        nextcloud: Arc<dyn LoginFlowApi>,
        provider: String,
        policy: LoginFlowPolicy,
    ) -> Arc<Self> {
        Arc::new(Self {
            store,
            nextcloud,
            provider,
            policy,
        })
    }

    pub fn provider(&self) -> &str {
        &self.provider
    }

    /// Starts a flow for `caller`: the ownership rule is applied first (a
    /// caller it cannot be applied to gets no flow at all), then Nextcloud
    /// opens the flow, the pending flow is stored and polled in the
    /// background until it ends or expires. Returns the login URL and expiry.
    pub async fn begin(
        self: &Arc<Self>,
        caller: &Principal,
    ) -> Result<(url::Url, UnixTime), AccountError> {
        let expected = expected_login(&self.policy.owner, caller)?;
        let start = self.nextcloud.start_flow().await?;
        let expires_at = UnixTime(now().0 + FLOW_LIFETIME.as_secs() as i64);
        let flow = PendingLoginFlow {
            subject: caller.subject().to_string(),
            provider: self.provider.clone(),
            poll_token: start.poll_token,
            expected,
            expires_at,
        };
        self.store.save_flow(&flow).await?;
        self.audit(AuditEvent::success(
            AuditKind::ConsentStarted,
            caller.subject(),
            now(),
        ))
        .await;
        self.spawn_poller(flow);
        Ok((start.login_url, expires_at))
    }

    /// Polls `flow` every poll interval until it ends, is replaced or expires.
    fn spawn_poller(self: &Arc<Self>, flow: PendingLoginFlow) {
        let accounts = self.clone();
        let every = self.policy.poll_every;
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                if now() >= flow.expires_at {
                    let _ = accounts
                        .store
                        .finish_flow(&flow.subject, &flow.provider, flow.expires_at)
                        .await;
                    break;
                }
                // Another replica (or a status call) may have finished it.
                match accounts.store.get_flow(&flow.subject, &flow.provider).await {
                    Ok(Some(current)) if current.expires_at == flow.expires_at => {}
                    Ok(_) => break,
                    Err(error) => {
                        tracing::warn!(%error, "login flow poll: store unavailable");
                        continue;
                    }
                }
                match accounts.poll(&flow).await {
                    Ok(Polled::Waiting) => {}
                    Ok(_) => break,
                    Err(error) => tracing::warn!(%error, "login flow poll failed"),
                }
            }
        });
    }

    /// Polls every open flow once: lets any replica finish flows another
    /// one started (a replica that stopped leaves its flows to the others).
    pub async fn poll_open_flows(&self) -> Result<u64, StoreError> {
        let mut connected = 0;
        self.store.purge_expired_flows(now()).await?;
        for flow in self.store.open_flows(now()).await? {
            if flow.provider != self.provider {
                continue;
            }
            if let Ok(Polled::Connected) = self.poll(&flow).await {
                connected += 1;
            }
        }
        Ok(connected)
    }

    /// One poll of `flow`; a grant is checked and stored (or refused).
    pub(crate) async fn poll(&self, flow: &PendingLoginFlow) -> Result<Polled, AccountError> {
        match self.nextcloud.poll_flow(&flow.poll_token).await? {
            PollAnswer::Pending => Ok(Polled::Waiting),
            PollAnswer::Granted {
                login_name,
                app_password,
            } => self.granted(flow, login_name, app_password).await,
        }
    }

    async fn granted(
        &self,
        flow: &PendingLoginFlow,
        login_name: String,
        app_password: SecretString,
    ) -> Result<Polled, AccountError> {
        self.store
            .finish_flow(&flow.subject, &flow.provider, flow.expires_at)
            .await?;
        if let Err(refusal) = flow.expected.check(&login_name) {
            return Ok(self
                .refuse(flow, &login_name, &app_password, refusal.to_string())
                .await);
        }
        let user_id = match self.nextcloud.user_id_of(&login_name, &app_password).await {
            Ok(id) => id,
            Err(error) => {
                let reason = format!("Nextcloud did not accept the new app password: {error}");
                return Ok(self.refuse(flow, &login_name, &app_password, reason).await);
            }
        };
        // A reconnect replaces the old app password: delete it at Nextcloud
        // so no forgotten password stays valid there.
        if let Ok(Some((old, _))) = self.store.get_account(&flow.subject, &flow.provider).await {
            let _ = self
                .nextcloud
                .delete_app_password(&old.login_name, &old.app_password)
                .await;
        }
        let account = ConnectedAccount {
            subject: flow.subject.clone(),
            provider: flow.provider.clone(),
            login_name,
            user_id,
            app_password,
            connected_at: now(),
        };
        if let Err(error) = self.store.put_account(&account).await {
            let reason = format!("the account could not be stored: {error}");
            self.refuse(flow, &account.login_name, &account.app_password, reason)
                .await;
            return Err(error.into());
        }
        self.audit(AuditEvent::success(
            AuditKind::Provisioned,
            &flow.subject,
            now(),
        ))
        .await;
        tracing::info!(subject = %flow.subject, "Nextcloud account connected");
        Ok(Polled::Connected)
    }

    /// Stores nothing, deletes the new app password at Nextcloud, and keeps
    /// the reason in the audit trail, where the status tool finds it.
    async fn refuse(
        &self,
        flow: &PendingLoginFlow,
        login_name: &str,
        app_password: &SecretString,
        reason: String,
    ) -> Polled {
        if let Err(error) = self
            .nextcloud
            .delete_app_password(login_name, app_password)
            .await
        {
            tracing::warn!(%error, subject = %flow.subject, "refused app password not deleted at Nextcloud");
        }
        tracing::info!(subject = %flow.subject, %reason, "login flow refused");
        self.audit(AuditEvent::failure(
            AuditKind::Provisioned,
            &flow.subject,
            now(),
            reason.clone(),
        ))
        .await;
        Polled::Refused(reason)
    }

    /// What the caller's connection looks like; a pending flow is polled
    /// once first, so asking finishes an approved flow on any replica.
    pub async fn status(&self, caller: &Principal) -> Result<ProvisioningStatus, AccountError> {
        let subject = caller.subject();
        if let Some(flow) = self.store.get_flow(subject, &self.provider).await?
            && now() < flow.expires_at
        {
            match self.poll(&flow).await? {
                Polled::Waiting => {
                    return Ok(ProvisioningStatus::Pending {
                        expires_at: flow.expires_at,
                    });
                }
                Polled::Refused(reason) => return Ok(ProvisioningStatus::Refused { reason }),
                Polled::Connected => {}
            }
        }
        if let Some((account, since)) = self.store.get_account(subject, &self.provider).await? {
            return Ok(match since {
                Some(since) => ProvisioningStatus::NeedsReconnect {
                    login_name: account.login_name,
                    since,
                },
                None => ProvisioningStatus::Connected {
                    login_name: account.login_name,
                    connected_at: account.connected_at,
                },
            });
        }
        let last = self
            .store
            .recent_audit(Some(subject.to_string()), 1)
            .await?;
        if let Some(event) = last.first()
            && event.kind == AuditKind::Provisioned
            && let crate::domain::audit::AuditOutcome::Failure(reason) = &event.outcome
        {
            return Ok(ProvisioningStatus::Refused {
                reason: reason.clone(),
            });
        }
        Ok(ProvisioningStatus::NotProvisioned)
    }

    /// Deletes the caller's app password at Nextcloud and here; the local
    /// copy goes even when Nextcloud cannot be reached (then the password
    /// is left for the user to delete in Nextcloud's settings, and the
    /// audit trail says so).
    pub async fn revoke(&self, subject: &str, by: Option<&str>) -> Result<bool, AccountError> {
        if let Some(flow) = self.store.get_flow(subject, &self.provider).await? {
            self.store
                .finish_flow(subject, &self.provider, flow.expires_at)
                .await?;
        }
        let Some((account, _)) = self.store.get_account(subject, &self.provider).await? else {
            return Ok(false);
        };
        let at_nextcloud = self
            .nextcloud
            .delete_app_password(&account.login_name, &account.app_password)
            .await;
        let deleted = self.store.delete_account(subject, &self.provider).await?;
        let mut event = match &at_nextcloud {
            // Already revoked at Nextcloud: nothing is left there either.
            Ok(()) | Err(NextcloudError::CredentialRejected) => {
                AuditEvent::success(AuditKind::Revoked, subject, now())
            }
            Err(error) => AuditEvent::failure(
                AuditKind::Revoked,
                subject,
                now(),
                format!("deleted here; Nextcloud could not delete the app password: {error}"),
            ),
        };
        if let Some(by) = by {
            event = event.with_client(by);
        }
        self.audit(event).await;
        Ok(deleted)
    }

    /// The credential of `subject`'s connected account for one tool call,
    /// and the watch that marks it when Nextcloud refuses it. A flow waiting
    /// for approval is polled once first.
    pub(crate) async fn credential_for(
        self: &Arc<Self>,
        caller: &Principal,
    ) -> Result<(Credential, RejectionWatch), AccountError> {
        let subject = caller.subject();
        let mut found = self.store.get_account(subject, &self.provider).await?;
        if found.is_none() {
            let Some(flow) = self.store.get_flow(subject, &self.provider).await? else {
                return Err(AccountError::NotConnected);
            };
            if now() >= flow.expires_at {
                return Err(AccountError::NotConnected);
            }
            match self.poll(&flow).await? {
                Polled::Waiting => return Err(AccountError::Pending),
                Polled::Refused(reason) => {
                    return Err(AccountError::Nextcloud(NextcloudError::Forbidden(Some(
                        reason,
                    ))));
                }
                Polled::Connected => {
                    found = self.store.get_account(subject, &self.provider).await?;
                }
            }
        }
        let Some((account, needs_reconnect)) = found else {
            return Err(AccountError::NotConnected);
        };
        if needs_reconnect.is_some() {
            return Err(AccountError::NeedsReconnect {
                login_name: account.login_name,
            });
        }
        let watch = watch::Watch::watching(self.clone(), &account);
        Ok((credential_of(account), watch))
    }

    pub(crate) fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub(crate) fn nextcloud(&self) -> &Arc<dyn LoginFlowApi> {
        &self.nextcloud
    }

    pub(crate) fn rotate_every(&self) -> Option<Duration> {
        self.policy.rotate_every
    }

    pub fn poll_every(&self) -> Duration {
        self.policy.poll_every
    }

    pub(crate) async fn audit(&self, event: AuditEvent) {
        audit::record(&*self.store, &event).await;
    }
}

/// The per-call credential of a connected account.
pub(crate) fn credential_of(account: ConnectedAccount) -> Credential {
    Credential {
        user_id: account.user_id,
        secret: CredentialSecret::LoginAppPassword {
            login: account.login_name,
            password: account.app_password,
        },
    }
}
