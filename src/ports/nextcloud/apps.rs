//! Deck, sharing, unified search, Tables, Cookbook and capabilities.

use async_trait::async_trait;

use crate::domain::capabilities::{App, ServerCapabilities};
use crate::domain::cookbook::{ConfigPatch, CookbookConfig, Recipe, RecipeStub, TagCount};
use crate::domain::deck::{
    Assignment, Attachment, AttachmentType, AttachmentUpload, Board, BoardFields, Card, CardDraft,
    CardFields, CardRef, Comment, Label, Stack,
};
use crate::domain::search::{SearchPage, SearchProvider, SearchQuery};
use crate::domain::shares::{Share, ShareDraft, SharePatch, ShareQuery, Sharee};
use crate::domain::tables::{Column, Row, RowValues, Table};

use super::NextcloudError;

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
    /// `parent_id` makes the comment a reply to that comment.
    async fn add_comment(
        &self,
        card_id: u64,
        message: &str,
        parent_id: Option<u64>,
    ) -> Result<Comment, NextcloudError>;
    /// Only the author may edit a comment (403 otherwise, fixture deck-extras/30).
    async fn update_comment(
        &self,
        card_id: u64,
        comment_id: u64,
        message: &str,
    ) -> Result<Comment, NextcloudError>;
    /// A missing comment is [`NextcloudError::NotFound`] (fixture deck-extras/35).
    async fn delete_comment(&self, card_id: u64, comment_id: u64) -> Result<(), NextcloudError>;
    /// Deck answers 403, not 404, for a label that does not exist.
    async fn get_label(&self, board_id: u64, label_id: u64) -> Result<Label, NextcloudError>;
    /// Deck's update needs the title and the colour together.
    async fn update_label(
        &self,
        board_id: u64,
        label_id: u64,
        title: &str,
        color: &str,
    ) -> Result<Label, NextcloudError>;
    /// Answers the deleted label.
    async fn delete_label(&self, board_id: u64, label_id: u64) -> Result<Label, NextcloudError>;
    /// Both kinds of attachment, soft-deleted `deck_file` ones included.
    async fn list_attachments(&self, card: CardRef) -> Result<Vec<Attachment>, NextcloudError>;
    /// Answers the attachment as Deck reports it after the delete.
    async fn delete_attachment(
        &self,
        card: CardRef,
        attachment_id: u64,
        kind: AttachmentType,
    ) -> Result<Attachment, NextcloudError>;
    /// Uploads new content as an attachment, streamed: a `file` lands in the
    /// uploader's Deck folder of Files (renamed if the name is taken), a
    /// `deck_file` in Deck's own storage (a taken name is
    /// [`NextcloudError::AlreadyExists`]).
    async fn upload_attachment(
        &self,
        card: CardRef,
        kind: AttachmentType,
        upload: AttachmentUpload,
    ) -> Result<Attachment, NextcloudError>;
    /// Makes `dependent_card_id` a dependent card of `card`; answers the
    /// card's dependent card ids afterwards. Adding one twice changes nothing.
    async fn assign_dependent_card(
        &self,
        card: CardRef,
        dependent_card_id: u64,
    ) -> Result<Vec<u64>, NextcloudError>;
    /// Removes the dependency; answers the remaining dependent card ids.
    async fn remove_dependent_card(
        &self,
        card: CardRef,
        dependent_card_id: u64,
    ) -> Result<Vec<u64>, NextcloudError>;
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
    async fn get_config(&self) -> Result<CookbookConfig, NextcloudError>;
    /// Sends only the settings the patch changes.
    async fn set_config(&self, patch: &ConfigPatch) -> Result<(), NextcloudError>;
    /// Rebuilds Cookbook's search index from the recipe folder.
    async fn reindex(&self) -> Result<(), NextcloudError>;
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
