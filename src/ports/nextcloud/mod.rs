//! The Nextcloud side: one connector, and per-app traits on a client bound to
//! one credential.

use async_trait::async_trait;

use crate::domain::calendar::Organizer;
use crate::domain::credential::Credential;
use crate::domain::files::{FileContent, FileEntry, WriteCondition, WriteOutcome};
use crate::domain::notes::{Note, NoteDraft, NotePatch};
use crate::domain::path::UserPath;

/// Why a call to Nextcloud failed, in terms a person can act on. Adapters map
/// HTTP statuses to these once; the MCP edge turns them into tool results.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NextcloudError {
    #[error(
        "Nextcloud rejected the credential (HTTP 401); check the app password or sign in again"
    )]
    CredentialRejected,
    #[error("Nextcloud refused this action for this user (HTTP 403){}", detail_suffix(.0))]
    Forbidden(Option<String>),
    #[error("{0} does not exist")]
    NotFound(String),
    #[error(
        "{0} was changed by someone else since you read it; read it again and retry with the new etag"
    )]
    Conflict(String),
    #[error("{0} already exists")]
    AlreadyExists(String),
    #[error("the parent folder of {0} does not exist; create it first")]
    ParentMissing(String),
    #[error("Nextcloud did not answer within {0} seconds; it may be overloaded, try again later")]
    Timeout(u64),
    #[error("Nextcloud is unavailable ({0}); try again later")]
    Unavailable(String),
    /// HTTP 429 (e.g. share creation is limited to 20 per 10 minutes); the
    /// seconds come from `Retry-After` when Nextcloud sends it.
    #[error("Nextcloud rate limited this request (HTTP 429); {}", retry_hint(.0))]
    RateLimited(Option<u64>),
    #[error("{0} is larger than the {1}-byte limit for this tool")]
    TooLarge(String, u64),
    #[error("Nextcloud rejected the request: {0}")]
    BadRequest(String),
    #[error("Nextcloud sent a reply this server could not understand: {0}")]
    Protocol(String),
}

fn retry_hint(seconds: &Option<u64>) -> String {
    match seconds {
        Some(s) => format!("retry after {s} s"),
        None => "wait a few minutes before retrying".into(),
    }
}

fn detail_suffix(detail: &Option<String>) -> String {
    detail
        .as_deref()
        .map(|d| format!(": {d}"))
        .unwrap_or_default()
}

/// Builds clients bound to one credential. Cheap: the HTTP pool is shared.
pub trait NextcloudConnector: ServerStatus + Send + Sync {
    fn connect(&self, credential: Credential) -> Box<dyn NextcloudApi>;

    /// Like `connect`, and `on_rejected` hears of every 401 Nextcloud answers
    /// to the credential (a stored app password revoked at Nextcloud).
    /// Connectors that cannot tell ignore the watch.
    fn connect_watched(
        &self,
        credential: Credential,
        on_rejected: RejectionWatch,
    ) -> Box<dyn NextcloudApi> {
        let _ = on_rejected;
        self.connect(credential)
    }
}

/// Hears that Nextcloud refused a credential; must not block.
pub trait CredentialRejected: Send + Sync {
    fn rejected(&self);
}

pub type RejectionWatch = std::sync::Arc<dyn CredentialRejected>;

/// Everything the tools can ask of one user's Nextcloud.
pub trait NextcloudApi:
    NotesApi
    + FilesApi
    + FileMetaApi
    + FileTransferApi
    + StatusApi
    + CalendarApi
    + ContactsApi
    + WebhooksApi
    + DeckApi
    + SharesApi
    + SearchApi
    + TablesApi
    + CookbookApi
    + CollectivesApi
    + NewsApi
    + CapabilitiesApi
{
}
impl<T> NextcloudApi for T where
    T: NotesApi
        + FilesApi
        + FileMetaApi
        + FileTransferApi
        + StatusApi
        + CalendarApi
        + ContactsApi
        + WebhooksApi
        + DeckApi
        + SharesApi
        + SearchApi
        + TablesApi
        + CookbookApi
        + CollectivesApi
        + NewsApi
        + CapabilitiesApi
{
}

#[async_trait]
pub trait StatusApi: Send + Sync {
    /// The id of the user the credential belongs to; fails when Nextcloud does
    /// not accept the credential.
    async fn current_user_id(&self) -> Result<String, NextcloudError>;
    /// Whether the credential's user is in Nextcloud's `admin` group, the
    /// only users Nextcloud lets manage webhooks.
    async fn is_admin(&self) -> Result<bool, NextcloudError>;
    /// The user as a meeting organizer: their email address and name;
    /// `None` when the account has no email address.
    async fn current_user_organizer(&self) -> Result<Option<Organizer>, NextcloudError>;
}

/// Checks that need no user credential.
#[async_trait]
pub trait ServerStatus: Send + Sync {
    /// Succeeds when Nextcloud answers `status.php` as installed and not in maintenance.
    async fn check_reachable(&self) -> Result<(), NextcloudError>;
}

#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait NotesApi: Send + Sync {
    async fn list_notes(&self, category: Option<String>) -> Result<Vec<Note>, NextcloudError>;
    async fn get_note(&self, id: u64) -> Result<Note, NextcloudError>;
    async fn create_note(&self, draft: &NoteDraft) -> Result<Note, NextcloudError>;
    /// Updates only if the note still has `etag` (unquoted, as in [`Note::etag`]).
    async fn update_note(
        &self,
        id: u64,
        etag: &str,
        patch: &NotePatch,
    ) -> Result<Note, NextcloudError>;
    async fn delete_note(&self, id: u64) -> Result<(), NextcloudError>;
}

#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait FilesApi: Send + Sync {
    /// The children of a folder (not the folder itself).
    async fn list_folder(&self, path: &UserPath) -> Result<Vec<FileEntry>, NextcloudError>;
    async fn file_info(&self, path: &UserPath) -> Result<FileEntry, NextcloudError>;
    /// Downloads a file, refusing with [`NextcloudError::TooLarge`] past `max_bytes`.
    async fn read_file(
        &self,
        path: &UserPath,
        max_bytes: u64,
    ) -> Result<FileContent, NextcloudError>;
    async fn write_file(
        &self,
        path: &UserPath,
        body: Vec<u8>,
        content_type: Option<String>,
        condition: WriteCondition,
    ) -> Result<WriteOutcome, NextcloudError>;
    async fn create_folder(&self, path: &UserPath) -> Result<(), NextcloudError>;
    async fn move_entry(
        &self,
        from: &UserPath,
        to: &UserPath,
        overwrite: bool,
    ) -> Result<(), NextcloudError>;
    async fn copy_entry(
        &self,
        from: &UserPath,
        to: &UserPath,
        overwrite: bool,
    ) -> Result<(), NextcloudError>;
    async fn delete_entry(&self, path: &UserPath) -> Result<(), NextcloudError>;
    /// Files and folders under `scope` whose name matches `pattern` (SQL LIKE
    /// semantics on the server: `%` any run, `_` one character).
    async fn search_by_name(
        &self,
        scope: &UserPath,
        like_pattern: &str,
        limit: u32,
    ) -> Result<Vec<FileEntry>, NextcloudError>;
}

/// Deck over its REST API (`/index.php/apps/deck/api/v1.0`), comments over
/// its OCS API. Deck paths name the board and stack of a card, so cards are
/// addressed by [`CardRef`].
mod apps;
mod collectives;
mod dav;
mod file_meta;
mod file_transfer;
mod news;
mod webhooks;

pub use apps::*;
pub use collectives::*;
pub use dav::*;
pub use file_meta::*;
pub use file_transfer::*;
pub use news::*;
pub use webhooks::*;
