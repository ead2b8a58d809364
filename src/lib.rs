//! nextcloud-mcp: an MCP server that works in a user's Nextcloud as that user.
//!
//! Layers (see docs/adr/0001): `domain` is pure, `ports` are the traits the core
//! needs, `service` holds the use cases that coordinate ports, `adapters`
//! implement the ports and the inbound edges (HTTP, MCP), and `app` wires
//! everything together and serves it.

pub mod adapters;
pub mod app;
pub mod domain;
pub mod ports;
pub mod service;
pub mod telemetry;
