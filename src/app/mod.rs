//! Configuration, wiring and serving: reads the settings, builds the adapters
//! and use cases they ask for, and runs the server (HTTP or stdio) or the
//! operators' CLI. No use case lives here.

pub mod admin;
pub mod config;
pub mod health;
pub mod logging;
pub mod startup;
pub mod stdio;
pub mod wiring;
