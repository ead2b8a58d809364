//! The Nextcloud side: one connector, and per-app traits on a client bound to
//! one credential.

use async_trait::async_trait;

use crate::domain::calendar::{
    Calendar, CalendarDraft, CalendarPatch, Event, EventDraft, EventPatch,
};
use crate::domain::caltime::TimeRange;
use crate::domain::capabilities::{App, ServerCapabilities};
use crate::domain::contacts::{AddressBook, Contact, ContactPatch};
use crate::domain::cookbook::{Recipe, RecipeStub, TagCount};
use crate::domain::credential::Credential;
use crate::domain::deck::{
    Assignment, Board, BoardFields, Card, CardDraft, CardFields, CardRef, Comment, Label, Stack,
};
use crate::domain::files::{FileContent, FileEntry, WriteCondition, WriteOutcome};
use crate::domain::notes::{Note, NoteDraft, NotePatch};
use crate::domain::path::UserPath;
use crate::domain::search::{SearchPage, SearchProvider, SearchQuery};
use crate::domain::shares::{Share, ShareDraft, SharePatch, ShareQuery, Sharee};
use crate::domain::tables::{Column, Row, RowValues, Table};
use crate::domain::todos::{Todo, TodoDraft, TodoFilter, TodoPatch};
use crate::domain::webhooks::{RemoteWebhook, WebhookDraft};

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
    #[error("{0} is larger than the {1}-byte limit for this tool")]
    TooLarge(String, u64),
    #[error("Nextcloud rejected the request: {0}")]
    BadRequest(String),
    #[error("Nextcloud sent a reply this server could not understand: {0}")]
    Protocol(String),
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
}

/// Everything the tools can ask of one user's Nextcloud.
pub trait NextcloudApi:
    NotesApi
    + FilesApi
    + StatusApi
    + CalendarApi
    + ContactsApi
    + WebhooksApi
    + DeckApi
    + SharesApi
    + SearchApi
    + TablesApi
    + CookbookApi
    + CapabilitiesApi
{
}
impl<T> NextcloudApi for T where
    T: NotesApi
        + FilesApi
        + StatusApi
        + CalendarApi
        + ContactsApi
        + WebhooksApi
        + DeckApi
        + SharesApi
        + SearchApi
        + TablesApi
        + CookbookApi
        + CapabilitiesApi
{
}

#[async_trait]
pub trait StatusApi: Send + Sync {
    /// The id of the user the credential belongs to; fails when Nextcloud does
    /// not accept the credential.
    async fn current_user_id(&self) -> Result<String, NextcloudError>;
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
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait DeckApi: Send + Sync {
    /// Boards, soft-deleted ones included (`deleted_at` > 0); with
    /// `modified_since` (Unix time) only boards changed since then.
    async fn list_boards(&self, modified_since: Option<i64>) -> Result<Vec<Board>, NextcloudError>;
    /// One board with its labels, stacks (without cards) and users.
    async fn get_board(&self, board_id: u64) -> Result<Board, NextcloudError>;
    async fn create_board(&self, title: &str, color: &str) -> Result<Board, NextcloudError>;
    async fn update_board(
        &self,
        board_id: u64,
        fields: &BoardFields,
    ) -> Result<Board, NextcloudError>;
    /// Soft delete: the board can be restored with [`DeckApi::restore_board`].
    async fn delete_board(&self, board_id: u64) -> Result<Board, NextcloudError>;
    async fn restore_board(&self, board_id: u64) -> Result<Board, NextcloudError>;
    /// Stacks with their cards; `archived` lists archived cards instead.
    async fn list_stacks(
        &self,
        board_id: u64,
        archived: bool,
    ) -> Result<Vec<Stack>, NextcloudError>;
    async fn get_stack(&self, board_id: u64, stack_id: u64) -> Result<Stack, NextcloudError>;
    async fn create_stack(
        &self,
        board_id: u64,
        title: &str,
        order: i64,
    ) -> Result<Stack, NextcloudError>;
    async fn update_stack(
        &self,
        board_id: u64,
        stack_id: u64,
        title: &str,
        order: i64,
    ) -> Result<Stack, NextcloudError>;
    async fn delete_stack(&self, board_id: u64, stack_id: u64) -> Result<Stack, NextcloudError>;
    async fn get_card(&self, card: CardRef) -> Result<Card, NextcloudError>;
    async fn create_card(
        &self,
        board_id: u64,
        stack_id: u64,
        draft: &CardDraft,
    ) -> Result<Card, NextcloudError>;
    async fn update_card(&self, card: CardRef, fields: &CardFields)
    -> Result<Card, NextcloudError>;
    /// Moves a card to `order` in `target_stack_id` (same or another board);
    /// answers the cards of the target stack.
    async fn move_card(
        &self,
        card: CardRef,
        target_stack_id: u64,
        order: i64,
    ) -> Result<Vec<Card>, NextcloudError>;
    async fn set_card_archived(
        &self,
        card: CardRef,
        archived: bool,
    ) -> Result<Card, NextcloudError>;
    async fn delete_card(&self, card: CardRef) -> Result<Card, NextcloudError>;
    async fn create_label(
        &self,
        board_id: u64,
        title: &str,
        color: &str,
    ) -> Result<Label, NextcloudError>;
    async fn assign_label(&self, card: CardRef, label_id: u64) -> Result<(), NextcloudError>;
    async fn remove_label(&self, card: CardRef, label_id: u64) -> Result<(), NextcloudError>;
    async fn assign_user(&self, card: CardRef, user_id: &str)
    -> Result<Assignment, NextcloudError>;
    async fn unassign_user(
        &self,
        card: CardRef,
        user_id: &str,
    ) -> Result<Assignment, NextcloudError>;
    async fn list_comments(
        &self,
        card_id: u64,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<Comment>, NextcloudError>;
    async fn add_comment(&self, card_id: u64, message: &str) -> Result<Comment, NextcloudError>;
}

/// Sharing over OCS (`/ocs/v2.php/apps/files_sharing/api/v1`).
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait SharesApi: Send + Sync {
    async fn list_shares(&self, query: &ShareQuery) -> Result<Vec<Share>, NextcloudError>;
    async fn get_share(&self, share_id: u64) -> Result<Share, NextcloudError>;
    async fn create_share(&self, draft: &ShareDraft) -> Result<Share, NextcloudError>;
    async fn update_share(
        &self,
        share_id: u64,
        patch: &SharePatch,
    ) -> Result<Share, NextcloudError>;
    async fn delete_share(&self, share_id: u64) -> Result<(), NextcloudError>;
    /// Users, groups and other recipients matching `search`.
    async fn find_sharees(&self, search: &str, limit: u32) -> Result<Vec<Sharee>, NextcloudError>;
}

/// Unified search over OCS (`/ocs/v2.php/search/providers`).
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait SearchApi: Send + Sync {
    async fn list_search_providers(&self) -> Result<Vec<SearchProvider>, NextcloudError>;
    async fn search_provider(
        &self,
        provider: &str,
        query: &SearchQuery,
    ) -> Result<SearchPage, NextcloudError>;
}

/// Tables: OCS API v2 for tables, columns and new rows; REST API v1 for
/// reading, changing and deleting rows (v2 has no such routes before Tables 1.0).
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait TablesApi: Send + Sync {
    async fn list_tables(&self) -> Result<Vec<Table>, NextcloudError>;
    async fn list_columns(&self, table_id: u64) -> Result<Vec<Column>, NextcloudError>;
    async fn list_rows(
        &self,
        table_id: u64,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<Row>, NextcloudError>;
    async fn get_row(&self, row_id: u64) -> Result<Row, NextcloudError>;
    async fn create_row(&self, table_id: u64, values: &RowValues) -> Result<Row, NextcloudError>;
    async fn update_row(&self, row_id: u64, values: &RowValues) -> Result<Row, NextcloudError>;
    async fn delete_row(&self, row_id: u64) -> Result<(), NextcloudError>;
}

/// Cookbook API v1 (`/index.php/apps/cookbook/api/v1`).
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait CookbookApi: Send + Sync {
    async fn list_recipes(&self) -> Result<Vec<RecipeStub>, NextcloudError>;
    async fn search_recipes(&self, query: &str) -> Result<Vec<RecipeStub>, NextcloudError>;
    async fn recipes_in_category(&self, category: &str) -> Result<Vec<RecipeStub>, NextcloudError>;
    async fn recipes_with_keywords(
        &self,
        keywords: &[String],
    ) -> Result<Vec<RecipeStub>, NextcloudError>;
    async fn get_recipe(&self, recipe_id: u64) -> Result<Recipe, NextcloudError>;
    /// Answers the new recipe's id.
    async fn create_recipe(&self, recipe: &Recipe) -> Result<u64, NextcloudError>;
    async fn update_recipe(&self, recipe_id: u64, recipe: &Recipe) -> Result<u64, NextcloudError>;
    async fn delete_recipe(&self, recipe_id: u64) -> Result<(), NextcloudError>;
    async fn import_recipe(&self, url: &str) -> Result<Recipe, NextcloudError>;
    async fn list_categories(&self) -> Result<Vec<TagCount>, NextcloudError>;
    async fn list_keywords(&self) -> Result<Vec<TagCount>, NextcloudError>;
}

/// What the server has installed: OCS capabilities, and a cheap probe of an
/// app's API for apps the capabilities do not decide.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait CapabilitiesApi: Send + Sync {
    async fn capabilities(&self) -> Result<ServerCapabilities, NextcloudError>;
    /// `Ok(false)` when the app's API answers "no such route" (404, OCS 998).
    async fn app_responds(&self, app: App) -> Result<bool, NextcloudError>;
}

/// Calendars, events and tasks over CalDAV. `calendar` is a collection's URI
/// name (`personal`), as in [`Calendar::name`]. Every change of an existing
/// item is guarded by its ETag: the caller's `etag` when given, else the one
/// just read, so a concurrent change is never overwritten.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait CalendarApi: Send + Sync {
    /// The user's calendars (not the trash bin, inbox/outbox or deleted ones).
    async fn list_calendars(&self) -> Result<Vec<Calendar>, NextcloudError>;
    async fn create_calendar(&self, draft: &CalendarDraft) -> Result<(), NextcloudError>;
    async fn update_calendar(
        &self,
        calendar: &str,
        patch: &CalendarPatch,
    ) -> Result<(), NextcloudError>;
    /// Moves a calendar to Nextcloud's calendar trash bin.
    async fn delete_calendar(&self, calendar: &str) -> Result<(), NextcloudError>;
    /// Events (series with their overrides) with an instance in `range`,
    /// filtered by the server; `title_contains` is a server-side text-match.
    async fn events_in_range(
        &self,
        calendar: &str,
        range: &TimeRange,
        title_contains: Option<String>,
    ) -> Result<Vec<Event>, NextcloudError>;
    async fn get_event(&self, calendar: &str, uid: &str) -> Result<Event, NextcloudError>;
    async fn create_event(
        &self,
        calendar: &str,
        draft: &EventDraft,
    ) -> Result<Event, NextcloudError>;
    /// Edits the stored event in place: properties the patch does not name
    /// (including unknown and X- ones) survive.
    async fn update_event(
        &self,
        calendar: &str,
        uid: &str,
        etag: Option<String>,
        patch: &EventPatch,
    ) -> Result<Event, NextcloudError>;
    async fn delete_event(
        &self,
        calendar: &str,
        uid: &str,
        etag: Option<String>,
    ) -> Result<(), NextcloudError>;
    /// Tasks in a calendar; the server filters open tasks when `filter` allows.
    async fn list_todos(
        &self,
        calendar: &str,
        filter: &TodoFilter,
    ) -> Result<Vec<Todo>, NextcloudError>;
    async fn create_todo(&self, calendar: &str, draft: &TodoDraft) -> Result<Todo, NextcloudError>;
    async fn update_todo(
        &self,
        calendar: &str,
        uid: &str,
        etag: Option<String>,
        patch: &TodoPatch,
    ) -> Result<Todo, NextcloudError>;
    async fn delete_todo(
        &self,
        calendar: &str,
        uid: &str,
        etag: Option<String>,
    ) -> Result<(), NextcloudError>;
}

/// Address books and contacts over CardDAV. Contacts are written as vCard 3.0.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait ContactsApi: Send + Sync {
    async fn list_addressbooks(&self) -> Result<Vec<AddressBook>, NextcloudError>;
    async fn create_addressbook(
        &self,
        name: &str,
        display_name: &str,
        description: Option<String>,
    ) -> Result<(), NextcloudError>;
    async fn delete_addressbook(&self, name: &str) -> Result<(), NextcloudError>;
    /// Contacts in an address book; with `query`, only those whose name,
    /// email, phone, nickname or organisation contains it (server-side text-match).
    async fn list_contacts(
        &self,
        addressbook: &str,
        query: Option<String>,
    ) -> Result<Vec<Contact>, NextcloudError>;
    async fn get_contact(&self, addressbook: &str, uid: &str) -> Result<Contact, NextcloudError>;
    async fn create_contact(
        &self,
        addressbook: &str,
        uid: &str,
        patch: &ContactPatch,
    ) -> Result<Contact, NextcloudError>;
    /// Edits the stored vCard in place: properties the patch does not name survive.
    async fn update_contact(
        &self,
        addressbook: &str,
        uid: &str,
        etag: Option<String>,
        patch: &ContactPatch,
    ) -> Result<Contact, NextcloudError>;
    async fn delete_contact(
        &self,
        addressbook: &str,
        uid: &str,
        etag: Option<String>,
    ) -> Result<(), NextcloudError>;
}

/// Nextcloud's webhook_listeners OCS API
/// (`/ocs/v2.php/apps/webhook_listeners/api/v1/webhooks`). Only admins (or
/// delegated admins) may use it; others get [`NextcloudError::Forbidden`].
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait WebhooksApi: Send + Sync {
    async fn register_webhook(&self, draft: &WebhookDraft)
    -> Result<RemoteWebhook, NextcloudError>;
    /// Every webhook, or only those delivering to exactly `uri`.
    async fn list_webhooks(
        &self,
        uri: Option<String>,
    ) -> Result<Vec<RemoteWebhook>, NextcloudError>;
    async fn get_webhook(&self, id: i64) -> Result<RemoteWebhook, NextcloudError>;
    /// Replaces the whole registration (`POST /webhooks/{id}`).
    async fn update_webhook(
        &self,
        id: i64,
        draft: &WebhookDraft,
    ) -> Result<RemoteWebhook, NextcloudError>;
    /// `Ok(false)` when Nextcloud had no such webhook (it answers 200 `data:false`).
    async fn delete_webhook(&self, id: i64) -> Result<bool, NextcloudError>;
}
