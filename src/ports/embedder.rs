//! Text to vectors, for the search index's semantic half. Two adapters are
//! planned behind this one trait: an OpenAI-compatible `/v1/embeddings`
//! endpoint (Ollama, vLLM, TEI, OpenAI) and an in-process model. The index
//! never knows which one answered; it only stores what `model()` names so
//! vectors of different models are never compared.

use async_trait::async_trait;
use thiserror::Error;

/// Why a batch could not be embedded. Messages say what a person can do;
/// none carries the text that was sent or a credential.
#[derive(Debug, Error)]
pub enum EmbedError {
    #[error(
        "the embedding service at {endpoint} is unreachable; check NEXTCLOUD_MCP_EMBEDDINGS_URL"
    )]
    Unreachable { endpoint: String },
    #[error(
        "the embedding service refused the request (HTTP {status}); check its model name and key"
    )]
    Refused { status: u16 },
    #[error("the embedding service is busy (HTTP {status}); the sync retries later")]
    Busy { status: u16 },
    #[error("the embedding service answered something unreadable: {0}")]
    BadAnswer(String),
    #[error("the embedding model could not run: {0}")]
    Model(String),
}

#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait Embedder: Send + Sync {
    /// One vector per text, in order, each of `dimensions()` floats and
    /// L2-normalised (so a dot product is the cosine similarity).
    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError>;
    /// Length of every vector this embedder returns.
    fn dimensions(&self) -> usize;
    /// A stable name of the model; stored beside each vector.
    fn model(&self) -> &str;
}
