//! The search index: each owner's documents and their sync bookkeeping.
//! Every method takes the owner, and no method reads across owners except
//! [`SearchIndex::owners`] (which names owners, never their documents).

use async_trait::async_trait;

use crate::domain::index::{
    AppIndexStatus, DocApp, IndexHit, IndexQuery, IndexedDocument, SourceState,
};
use crate::ports::store::StoreError;

#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait SearchIndex: Send + Sync {
    /// Inserts or replaces documents of `owner` (keyed by app and doc id).
    async fn upsert_documents(
        &self,
        owner: &str,
        documents: &[IndexedDocument],
    ) -> Result<(), StoreError>;
    /// Removes the named documents of `owner` in `app`; returns how many went.
    async fn delete_documents(
        &self,
        owner: &str,
        app: DocApp,
        doc_ids: &[String],
    ) -> Result<u64, StoreError>;
    /// (doc id, version) of every stored document of `owner` in `app`: what
    /// a sync compares a new listing with.
    async fn document_versions(
        &self,
        owner: &str,
        app: DocApp,
    ) -> Result<Vec<(String, String)>, StoreError>;
    /// Ranked hits among `owner`'s documents only; empty terms find nothing.
    async fn search(&self, owner: &str, query: &IndexQuery) -> Result<Vec<IndexHit>, StoreError>;

    async fn source_state(&self, owner: &str, app: DocApp) -> Result<SourceState, StoreError>;
    async fn put_source_state(
        &self,
        owner: &str,
        app: DocApp,
        state: &SourceState,
    ) -> Result<(), StoreError>;
    /// Per app: documents stored and the sync bookkeeping, for every app that
    /// has either.
    async fn index_status(&self, owner: &str) -> Result<Vec<AppIndexStatus>, StoreError>;

    /// Removes every document and all bookkeeping of `owner`; returns how
    /// many documents went.
    async fn purge_owner(&self, owner: &str) -> Result<u64, StoreError>;
    /// Owners with anything stored, so a sync can purge those no longer connected.
    async fn owners(&self) -> Result<Vec<String>, StoreError>;
}
