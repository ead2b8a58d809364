//! Nextcloud over HTTP: one pooled client, one file per app.

mod dav_xml;
mod errors;
pub mod http;
mod notes;
mod ocs;
mod status;
mod webdav;

pub use http::{HttpNextcloud, NextcloudSession};
