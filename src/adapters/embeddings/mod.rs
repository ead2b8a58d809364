//! Embedder adapters: where the search index's vectors come from.

#[cfg(feature = "embeddings-onnx")]
pub mod onnx;
