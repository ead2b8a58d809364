//! The traits the core needs from the outside world.

pub mod nextcloud;
pub mod identity;
pub mod store;
