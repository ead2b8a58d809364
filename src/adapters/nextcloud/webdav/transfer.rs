//! Ranges, streamed reads and streamed uploads over WebDAV.

use async_trait::async_trait;
use bytes::Bytes;
use reqwest::header::{
    CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, IF_MATCH, IF_NONE_MATCH, RANGE,
};
use reqwest::{Body, Method, Response, StatusCode};

use super::super::body::error_text;
use super::super::dav::request::{etag_of, header, header_value, quoted_etag};
use super::super::errors::{map_status, upload_status};
use super::super::http::NextcloudSession;
use crate::domain::files::{WriteCondition, WriteOutcome};
use crate::domain::path::UserPath;
use crate::domain::text_window::{ChunkSink, FileRange, Scanned};
use crate::ports::nextcloud::{FileTransferApi, NextcloudError, TransferProgress};

/// Upload chunk: small enough for frequent progress, large enough that the
/// per-chunk cost vanishes.
const UPLOAD_CHUNK: usize = 256 * 1024;

fn interrupted() -> NextcloudError {
    NextcloudError::Unavailable("the reply was interrupted".into())
}

/// The size after the slash of `Content-Range: bytes a-b/size` (or `*/size`).
fn range_total(response: &Response) -> Option<u64> {
    header(response, &CONTENT_RANGE)?
        .rsplit_once('/')
        .and_then(|(_, size)| size.trim().parse().ok())
}

/// Reads at most `length` bytes, skipping `skip` first (a server that
/// ignored the Range header sends the file from its start), telling
/// `progress` how many of `expected` have come.
async fn take_bytes(
    mut response: Response,
    mut skip: u64,
    length: u64,
    expected: u64,
    progress: Option<TransferProgress>,
) -> Result<Vec<u8>, NextcloudError> {
    let mut bytes = Vec::new();
    while (bytes.len() as u64) < length {
        let Some(chunk) = response.chunk().await.map_err(|_| interrupted())? else {
            break;
        };
        let mut chunk = &chunk[..];
        if skip > 0 {
            let skipped = skip.min(chunk.len() as u64);
            chunk = &chunk[skipped as usize..];
            skip -= skipped;
        }
        let room = (length - bytes.len() as u64).min(chunk.len() as u64) as usize;
        bytes.extend_from_slice(&chunk[..room]);
        if let Some(progress) = &progress
            && room > 0
        {
            progress(bytes.len() as u64, Some(expected));
        }
    }
    Ok(bytes)
}

/// The body as a stream of slices of one buffer, reporting each as it goes.
fn streamed(body: Vec<u8>, progress: Option<TransferProgress>) -> Body {
    let body = Bytes::from(body);
    let total = body.len() as u64;
    let chunks: Vec<Bytes> = (0..body.len())
        .step_by(UPLOAD_CHUNK)
        .map(|start| body.slice(start..(start + UPLOAD_CHUNK).min(body.len())))
        .collect();
    let mut sent = 0u64;
    let stream = futures_util::stream::iter(chunks.into_iter().map(move |chunk| {
        sent += chunk.len() as u64;
        if let Some(progress) = &progress {
            progress(sent, Some(total));
        }
        Ok::<Bytes, std::io::Error>(chunk)
    }));
    Body::wrap_stream(stream)
}

#[async_trait]
impl FileTransferApi for NextcloudSession {
    async fn read_range(
        &self,
        path: &UserPath,
        offset: u64,
        length: u64,
        progress: Option<TransferProgress>,
    ) -> Result<FileRange, NextcloudError> {
        let what = path.to_string();
        let last = offset.saturating_add(length.max(1) - 1);
        let request = self
            .request(Method::GET, self.dav_url(path, false)?)
            .header(RANGE, format!("bytes={offset}-{last}"));
        let response = self.send_raw(request).await?;
        let status = response.status();
        if status == StatusCode::RANGE_NOT_SATISFIABLE {
            // The offset is at or past the end: nothing to read.
            return Ok(FileRange {
                bytes: Vec::new(),
                offset,
                total_size: range_total(&response),
                content_type: None,
                etag: etag_of(&response),
            });
        }
        if !status.is_success() {
            let body = error_text(response).await;
            return Err(map_status(status, &what, &body));
        }
        let content_type = header(&response, &CONTENT_TYPE);
        let etag = etag_of(&response);
        let (skip, total_size) = if status == StatusCode::PARTIAL_CONTENT {
            (0, range_total(&response))
        } else {
            (offset, response.content_length())
        };
        let expected = total_size.map_or(length, |total| total.saturating_sub(offset).min(length));
        let bytes = take_bytes(response, skip, length, expected, progress).await?;
        Ok(FileRange {
            bytes,
            offset,
            total_size,
            content_type,
            etag,
        })
    }

    async fn scan_file(
        &self,
        path: &UserPath,
        sink: &mut dyn ChunkSink,
        max_bytes: u64,
    ) -> Result<Scanned, NextcloudError> {
        let what = path.to_string();
        let request = self.request(Method::GET, self.dav_url(path, false)?);
        let mut response = self.send(request, &what).await?;
        let content_type = header(&response, &CONTENT_TYPE);
        let etag = etag_of(&response);
        let mut seen = 0u64;
        while let Some(chunk) = response.chunk().await.map_err(|_| interrupted())? {
            let room = (max_bytes - seen).min(chunk.len() as u64) as usize;
            seen += room as u64;
            if sink.accept(&chunk[..room]) {
                // Dropping the response closes the download early.
                return Ok(Scanned {
                    reached_end: false,
                    content_type,
                    etag,
                });
            }
            if room < chunk.len() {
                return Err(NextcloudError::TooLarge(what, max_bytes));
            }
        }
        Ok(Scanned {
            reached_end: true,
            content_type,
            etag,
        })
    }

    async fn upload(
        &self,
        path: &UserPath,
        body: Vec<u8>,
        content_type: Option<String>,
        condition: WriteCondition,
        progress: Option<TransferProgress>,
    ) -> Result<WriteOutcome, NextcloudError> {
        let what = path.to_string();
        // The length is sent, so the upload is not chunk-encoded: some PHP
        // set-ups see an empty body when it is.
        let mut request = self
            .request(Method::PUT, self.dav_url(path, false)?)
            .header(CONTENT_LENGTH, body.len())
            .body(streamed(body, progress));
        if let Some(content_type) = content_type {
            request = request.header(CONTENT_TYPE, header_value(&content_type, "content type")?);
        }
        match &condition {
            WriteCondition::Any => {}
            WriteCondition::IfMatch(tag) => {
                request = request.header(IF_MATCH, header_value(&quoted_etag(tag), "etag")?);
            }
            WriteCondition::MustNotExist => request = request.header(IF_NONE_MATCH, "*"),
        }
        let response = self.send_raw(request).await?;
        let status = response.status();
        if !status.is_success() {
            let create_only = matches!(condition, WriteCondition::MustNotExist);
            let body = error_text(response).await;
            return Err(upload_status(status, create_only, &what, &body));
        }
        Ok(WriteOutcome {
            created: status == StatusCode::CREATED,
            etag: etag_of(&response),
        })
    }
}
