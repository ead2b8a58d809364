//! Adapters of the `Embedder` port: text to vectors for the index's semantic
//! half. `openai` talks to an OpenAI-compatible service; `onnx` (behind the
//! `embeddings-onnx` feature) runs a model in the process.

#[cfg(feature = "embeddings-onnx")]
pub mod onnx;
mod openai;

pub use openai::{EmbeddingsSettings, MAX_BATCH, OpenAiEmbedder, endpoint_of};
