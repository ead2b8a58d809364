//! One pass over one owner: per enabled app, list what the user sees now,
//! write what changed, drop what is gone, and record the bookkeeping.

use std::collections::HashMap;

use url::Url;

use super::sources::{self, Candidate, Content};
use crate::domain::index::{DocApp, IndexedDocument, SourceState};
use crate::ports::index::SearchIndex;
use crate::ports::nextcloud::{NextcloudApi, NextcloudError};
use crate::ports::store::StoreError;

/// What one app's pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct AppReport {
    pub written: u64,
    pub removed: u64,
    pub unchanged: u64,
    /// Vectors stored after the app's documents were written.
    pub embedded: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum PassError {
    #[error(transparent)]
    Nextcloud(#[from] NextcloudError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Documents are written in batches: one transaction each, so a pass that
/// fails halfway keeps what it did.
pub(super) const BATCH: usize = 64;

/// Syncs `app` for `owner`. A listing that fails leaves the index as it was
/// (nothing is dropped on an error); an app that is not installed (404)
/// counts as empty, so its documents go.
pub async fn sync_app(
    index: &dyn SearchIndex,
    api: &dyn NextcloudApi,
    base: &Url,
    owner: &str,
    app: DocApp,
    now: i64,
) -> Result<AppReport, PassError> {
    if matches!(app, DocApp::Calendar | DocApp::Contacts) {
        return super::collections::sync_collections(index, api, base, owner, app, now).await;
    }
    let listed = match sources::list(app, api, base).await {
        Ok(listed) => listed,
        Err(NextcloudError::NotFound(_)) => Vec::new(),
        Err(error) => {
            record(index, owner, app, now, 0, Some(error.to_string())).await?;
            return Err(error.into());
        }
    };
    let stored: HashMap<String, String> = index
        .document_versions(owner, app)
        .await?
        .into_iter()
        .collect();
    let mut report = AppReport::default();
    let listed_ids: std::collections::HashSet<String> =
        listed.iter().map(|c| c.doc_id.clone()).collect();
    let gone: Vec<String> = stored
        .keys()
        .filter(|id| !listed_ids.contains(id.as_str()))
        .cloned()
        .collect();
    let changed: Vec<Candidate> = listed
        .into_iter()
        .filter(|c| stored.get(&c.doc_id) != Some(&c.version))
        .collect();
    report.unchanged = (listed_ids.len() - changed.len()) as u64;
    let mut pending = changed.len() as u64;
    let mut batch: Vec<IndexedDocument> = Vec::new();
    let mut failure = None;
    for candidate in changed {
        let doc = match candidate.content {
            Content::Ready(doc) => Some(doc),
            Content::File(path, mut doc) => {
                match api.read_file(&path, sources::MAX_FILE_BYTES).await {
                    Ok(content) => {
                        doc.body = String::from_utf8_lossy(&content.bytes).into_owned();
                        Some(doc)
                    }
                    // Gone or grown since the listing: the next pass sees it as it is.
                    Err(NextcloudError::NotFound(_) | NextcloudError::TooLarge(..)) => None,
                    Err(error) => {
                        failure = Some(error);
                        break;
                    }
                }
            }
        };
        if let Some(doc) = doc {
            batch.push(doc.bounded());
        }
        if batch.len() >= BATCH {
            report.written += flush(index, owner, &mut batch).await?;
        }
        pending -= 1;
    }
    report.written += flush(index, owner, &mut batch).await?;
    report.removed = index.delete_documents(owner, app, &gone).await?;
    let error = failure.as_ref().map(|e| e.to_string());
    record(index, owner, app, now, pending, error).await?;
    match failure {
        Some(error) => Err(error.into()),
        None => Ok(report),
    }
}

pub(super) async fn flush(
    index: &dyn SearchIndex,
    owner: &str,
    batch: &mut Vec<IndexedDocument>,
) -> Result<u64, StoreError> {
    if batch.is_empty() {
        return Ok(0);
    }
    index.upsert_documents(owner, batch).await?;
    let n = batch.len() as u64;
    batch.clear();
    Ok(n)
}

async fn record(
    index: &dyn SearchIndex,
    owner: &str,
    app: DocApp,
    now: i64,
    pending: u64,
    last_error: Option<String>,
) -> Result<(), StoreError> {
    let previous = index.source_state(owner, app).await?;
    let state = SourceState {
        cursor: previous.cursor,
        // The last successful sync stays what it was when this one failed.
        last_sync: if last_error.is_none() {
            Some(now)
        } else {
            previous.last_sync
        },
        pending,
        last_error,
    };
    index.put_source_state(owner, app, &state).await
}
