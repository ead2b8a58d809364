//! What the search tools may do with the index: read the caller's own
//! documents and bookkeeping, nothing else. The owner is the caller's
//! subject; without a signed-in caller (basic mode) it is the one user the
//! server acts as.

use std::sync::Arc;

use crate::domain::index::{AppIndexStatus, DocApp, IndexHit, IndexQuery, search_terms};
use crate::domain::principal::Principal;
use crate::ports::index::SearchIndex;
use crate::ports::store::StoreError;

pub const DEFAULT_LIMIT: u32 = 10;
pub const MAX_LIMIT: u32 = 50;

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("the search index needs a signed-in caller")]
    NoOwner,
    #[error("the query has no words to search for")]
    EmptyQuery,
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A search as the tool received it.
#[derive(Clone, Debug, Default)]
pub struct SearchRequest {
    pub query: String,
    pub limit: Option<u32>,
    pub doc_types: Vec<String>,
    pub modified_after: Option<i64>,
    pub modified_before: Option<i64>,
    pub path_prefix: Option<String>,
}

pub struct IndexReader {
    index: Arc<dyn SearchIndex>,
    /// The owner when no caller is signed in (basic mode's user).
    default_owner: Option<String>,
    /// The apps this deployment indexes.
    apps: Vec<DocApp>,
}

impl IndexReader {
    pub fn new(
        index: Arc<dyn SearchIndex>,
        default_owner: Option<String>,
        apps: Vec<DocApp>,
    ) -> Self {
        Self {
            index,
            default_owner,
            apps,
        }
    }

    fn owner(&self, caller: Option<&Principal>) -> Result<String, ReadError> {
        match caller {
            Some(caller) => Ok(caller.subject().to_string()),
            None => self.default_owner.clone().ok_or(ReadError::NoOwner),
        }
    }

    pub async fn search(
        &self,
        caller: Option<&Principal>,
        request: &SearchRequest,
    ) -> Result<Vec<IndexHit>, ReadError> {
        let owner = self.owner(caller)?;
        let terms = search_terms(&request.query);
        if terms.is_empty() {
            return Err(ReadError::EmptyQuery);
        }
        let mut apps = Vec::new();
        for name in &request.doc_types {
            let app = DocApp::parse(name).ok_or_else(|| {
                ReadError::Invalid(format!(
                    "doc_types: '{name}' is not one of notes, files, calendar, contacts, deck"
                ))
            })?;
            if !self.apps.contains(&app) {
                return Err(ReadError::Invalid(format!(
                    "doc_types: '{name}' is not indexed on this server"
                )));
            }
            apps.push(app);
        }
        if let (Some(after), Some(before)) = (request.modified_after, request.modified_before)
            && after > before
        {
            return Err(ReadError::Invalid(
                "modified_after is later than modified_before".into(),
            ));
        }
        let query = IndexQuery {
            terms,
            limit: request.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT),
            apps,
            modified_after: request.modified_after,
            modified_before: request.modified_before,
            path_prefix: request.path_prefix.clone().filter(|p| !p.is_empty()),
        };
        Ok(self.index.search(&owner, &query).await?)
    }

    pub async fn status(
        &self,
        caller: Option<&Principal>,
    ) -> Result<Vec<AppIndexStatus>, ReadError> {
        let owner = self.owner(caller)?;
        let mut status = self.index.index_status(&owner).await?;
        // Every indexed app is reported, synced yet or not.
        for app in &self.apps {
            if !status.iter().any(|s| s.app == *app) {
                status.push(AppIndexStatus {
                    app: *app,
                    documents: 0,
                    state: Default::default(),
                });
            }
        }
        status.sort_by_key(|s| s.app);
        Ok(status)
    }

    /// Removes everything of `owner` (revocation).
    pub async fn forget(&self, owner: &str) -> Result<u64, StoreError> {
        self.index.purge_owner(owner).await
    }
}
