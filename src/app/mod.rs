//! Configuration, wiring of adapters, serving.

pub mod config;
pub mod serve;
pub mod stdio;
pub mod wiring;
