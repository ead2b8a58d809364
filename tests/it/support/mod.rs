//! Shared test support: real Nextcloud 34 captures, replayed with wiremock.
#![allow(dead_code)]

pub mod captured;
pub mod e2e;
pub mod fixtures;
