//! The MCP edge: the rmcp handler, its tools, and how tool outcomes become
//! MCP results. The HTTP routes around it live in `adapters::http`.

pub mod caller;
mod outcome;
mod paging;
mod schema;
pub mod server;
pub mod tool_scopes;
mod tools;

pub use server::NextcloudMcp;
