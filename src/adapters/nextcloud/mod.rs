//! Nextcloud over HTTP: one pooled client ([`http`]), one place where
//! statuses become errors ([`errors`]), the two wire families every app
//! speaks (`dav/` for WebDAV-style XML, `ocs/` for OCS and JSON), and one
//! module or folder per Nextcloud app implementing its port trait.

// Shared plumbing.
mod body;
mod dav;
mod errors;
pub mod http;
mod ocs;
mod scrub;

// Server-wide endpoints.
mod capabilities;
mod login_flow;
mod status;

// One module per Nextcloud app.
mod caldav;
mod carddav;
mod collectives;
mod cookbook;
mod deck;
mod ical;
mod news;
mod notes;
mod search;
mod shares;
mod tables;
mod vcard;
mod webdav;
mod webhooks;

#[cfg(test)]
mod injection_tests;

pub use http::{HttpNextcloud, NextcloudSession};
