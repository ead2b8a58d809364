//! What the search tools may do with the index: read the caller's own
//! documents and bookkeeping, nothing else. The owner is the caller's
//! subject; without a signed-in caller (basic mode) it is the one user the
//! server acts as. With an embedder, a search is hybrid by default: one
//! keyword query and one vector query under the same filters, fused by
//! reciprocal rank; a caller may ask for either list alone.

use std::sync::Arc;

use super::{Semantic, SyncAccess};
use crate::domain::index::vectors::fuse;
use crate::domain::index::{AppIndexStatus, DocApp, IndexHit, IndexQuery, search_terms};
use crate::domain::principal::Principal;
use crate::ports::index::SearchIndex;
use crate::ports::store::StoreError;

pub const DEFAULT_LIMIT: u32 = 10;
pub const MAX_LIMIT: u32 = 50;
/// Hits asked of each list before fusion: more than the limit, so a
/// document ranked low in one list and high in the other can still make it.
const MIN_CANDIDATES: u32 = 20;
const MAX_CANDIDATES: u32 = 100;

/// Which lists a search ran (or is asked to run).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SearchMode {
    Keyword,
    /// The vector list alone: by meaning, whatever the words.
    Semantic,
    Hybrid,
}

impl SearchMode {
    pub fn as_str(self) -> &'static str {
        match self {
            SearchMode::Keyword => "keyword",
            SearchMode::Semantic => "semantic",
            SearchMode::Hybrid => "hybrid",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "keyword" => Some(SearchMode::Keyword),
            "semantic" => Some(SearchMode::Semantic),
            "hybrid" => Some(SearchMode::Hybrid),
            _ => None,
        }
    }
}

/// Ranked hits and how they were found.
#[derive(Clone, Debug)]
pub struct SearchOutcome {
    pub hits: Vec<IndexHit>,
    pub mode: SearchMode,
    /// Why a configured semantic half did not run this time.
    pub note: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("the search index needs a signed-in caller")]
    NoOwner,
    #[error("the query has no words to search for")]
    EmptyQuery,
    #[error("{0}")]
    Invalid(String),
    /// A semantic-only search whose query could not be embedded.
    #[error("semantic search is unavailable: {0}")]
    Unavailable(String),
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
    /// None: hybrid when an embedder is configured, keyword otherwise.
    pub mode: Option<SearchMode>,
}

pub struct IndexReader {
    index: Arc<dyn SearchIndex>,
    /// The owner when no caller is signed in (basic mode's user).
    default_owner: Option<String>,
    /// The apps this deployment indexes.
    apps: Vec<DocApp>,
    semantic: Option<Semantic>,
    /// Tells whether an owner's sync is stopped for want of their action.
    access: Option<Arc<dyn SyncAccess>>,
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
            semantic: None,
            access: None,
        }
    }

    /// The status tells when the sync's access to a user is stopped.
    pub fn with_access(mut self, access: Arc<dyn SyncAccess>) -> Self {
        self.access = Some(access);
        self
    }

    /// Why the caller's sync is stopped (say, their connected account needs
    /// reconnecting); None while it runs.
    pub async fn stopped(&self, caller: Option<&Principal>) -> Result<Option<String>, ReadError> {
        let owner = self.owner(caller)?;
        Ok(match &self.access {
            Some(access) => access.stopped(&owner).await,
            None => None,
        })
    }

    /// Searches become hybrid.
    pub fn with_semantic(mut self, semantic: Semantic) -> Self {
        self.semantic = Some(semantic);
        self
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
    ) -> Result<SearchOutcome, ReadError> {
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
        let limit = request.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
        let mut query = IndexQuery {
            terms,
            limit,
            apps,
            modified_after: request.modified_after,
            modified_before: request.modified_before,
            path_prefix: request.path_prefix.clone().filter(|p| !p.is_empty()),
        };
        let semantic = match (&self.semantic, request.mode) {
            (None, None | Some(SearchMode::Keyword)) | (Some(_), Some(SearchMode::Keyword)) => {
                return Ok(SearchOutcome {
                    hits: self.index.search(&owner, &query).await?,
                    mode: SearchMode::Keyword,
                    note: None,
                });
            }
            (None, Some(mode)) => {
                return Err(ReadError::Invalid(format!(
                    "mode: {} search needs an embedding model, and this server has none; \
                     use mode keyword",
                    mode.as_str()
                )));
            }
            (Some(semantic), _) => semantic,
        };
        if request.mode == Some(SearchMode::Semantic) {
            let vector = self
                .embed_query(semantic, &request.query)
                .await
                .map_err(ReadError::Unavailable)?;
            let mut hits = semantic
                .vectors
                .vector_search(&owner, semantic.embedder.model(), &vector, &query)
                .await?;
            hits.truncate(limit as usize);
            return Ok(SearchOutcome {
                hits,
                mode: SearchMode::Semantic,
                note: None,
            });
        }
        query.limit = (limit * 2).clamp(MIN_CANDIDATES, MAX_CANDIDATES);
        let keyword = self.index.search(&owner, &query).await?;
        let vector = match self.embed_query(semantic, &request.query).await {
            Ok(vector) => vector,
            Err(why) => return Ok(keyword_only(keyword, limit, why)),
        };
        let near = semantic
            .vectors
            .vector_search(&owner, semantic.embedder.model(), &vector, &query)
            .await?;
        Ok(SearchOutcome {
            hits: fuse(keyword, near, limit as usize),
            mode: SearchMode::Hybrid,
            note: None,
        })
    }

    /// The query's vector, or why there is none.
    async fn embed_query(&self, semantic: &Semantic, query: &str) -> Result<Vec<f32>, String> {
        match semantic
            .embedder
            .embed(std::slice::from_ref(&query.to_owned()))
            .await
        {
            Ok(mut made) if made.len() == 1 => Ok(made.pop().expect("one vector")),
            Ok(_) => Err("the embedding service answered no vector".into()),
            Err(error) => {
                tracing::warn!(%error, "semantic search: the query could not be embedded");
                Err(error.to_string())
            }
        }
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

    /// Removes everything of `owner` (revocation); vectors go with documents.
    pub async fn forget(&self, owner: &str) -> Result<u64, StoreError> {
        self.index.purge_owner(owner).await
    }
}

/// The keyword list alone, cut to the limit, when the vector half failed.
fn keyword_only(mut hits: Vec<IndexHit>, limit: u32, why: String) -> SearchOutcome {
    hits.truncate(limit as usize);
    SearchOutcome {
        hits,
        mode: SearchMode::Keyword,
        note: Some(format!("semantic half skipped: {why}")),
    }
}
