//! Hears Nextcloud's 401 to a stored app password during a tool call, makes
//! sure it is the password (not a passing fault) by asking Nextcloud who it
//! belongs to, and marks the account "needs reconnecting" if refused again.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use secrecy::SecretString;

use super::ConnectedAccounts;
use crate::domain::audit::{AuditEvent, AuditKind};
use crate::domain::login_flow::ConnectedAccount;
use crate::ports::nextcloud::{CredentialRejected, NextcloudError, RejectionWatch};
use crate::service::clock::now;

pub(super) struct Watch {
    accounts: Arc<ConnectedAccounts>,
    subject: String,
    provider: String,
    login: String,
    password: SecretString,
    /// One check per call, however many requests it made.
    fired: AtomicBool,
}

impl Watch {
    pub(super) fn watching(
        accounts: Arc<ConnectedAccounts>,
        account: &ConnectedAccount,
    ) -> RejectionWatch {
        Arc::new(Watch {
            accounts,
            subject: account.subject.clone(),
            provider: account.provider.clone(),
            login: account.login_name.clone(),
            password: account.app_password.clone(),
            fired: AtomicBool::new(false),
        })
    }
}

impl CredentialRejected for Watch {
    fn rejected(&self) {
        if self.fired.swap(true, Ordering::SeqCst) {
            return;
        }
        let accounts = self.accounts.clone();
        let (subject, provider) = (self.subject.clone(), self.provider.clone());
        let (login, password) = (self.login.clone(), self.password.clone());
        tokio::spawn(async move {
            check_and_mark(&accounts, &subject, &provider, &login, &password).await;
        });
    }
}

/// Marks the account when Nextcloud refuses its password once more.
pub(crate) async fn check_and_mark(
    accounts: &ConnectedAccounts,
    subject: &str,
    provider: &str,
    login: &str,
    password: &SecretString,
) -> bool {
    match accounts.nextcloud().user_id_of(login, password).await {
        Err(NextcloudError::CredentialRejected) => {}
        _ => return false,
    }
    match accounts
        .store()
        .mark_needs_reconnect(subject, provider, password, now())
        .await
    {
        Ok(true) => {
            tracing::warn!(
                subject,
                "Nextcloud refused the stored app password; the account needs reconnecting"
            );
            accounts
                .audit(AuditEvent::failure(
                    AuditKind::CredentialRejected,
                    subject,
                    now(),
                    "Nextcloud refused the app password (HTTP 401); the account needs reconnecting",
                ))
                .await;
            true
        }
        Ok(false) => false,
        Err(error) => {
            tracing::warn!(%error, subject, "could not mark the account as needing reconnection");
            false
        }
    }
}
