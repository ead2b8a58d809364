//! Implementations of the ports, and the inbound edges (HTTP, MCP).

pub(crate) mod body;
pub mod documents;
pub mod embeddings;
pub mod http;
pub mod idp;
pub mod mcp;
pub mod nextcloud;
pub mod store;
pub mod tls;
