//! Files too large to move in one piece: byte ranges, streamed reads that
//! stop when the reader has enough, and uploads that stream and report how
//! far they got.

use std::sync::Arc;

use async_trait::async_trait;

use super::NextcloudError;
use crate::domain::files::{WriteCondition, WriteOutcome};
use crate::domain::path::UserPath;
use crate::domain::text_window::{ChunkSink, FileRange, Scanned};

/// Told (bytes moved, bytes in all when known) as an upload or a download
/// proceeds.
pub type TransferProgress = Arc<dyn Fn(u64, Option<u64>) + Send + Sync>;

#[async_trait]
pub trait FileTransferApi: Send + Sync {
    /// Up to `length` bytes from `offset`; an offset at or past the end
    /// gives no bytes (and the size, when the server says it). `progress`
    /// hears the bytes received so far and how many are expected.
    async fn read_range(
        &self,
        path: &UserPath,
        offset: u64,
        length: u64,
        progress: Option<TransferProgress>,
    ) -> Result<FileRange, NextcloudError>;

    /// Streams the file from its start into `sink` until the sink has
    /// enough; refuses with [`NextcloudError::TooLarge`] once `max_bytes`
    /// have passed without that.
    async fn scan_file(
        &self,
        path: &UserPath,
        sink: &mut dyn ChunkSink,
        max_bytes: u64,
    ) -> Result<Scanned, NextcloudError>;

    /// Writes `body` as a stream of chunks (never copied whole), calling
    /// `progress` as they are handed to the connection.
    async fn upload(
        &self,
        path: &UserPath,
        body: Vec<u8>,
        content_type: Option<String>,
        condition: WriteCondition,
        progress: Option<TransferProgress>,
    ) -> Result<WriteOutcome, NextcloudError>;
}
