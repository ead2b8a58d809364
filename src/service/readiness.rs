//! Whether this server can do its work now: what `/readyz` reports.

use std::sync::Arc;

use crate::domain::credential::AuthMode;
use crate::ports::identity::IdentityProvider;
use crate::ports::nextcloud::{NextcloudConnector, NextcloudError};

/// Nextcloud, the mode, and the IdP in OAuth modes.
#[derive(Clone)]
pub struct Readiness {
    pub connector: Arc<dyn NextcloudConnector>,
    pub mode: AuthMode,
    pub identity: Option<Arc<dyn IdentityProvider>>,
}

impl Readiness {
    /// Basic mode: Nextcloud accepts the app password. OAuth modes: Nextcloud
    /// answers and the identity provider answers its discovery now (not
    /// from a cache), so an IdP outage after start shows here.
    /// Multi-user basic: Nextcloud answers.
    pub async fn check(&self) -> Result<(), String> {
        if let Some(credential) = self.mode.service_credential() {
            return self
                .connector
                .connect(credential)
                .current_user_id()
                .await
                .map(|_| ())
                .map_err(|e| match e {
                    // The one fix is the operator's: say which setting.
                    NextcloudError::CredentialRejected => {
                        "Nextcloud rejected the credential (HTTP 401): NEXTCLOUD_PASSWORD \
                         is not a valid app password of NEXTCLOUD_USERNAME; set a valid \
                         one and restart"
                            .to_string()
                    }
                    other => other.to_string(),
                });
        }
        self.connector
            .check_reachable()
            .await
            .map_err(|e| e.to_string())?;
        // Multi-user basic has no IdP: each request's credential is checked
        // at Nextcloud, so Nextcloud answering is all it needs.
        if matches!(self.mode, AuthMode::MultiUserBasic) {
            return Ok(());
        }
        match &self.identity {
            Some(identity) => identity
                .check_reachable()
                .await
                .map_err(|e| format!("identity provider check failed: {e}")),
            None => Err("no identity provider is configured for an OAuth mode".into()),
        }
    }
}
