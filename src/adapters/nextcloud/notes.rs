//! Notes API v1 (`/index.php/apps/notes/api/v1`).

use async_trait::async_trait;

use super::http::NextcloudSession;
use crate::domain::notes::{Note, NoteDraft, NotePatch};
use crate::ports::nextcloud::{NextcloudError, NotesApi};

fn pending() -> NextcloudError {
    NextcloudError::Protocol("notes adapter not written yet".into())
}

#[async_trait]
impl NotesApi for NextcloudSession {
    async fn list_notes(&self, _category: Option<String>) -> Result<Vec<Note>, NextcloudError> {
        Err(pending())
    }
    async fn get_note(&self, _id: u64) -> Result<Note, NextcloudError> {
        Err(pending())
    }
    async fn create_note(&self, _draft: &NoteDraft) -> Result<Note, NextcloudError> {
        Err(pending())
    }
    async fn update_note(
        &self,
        _id: u64,
        _etag: &str,
        _patch: &NotePatch,
    ) -> Result<Note, NextcloudError> {
        Err(pending())
    }
    async fn delete_note(&self, _id: u64) -> Result<(), NextcloudError> {
        Err(pending())
    }
}
