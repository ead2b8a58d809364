//! Nextcloud over HTTP: one pooled client, one file per app.

mod caldav;
mod caldav_xml;
mod capabilities;
mod carddav;
mod cookbook;
mod dav_common;
mod dav_discovery;
mod dav_props;
mod dav_xml;
mod deck;
mod deck_wire;
mod errors;
pub mod http;
mod ical_patch;
mod ical_read;
mod ical_write;
mod notes;
mod ocs;
mod search;
mod shares;
mod status;
mod tables;
mod vcard;
mod webdav;
mod webhooks;

pub use http::{HttpNextcloud, NextcloudSession};
