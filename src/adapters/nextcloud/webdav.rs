//! Files over WebDAV (`/remote.php/dav/files/{user}/`).

use async_trait::async_trait;

use super::http::NextcloudSession;
use crate::domain::files::{FileContent, FileEntry, WriteCondition, WriteOutcome};
use crate::domain::path::UserPath;
use crate::ports::nextcloud::{FilesApi, NextcloudError};

fn pending() -> NextcloudError {
    NextcloudError::Protocol("webdav adapter not written yet".into())
}

#[async_trait]
impl FilesApi for NextcloudSession {
    async fn list_folder(&self, _path: &UserPath) -> Result<Vec<FileEntry>, NextcloudError> {
        Err(pending())
    }
    async fn file_info(&self, _path: &UserPath) -> Result<FileEntry, NextcloudError> {
        Err(pending())
    }
    async fn read_file(
        &self,
        _path: &UserPath,
        _max_bytes: u64,
    ) -> Result<FileContent, NextcloudError> {
        Err(pending())
    }
    async fn write_file(
        &self,
        _path: &UserPath,
        _body: Vec<u8>,
        _content_type: Option<String>,
        _condition: WriteCondition,
    ) -> Result<WriteOutcome, NextcloudError> {
        Err(pending())
    }
    async fn create_folder(&self, _path: &UserPath) -> Result<(), NextcloudError> {
        Err(pending())
    }
    async fn move_entry(
        &self,
        _from: &UserPath,
        _to: &UserPath,
        _overwrite: bool,
    ) -> Result<(), NextcloudError> {
        Err(pending())
    }
    async fn copy_entry(
        &self,
        _from: &UserPath,
        _to: &UserPath,
        _overwrite: bool,
    ) -> Result<(), NextcloudError> {
        Err(pending())
    }
    async fn delete_entry(&self, _path: &UserPath) -> Result<(), NextcloudError> {
        Err(pending())
    }
    async fn search_by_name(
        &self,
        _scope: &UserPath,
        _like_pattern: &str,
        _limit: u32,
    ) -> Result<Vec<FileEntry>, NextcloudError> {
        Err(pending())
    }
}
