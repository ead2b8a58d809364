//! What background jobs do with a grant: confirm a user's access end to
//! end, and give the index sync its owners and their credentials.

use std::sync::Arc;

use super::{BackgroundJob, OfflineAccess, OfflineError};
use crate::domain::credential::{Credential, CredentialSecret};
use crate::ports::nextcloud::NextcloudConnector;

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

/// The index sync's access in the OAuth modes: the owners are the users
/// with a grant of this provider that still works, and each credential is a
/// fresh access token from their grant, through the background-job gate.
pub struct OfflineSyncAccess {
    offline: Arc<OfflineAccess>,
    job: BackgroundJob,
}

impl OfflineSyncAccess {
    pub fn new(offline: Arc<OfflineAccess>) -> Self {
        Self {
            offline,
            job: BackgroundJob { _private: () },
        }
    }
}

#[async_trait::async_trait]
impl crate::service::sync::SyncAccess for OfflineSyncAccess {
    async fn owners(&self) -> Result<Vec<String>, crate::service::sync::AccessError> {
        let users = self
            .offline
            .store
            .list_provisioned()
            .await
            .map_err(|e| crate::service::sync::AccessError::Transient(e.to_string()))?;
        Ok(users
            .into_iter()
            .filter(|u| u.provider == self.offline.provider && u.needs_consent_since.is_none())
            .map(|u| u.subject)
            .collect())
    }

    async fn credential(
        &self,
        owner: &str,
    ) -> Result<Credential, crate::service::sync::AccessError> {
        use crate::service::sync::AccessError;
        match self.offline.access_token(&self.job, owner).await {
            Ok(token) => Ok(Credential {
                user_id: String::new(),
                secret: CredentialSecret::Bearer(token),
            }),
            Err(e @ (OfflineError::NotProvisioned(_) | OfflineError::NeedsConsent(_))) => {
                Err(AccessError::Gone(owner.to_string(), e.to_string()))
            }
            Err(e) => Err(AccessError::Transient(e.to_string())),
        }
    }
}
