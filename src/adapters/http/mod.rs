//! The HTTP edge: where every request enters. The router mounts the MCP
//! handler at `/mcp` behind the bearer middleware (OAuth modes), and serves
//! the health and readiness checks, the protected-resource metadata, the
//! offline-access callback and the webhook receiver. It knows the MCP handler
//! only as an rmcp `ServerHandler`.

pub mod auth;
pub mod basic_users;
pub mod consent_callback;
mod health;
pub mod origin;
pub mod router;
pub mod serve;
pub mod static_bearer;
pub mod webhook_receiver;
pub mod well_known;

pub use auth::ToolScopeGate;
pub use router::{EdgeGuards, HttpEdge, OAuthEdge, router};
