//! The traits the core needs from the outside world.

pub mod consent;
pub mod documents;
pub mod embedder;
pub mod identity;
pub mod index;
pub mod login_flow;
pub mod nextcloud;
pub mod store;
pub mod vectors;
pub mod webhooks;
