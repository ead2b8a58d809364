//! Use cases: coordinate ports.
//!
//! Each use case takes its ports as trait objects and works with the domain's
//! types; none of them knows an adapter, a transport or the name of a setting.
//! The edges (MCP tools, HTTP routes, the operators' CLI) call in here, and
//! `app` builds these with the adapters the configuration chose.

pub mod apps;
pub mod audit;
pub mod clock;
pub mod consent;
pub mod credentials;
pub mod login_flow;
pub mod offline;
pub mod readiness;
pub mod sync;
pub mod webhooks;
