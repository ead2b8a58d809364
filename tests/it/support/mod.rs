//! Shared test support: real Nextcloud 34 captures replayed with wiremock,
//! the server started in-process, and the fakes the tests talk to.

pub mod captured;
pub mod dav;
pub mod documents;
pub mod e2e;
pub mod fixtures;
pub mod idp;
pub mod login_flow;
pub mod oauth;
pub mod output_schema;
pub mod rotating_idp;
pub mod webhooks;
