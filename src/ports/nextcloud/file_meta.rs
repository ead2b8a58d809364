//! What Nextcloud keeps about files besides their content, over its DAV
//! trees: system tags, comments, favorites, the trash bin, versions, and
//! server-side search. Files are named by path; the adapter looks up the
//! file id these trees use.

use async_trait::async_trait;

use crate::domain::file_meta::comments::FileComment;
use crate::domain::file_meta::query::FileQuery;
use crate::domain::file_meta::tags::SystemTag;
use crate::domain::file_meta::trash::TrashEntry;
use crate::domain::file_meta::versions::FileVersion;
use crate::domain::files::FileEntry;
use crate::domain::path::UserPath;

use super::NextcloudError;

/// Whether a change was made or was already in place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Done,
    AlreadySo,
}

#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait FileMetaApi: Send + Sync {
    /// Every tag this user can see.
    async fn list_system_tags(&self) -> Result<Vec<SystemTag>, NextcloudError>;
    /// Creates a visible, assignable tag; answers its id.
    async fn create_system_tag(&self, name: &str) -> Result<u64, NextcloudError>;
    async fn file_tags(&self, path: &UserPath) -> Result<Vec<SystemTag>, NextcloudError>;
    async fn assign_system_tag(
        &self,
        path: &UserPath,
        tag: &SystemTag,
    ) -> Result<Change, NextcloudError>;
    async fn unassign_system_tag(
        &self,
        path: &UserPath,
        tag: &SystemTag,
    ) -> Result<Change, NextcloudError>;
    /// Files and folders carrying the tag, anywhere in the user's files.
    async fn files_with_tag(&self, tag: &SystemTag) -> Result<Vec<FileEntry>, NextcloudError>;

    /// Newest first, `limit` from `offset`.
    async fn list_file_comments(
        &self,
        path: &UserPath,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<FileComment>, NextcloudError>;
    /// Answers the new comment's id.
    async fn create_file_comment(
        &self,
        path: &UserPath,
        message: &str,
    ) -> Result<u64, NextcloudError>;
    async fn update_file_comment(
        &self,
        path: &UserPath,
        comment_id: u64,
        message: &str,
    ) -> Result<(), NextcloudError>;
    async fn delete_file_comment(
        &self,
        path: &UserPath,
        comment_id: u64,
    ) -> Result<(), NextcloudError>;

    /// Favorites under `scope` (and below it).
    async fn list_favorites(&self, scope: &UserPath) -> Result<Vec<FileEntry>, NextcloudError>;
    async fn set_favorite(&self, path: &UserPath, favorite: bool) -> Result<(), NextcloudError>;

    async fn list_trash(&self) -> Result<Vec<TrashEntry>, NextcloudError>;
    /// Moves a trash entry back to where it was deleted from.
    async fn restore_from_trash(&self, entry_id: &str) -> Result<(), NextcloudError>;

    async fn list_versions(&self, path: &UserPath) -> Result<Vec<FileVersion>, NextcloudError>;
    /// Makes an earlier version the current content (the current one becomes a version).
    async fn restore_version(
        &self,
        path: &UserPath,
        version_id: &str,
    ) -> Result<(), NextcloudError>;

    /// Newest first, at most `query.max_results`.
    async fn search_files(&self, query: &FileQuery) -> Result<Vec<FileEntry>, NextcloudError>;
}
