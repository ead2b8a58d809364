//! The semantic half of the search index: one vector per document, stored
//! with the name of the model that made it so vectors of different models
//! are never compared. Every method is scoped to one owner, like
//! [`crate::ports::index::SearchIndex`]; deleting or purging documents
//! there removes their vectors too, and replacing a document drops its
//! vector until it is embedded again.

use async_trait::async_trait;

use crate::domain::index::vectors::{EmbedInput, VectorEngine};
use crate::domain::index::{DocApp, IndexHit, IndexQuery};
use crate::ports::store::StoreError;

#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait VectorIndex: Send + Sync {
    /// Readies the store for vectors of `dimensions` floats (on PostgreSQL
    /// with pgvector: its column and HNSW index) and says how they will be
    /// searched. Called once at start, before any other method.
    async fn prepare_vectors(&self, dimensions: usize) -> Result<VectorEngine, StoreError>;
    /// Up to `limit` documents of `owner` in `app` without a vector of `model`.
    async fn unembedded(
        &self,
        owner: &str,
        app: DocApp,
        model: &str,
        limit: u32,
    ) -> Result<Vec<EmbedInput>, StoreError>;
    /// Stores (doc id, vector) pairs made by `model`; a document deleted
    /// meanwhile gets none. Returns how many were stored.
    async fn put_vectors(
        &self,
        owner: &str,
        app: DocApp,
        model: &str,
        vectors: &[(String, Vec<f32>)],
    ) -> Result<u64, StoreError>;
    /// `owner`'s documents nearest to `vector` among those embedded by
    /// `model`, best first, under the query's filters (apps, time, path,
    /// limit; its terms are not used). Scores are cosine similarities.
    async fn vector_search(
        &self,
        owner: &str,
        model: &str,
        vector: &[f32],
        query: &IndexQuery,
    ) -> Result<Vec<IndexHit>, StoreError>;
}
