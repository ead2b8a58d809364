//! Implementations of the ports, and the inbound MCP edge.

pub mod mcp;
pub mod nextcloud;
