//! Pure types and decisions. No I/O crate may be imported here.

pub mod audit;
pub mod consent;
pub mod credential;
pub mod files;
pub mod notes;
pub mod path;
pub mod principal;
pub mod scopes;
