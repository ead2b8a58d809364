//! nextcloud-mcp: an MCP server that works in a user's Nextcloud as that user.
//!
//! Layers (see docs/adr/0001): `domain` is pure, `ports` are the traits the core
//! needs, `adapters` implement them, `app` wires everything together.

pub mod adapters;
pub mod app;
pub mod domain;
pub mod ports;
