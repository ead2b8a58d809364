//! Configuration, wiring of adapters, serving.

pub mod admin;
pub mod config;
pub mod consent;
pub mod jobs;
pub mod serve;
pub mod stdio;
pub mod webhooks;
pub mod wiring;
