//! The MCP edge: the rmcp handler, its tools, and how tool outcomes become
//! MCP results. The HTTP routes around it live in `adapters::http`.

mod admins;
pub mod caller;
mod caller_cache;
mod client_log;
mod fan_out;
mod outcome;
mod paging;
mod progress;
mod resources;
mod schema;
pub mod server;
pub mod tool_scopes;
mod tools;

pub use server::NextcloudMcp;
