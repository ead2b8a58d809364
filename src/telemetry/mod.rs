//! What operators watch: Prometheus metrics and the per-call log line.
//!
//! The `metrics` crate is a facade, like `tracing`: every layer may record
//! through the functions here, and without an installed recorder (the
//! default, when NEXTCLOUD_MCP_METRICS_LISTEN is unset) each one is a cheap
//! no-op. Labels are closed sets chosen here (tool names the server offers,
//! app names, status classes, outcomes): never a user id, a path or a token.

pub mod call;
pub mod exporter;
mod handles;
pub mod metered_idp;
pub mod record;

pub use call::{ToolCallOutcome, caller_reference, observe_tool_call};
