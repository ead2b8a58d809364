//! Login Flow v2 as the login-flow mode needs it: Nextcloud's side (start a
//! flow, poll it, delete or rotate the app password it granted) and the
//! store's side (connected accounts and pending flows, sealed).
//!
//! Tool code holds neither: the per-call credential resolver and background
//! jobs (behind `service::offline::BackgroundJob`) open stored app passwords.

use async_trait::async_trait;
use secrecy::SecretString;
use url::Url;

use crate::domain::login_flow::{AccountSummary, ConnectedAccount, PendingLoginFlow};
use crate::domain::time::UnixTime;
use crate::ports::nextcloud::NextcloudError;
use crate::ports::store::StoreError;

/// What Nextcloud answers to `POST /index.php/login/v2`.
pub struct FlowStart {
    /// The page the user opens in a browser.
    pub login_url: Url,
    /// Fetches the app password once the user granted it; single use.
    pub poll_token: SecretString,
}

/// What one poll learned.
pub enum PollAnswer {
    /// Not granted yet, or no such flow (Nextcloud answers both with 404).
    Pending,
    Granted {
        login_name: String,
        app_password: SecretString,
    },
}

#[async_trait]
pub trait LoginFlowApi: Send + Sync {
    async fn start_flow(&self) -> Result<FlowStart, NextcloudError>;
    async fn poll_flow(&self, poll_token: &SecretString) -> Result<PollAnswer, NextcloudError>;
    /// The user id the app password acts as; `CredentialRejected` when
    /// Nextcloud no longer accepts it.
    async fn user_id_of(
        &self,
        login: &str,
        password: &SecretString,
    ) -> Result<String, NextcloudError>;
    /// Deletes the app password it authenticates with
    /// (`DELETE /ocs/v2.php/core/apppassword`).
    async fn delete_app_password(
        &self,
        login: &str,
        password: &SecretString,
    ) -> Result<(), NextcloudError>;
    /// Replaces the app password by a new one and returns it
    /// (`POST /ocs/v2.php/core/apppassword/rotate`).
    async fn rotate_app_password(
        &self,
        login: &str,
        password: &SecretString,
    ) -> Result<SecretString, NextcloudError>;
}

#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait AppPasswordStore: Send + Sync {
    /// Stores (or replaces) the account of (subject, provider), its app
    /// password sealed; clears any "needs reconnecting" mark.
    async fn put_account(&self, account: &ConnectedAccount) -> Result<(), StoreError>;
    /// The account, opened, and when Nextcloud last refused it (if it did).
    async fn get_account(
        &self,
        subject: &str,
        provider: &str,
    ) -> Result<Option<(ConnectedAccount, Option<UnixTime>)>, StoreError>;
    /// `false` if there was none.
    async fn delete_account(&self, subject: &str, provider: &str) -> Result<bool, StoreError>;
    /// Marks the account as refused by Nextcloud, only while it still holds
    /// `app_password` (a reconnect meanwhile wins); `false` otherwise.
    async fn mark_needs_reconnect(
        &self,
        subject: &str,
        provider: &str,
        app_password: &SecretString,
        now: UnixTime,
    ) -> Result<bool, StoreError>;
    /// Replaces the app password by a rotated one, only while the row still
    /// holds `from`; `false` otherwise.
    async fn rotate_account(
        &self,
        subject: &str,
        provider: &str,
        from: &SecretString,
        to: &SecretString,
        now: UnixTime,
    ) -> Result<bool, StoreError>;
    /// Every connected account without its password, by subject, provider.
    async fn list_accounts(&self) -> Result<Vec<AccountSummary>, StoreError>;

    /// Saves the flow of (subject, provider), replacing an unfinished one.
    async fn save_flow(&self, flow: &PendingLoginFlow) -> Result<(), StoreError>;
    async fn get_flow(
        &self,
        subject: &str,
        provider: &str,
    ) -> Result<Option<PendingLoginFlow>, StoreError>;
    /// Deletes the flow only if it still expires at `expires_at` (a newer
    /// flow of the same user stays); `false` otherwise.
    async fn finish_flow(
        &self,
        subject: &str,
        provider: &str,
        expires_at: UnixTime,
    ) -> Result<bool, StoreError>;
    /// Every flow not expired at `now` (any replica may poll them).
    async fn open_flows(&self, now: UnixTime) -> Result<Vec<PendingLoginFlow>, StoreError>;
    /// Deletes flows expired at or before `now`; returns how many.
    async fn purge_expired_flows(&self, now: UnixTime) -> Result<u64, StoreError>;
}
