//! Durable state: sealed refresh tokens, pending consents, the audit trail
//! (`TokenStore`) and webhook registrations (`WebhookStore`).
//!
//! Rule 8: a tool call never reads `TokenStore` for a credential; refresh
//! tokens are for background jobs only.

use async_trait::async_trait;
use secrecy::SecretString;

use crate::domain::audit::AuditEvent;
use crate::domain::consent::PendingConsent;
use crate::domain::time::UnixTime;
use crate::ports::index::SearchIndex;
pub use crate::ports::login_flow::AppPasswordStore;
use crate::ports::vectors::VectorIndex;

/// Why the store could not do what was asked. Messages name rows by subject
/// and provider at most: never a token, verifier, state or key.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the token store is unavailable: {0}")]
    Unavailable(String),
    #[error("the token store could not be migrated: {0}")]
    Migration(String),
    #[error(
        "the sealed {what} of subject {subject:?} at provider {provider:?} could not be opened \
         ({reason}); it was sealed with another key, for another row, or was altered"
    )]
    CannotOpen {
        what: &'static str,
        subject: String,
        provider: String,
        reason: String,
    },
    #[error("the token store holds a row it cannot read: {0}")]
    Corrupt(String),
    #[error("{0} was not found")]
    NotFound(String),
    #[error("{0} already exists")]
    Conflict(String),
    #[error(
        "storing refresh tokens needs TOKEN_ENCRYPTION_KEY (32 random bytes, base64); \
         it is not configured"
    )]
    KeyMissing,
    #[error("sealing failed: {0}")]
    Seal(String),
}

/// A refresh token from an offline-access grant, as handed to and from the store. The store
/// keeps `refresh_token` sealed; Debug hides it.
#[derive(Clone)]
pub struct RefreshGrant {
    pub subject: String,
    pub provider: String,
    pub refresh_token: SecretString,
    pub scopes: Vec<String>,
    pub granted_at: UnixTime,
}

impl std::fmt::Debug for RefreshGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RefreshGrant")
            .field("subject", &self.subject)
            .field("provider", &self.provider)
            .field("refresh_token", &"[redacted]")
            .field("scopes", &self.scopes)
            .field("granted_at", &self.granted_at)
            .finish()
    }
}

/// A provisioned (subject, provider), without its token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProvisionedUser {
    pub subject: String,
    pub provider: String,
    pub scopes: Vec<String>,
    pub granted_at: UnixTime,
    pub key_version: u32,
    /// When a refresh last succeeded (the grant time until then).
    pub refreshed_at: UnixTime,
    /// Set when the identity provider refused the grant (`invalid_grant`)
    /// and no other replica had rotated it: the user must consent again.
    pub needs_consent_since: Option<UnixTime>,
}

/// The bookkeeping of one grant, without its token: what a replica reads to
/// learn why it could not claim a grant, or whether another rotated it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GrantState {
    /// Bumped by every write of a new token (rotation or new consent).
    pub version: i64,
    pub refreshed_at: UnixTime,
    /// A refresh is under way until then (0: none).
    pub lease_until: UnixTime,
    pub needs_consent_since: Option<UnixTime>,
}

/// A grant leased to one refresher: its token and the version it was read
/// at, which the compare-and-set write of the rotated token must still find.
#[derive(Clone, Debug)]
pub struct ClaimedGrant {
    pub grant: RefreshGrant,
    pub version: i64,
}

/// When a claim is granted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClaimTerms {
    /// Now, by this replica's clock.
    pub now: UnixTime,
    /// The lease ends then unless released earlier; a refresher that dies
    /// mid-call leaves a grant others may claim after it.
    pub lease_until: UnixTime,
    /// Only grants last refreshed at or before this are claimed (grants
    /// refreshed recently, by any replica, are skipped).
    pub refreshed_before: UnixTime,
}

/// What `reseal_all` did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ResealReport {
    /// Rows rewritten under the current key.
    pub resealed: u64,
    /// Rows that could not be opened with any key in the keyring; left as they were.
    pub unreadable: u64,
}

#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait TokenStore: Send + Sync {
    /// Stores (or replaces) the grant of (subject, provider), sealed: a new
    /// consent. It bumps the version (a refresh running from the old token
    /// cannot overwrite it), clears `needs_consent_since` and counts as a
    /// refresh at `granted_at`.
    async fn put_grant(&self, grant: &RefreshGrant) -> Result<(), StoreError>;
    /// The grant of (subject, provider), opened; `CannotOpen` if the seal fails.
    async fn get_grant(
        &self,
        subject: &str,
        provider: &str,
    ) -> Result<Option<RefreshGrant>, StoreError>;
    /// Deletes the grant; `false` if there was none.
    async fn delete_grant(&self, subject: &str, provider: &str) -> Result<bool, StoreError>;
    /// Every provisioned (subject, provider), ordered by subject then provider.
    async fn list_provisioned(&self) -> Result<Vec<ProvisionedUser>, StoreError>;

    /// Saves a pending consent under its `state`, replacing every earlier
    /// pending consent of the same subject and provider: only the newest link
    /// works. `Conflict` if that state exists.
    async fn save_pending(&self, pending: &PendingConsent) -> Result<(), StoreError>;
    /// Atomically reads and deletes the pending consent with this `state`:
    /// of any number of concurrent callers, one gets it, the others `None`.
    /// Expired ones are returned too; the domain decides (`consent::open_callback`).
    async fn take_pending(&self, state: &str) -> Result<Option<PendingConsent>, StoreError>;
    /// Deletes pending consents that expired at or before `now`; returns how many.
    async fn purge_expired_pending(&self, now: UnixTime) -> Result<u64, StoreError>;

    async fn append_audit(&self, event: &AuditEvent) -> Result<(), StoreError>;
    /// Newest first (by time, then by insertion), at most `limit`, optionally
    /// for one subject.
    async fn recent_audit(
        &self,
        subject: Option<String>,
        limit: u32,
    ) -> Result<Vec<AuditEvent>, StoreError>;

    /// Leases the grant of (subject, provider) for one refresh if nobody holds
    /// a lease on it, it was refreshed no later than `terms.refreshed_before`
    /// and it does not need new consent. Atomic: of concurrent claimers (any
    /// replica) at most one gets it. `None` otherwise; `grant_state` tells why.
    async fn claim_refresh(
        &self,
        subject: &str,
        provider: &str,
        terms: ClaimTerms,
    ) -> Result<Option<ClaimedGrant>, StoreError>;
    /// Ends a claimed refresh that succeeded: stores `rotated` (when the IdP
    /// rotated the token), sets `refreshed_at` and frees the lease, only if
    /// the row still holds `from_version`. `false`: the grant was replaced
    /// meanwhile (new consent) and nothing was written.
    async fn finish_refresh(
        &self,
        subject: &str,
        provider: &str,
        from_version: i64,
        rotated: Option<SecretString>,
        now: UnixTime,
    ) -> Result<bool, StoreError>;
    /// Frees the lease of a refresh that failed without an answer about the
    /// grant (IdP unreachable): another try may come at once.
    async fn release_refresh(
        &self,
        subject: &str,
        provider: &str,
        from_version: i64,
    ) -> Result<(), StoreError>;
    /// Marks the grant as needing new consent, only if it still holds
    /// `from_version`; `false` if it was rotated or replaced meanwhile.
    async fn mark_needs_consent(
        &self,
        subject: &str,
        provider: &str,
        from_version: i64,
        now: UnixTime,
    ) -> Result<bool, StoreError>;
    /// The bookkeeping of the grant, `None` if there is none.
    async fn grant_state(
        &self,
        subject: &str,
        provider: &str,
    ) -> Result<Option<GrantState>, StoreError>;

    /// Rewrites every sealed value not under the keyring's current key version
    /// under it. Safe to run while other replicas write; run it again after
    /// adding a key until `unreadable` is what you expect.
    async fn reseal_all(&self) -> Result<ResealReport, StoreError>;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WebhookStatus {
    /// Recorded here, not yet registered at Nextcloud.
    Pending,
    /// Registered at Nextcloud (`nextcloud_id` set).
    Active,
    /// Registration at Nextcloud failed.
    Failed,
    /// Removed at Nextcloud or switched off; kept for the record.
    Disabled,
}

impl WebhookStatus {
    pub const ALL: [WebhookStatus; 4] = [
        WebhookStatus::Pending,
        WebhookStatus::Active,
        WebhookStatus::Failed,
        WebhookStatus::Disabled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WebhookStatus::Pending => "pending",
            WebhookStatus::Active => "active",
            WebhookStatus::Failed => "failed",
            WebhookStatus::Disabled => "disabled",
        }
    }

    pub fn parse(s: &str) -> Option<WebhookStatus> {
        WebhookStatus::ALL.into_iter().find(|w| w.as_str() == s)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct NewWebhook {
    pub event: String,
    pub filter: serde_json::Value,
    pub uri: String,
    pub created_at: UnixTime,
}

#[derive(Clone, Debug, PartialEq)]
pub struct WebhookRegistration {
    /// Ours, assigned by the store.
    pub id: i64,
    /// Nextcloud's id, once registered there.
    pub nextcloud_id: Option<i64>,
    pub event: String,
    pub filter: serde_json::Value,
    pub uri: String,
    pub created_at: UnixTime,
    pub status: WebhookStatus,
}

#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait WebhookStore: Send + Sync {
    /// Records a registration with status `Pending` and returns it with its
    /// id. `Conflict` if a row that is not disabled has the same event,
    /// filter and URI: one registration per webhook, across replicas.
    async fn insert_webhook(&self, new: &NewWebhook) -> Result<WebhookRegistration, StoreError>;
    /// Leases a pending or failed registration to the caller until
    /// `lease_until`, so only it registers the webhook at Nextcloud; `false`
    /// if it is active, disabled, or leased to another until after `now`.
    async fn claim_webhook(
        &self,
        id: i64,
        now: UnixTime,
        lease_until: UnixTime,
    ) -> Result<bool, StoreError>;
    /// Sets status and Nextcloud id and frees its lease; `NotFound` if there
    /// is no such id.
    async fn update_webhook(
        &self,
        id: i64,
        status: WebhookStatus,
        nextcloud_id: Option<i64>,
    ) -> Result<(), StoreError>;
    /// All registrations, by id.
    async fn list_webhooks(&self) -> Result<Vec<WebhookRegistration>, StoreError>;
    /// `NotFound` if there is no such id.
    async fn delete_webhook(&self, id: i64) -> Result<(), StoreError>;
}

/// Named leases for background work that one replica should do at a time
/// (webhook reconcile). A lease expires, so a replica that dies holding one
/// stops nobody for longer than its term.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait JobLeases: Send + Sync {
    /// Takes `name` for `holder` until `lease_until` if it is free, expired
    /// at `now`, or already `holder`'s; `false` if another holds it.
    async fn try_lease(
        &self,
        name: &str,
        holder: &str,
        now: UnixTime,
        lease_until: UnixTime,
    ) -> Result<bool, StoreError>;
    /// Frees `name` if `holder` holds it.
    async fn release_lease(&self, name: &str, holder: &str) -> Result<(), StoreError>;
}

/// All stores behind one handle, as `adapters::store::open_store` returns
/// them. Upcast with `Arc<dyn Store> as Arc<dyn TokenStore>` where only one is needed.
pub trait Store:
    TokenStore + WebhookStore + JobLeases + SearchIndex + VectorIndex + AppPasswordStore
{
}
impl<
    T: TokenStore + WebhookStore + JobLeases + SearchIndex + VectorIndex + AppPasswordStore + ?Sized,
> Store for T
{
}

/// Appending to the audit log and nothing else: the handle per-call code may
/// hold, since it cannot reach any stored token.
#[async_trait]
pub trait AuditLog: Send + Sync {
    async fn record(&self, event: &AuditEvent) -> Result<(), StoreError>;
}

/// Every token store keeps the audit trail, so use cases holding one can
/// record through the same helper as per-call code.
#[async_trait]
impl<T: TokenStore + ?Sized> AuditLog for T {
    async fn record(&self, event: &AuditEvent) -> Result<(), StoreError> {
        self.append_audit(event).await
    }
}
