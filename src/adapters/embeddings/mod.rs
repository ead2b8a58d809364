//! Adapters of the `Embedder` port: text to vectors for the index's semantic half.

mod openai;

pub use openai::{EmbeddingsSettings, MAX_BATCH, OpenAiEmbedder, endpoint_of};
