//! Who the sync works for and how it reaches Nextcloud as them. One
//! implementation per credential mode: stored offline grants (OAuth modes,
//! in `service::offline`, behind its `BackgroundJob` gate), the app password
//! of basic mode (here). A Login Flow mode adds a third implementation that
//! lists the users with a stored app password and hands out theirs.

use async_trait::async_trait;
use secrecy::SecretString;

use crate::domain::credential::{Credential, CredentialSecret};

#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    /// The user's access is gone for good (revoked, refused by the IdP): the
    /// sync stops and their documents leave the index.
    #[error("access of {0} is gone: {1}")]
    Gone(String, String),
    /// Try again on a later pass (IdP or store unreachable).
    #[error("{0}")]
    Transient(String),
}

#[async_trait]
pub trait SyncAccess: Send + Sync {
    /// The owners (index keys) to keep in sync now.
    async fn owners(&self) -> Result<Vec<String>, AccessError>;
    /// A credential acting as `owner` in Nextcloud. Its `user_id` may be
    /// empty when only Nextcloud knows it (bearer tokens).
    async fn credential(&self, owner: &str) -> Result<Credential, AccessError>;

    /// Nextcloud refused `credential` (HTTP 401) during `owner`'s pass. A
    /// mode whose stored credential can be revoked at Nextcloud checks it
    /// and marks the account, which ends the owner's sync until they
    /// reconnect; the others have nothing to mark (a refused bearer token
    /// shows at its next refresh).
    async fn rejected(&self, owner: &str, credential: &Credential) {
        let _ = (owner, credential);
    }

    /// Why `owner`'s sync is stopped (their access needs the user's
    /// action), for the status tool; None while it runs.
    async fn stopped(&self, owner: &str) -> Option<String> {
        let _ = owner;
        None
    }
}

/// Basic mode: the one configured user, with the configured app password.
pub struct BasicSyncAccess {
    username: String,
    app_password: SecretString,
}

impl BasicSyncAccess {
    pub fn new(username: String, app_password: SecretString) -> Self {
        Self {
            username,
            app_password,
        }
    }
}

#[async_trait]
impl SyncAccess for BasicSyncAccess {
    async fn owners(&self) -> Result<Vec<String>, AccessError> {
        Ok(vec![self.username.clone()])
    }

    async fn credential(&self, owner: &str) -> Result<Credential, AccessError> {
        if owner != self.username {
            return Err(AccessError::Gone(
                owner.to_string(),
                "not the configured basic-mode user".into(),
            ));
        }
        Ok(Credential {
            user_id: self.username.clone(),
            secret: CredentialSecret::AppPassword(self.app_password.clone()),
        })
    }
}
