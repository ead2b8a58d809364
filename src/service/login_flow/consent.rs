//! The connect tools (`provision_nextcloud_access`, `check_provisioning_status`,
//! `revoke_nextcloud_access`) in login-flow mode: the same port as offline
//! consent, so the tools are the same and no method yields a secret.

use std::sync::Arc;

use async_trait::async_trait;
use secrecy::SecretString;

use super::{AccountError, ConnectedAccounts};
use crate::domain::principal::Principal;
use crate::ports::consent::{ConsentError, ConsentLink, ConsentService, ProvisioningStatus};

/// `ConnectedAccounts` as the connect tools see it.
pub struct LoginFlowConsent(pub Arc<ConnectedAccounts>);

impl From<AccountError> for ConsentError {
    fn from(error: AccountError) -> Self {
        match error {
            AccountError::Store(e) => ConsentError::Store(e.to_string()),
            other => ConsentError::Account(other.to_string()),
        }
    }
}

#[async_trait]
impl ConsentService for LoginFlowConsent {
    async fn begin(&self, caller: &Principal) -> Result<ConsentLink, ConsentError> {
        let (authorization_url, expires_at) = self.0.begin(caller).await?;
        Ok(ConsentLink {
            authorization_url,
            expires_at,
        })
    }

    async fn status(&self, caller: &Principal) -> Result<ProvisioningStatus, ConsentError> {
        Ok(self.0.status(caller).await?)
    }

    async fn revoke(&self, caller: &Principal) -> Result<(), ConsentError> {
        let client = caller.client_id().map(str::to_string);
        match self.0.revoke(caller.subject(), client.as_deref()).await? {
            true => Ok(()),
            false => Err(ConsentError::NotProvisioned),
        }
    }

    async fn complete(&self, _code: &SecretString, _state: &str) -> Result<String, ConsentError> {
        Err(ConsentError::Account(
            "login-flow mode has no OAuth callback: Nextcloud's login flow is polled instead"
                .into(),
        ))
    }
}
