//! The MCP edge: rmcp handler, tools, HTTP routes.

pub(crate) mod credentials;
mod outcome;
pub mod server;
mod tools;

pub use credentials::CredentialResolver;
pub use server::NextcloudMcp;
