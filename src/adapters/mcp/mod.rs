//! The MCP edge: rmcp handler, tools, HTTP routes.

mod outcome;
pub mod server;
mod tools;

pub use server::NextcloudMcp;
