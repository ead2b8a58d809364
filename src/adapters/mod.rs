//! Implementations of the ports, and the inbound MCP edge.

pub mod idp;
pub mod mcp;
pub mod nextcloud;
pub mod store;
pub mod tls;
