//! The MCP edge: rmcp handler, tools, HTTP routes.

pub mod auth;
pub mod consent_routes;
pub(crate) mod credentials;
mod outcome;
pub mod server;
pub mod tool_scopes;
mod tools;
pub mod webhook_routes;
pub mod well_known;

pub use credentials::CredentialResolver;
pub use server::NextcloudMcp;
