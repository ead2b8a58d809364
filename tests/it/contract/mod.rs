//! Each adapter against real Nextcloud 34 captures: what it sends matches the
//! captured request, and it reads the captured response.

mod caldav;
mod caldav_sync;
mod calendar_roundtrip;
mod capabilities;
mod carddav;
mod carddav_sync;
mod collection_changes;
mod collectives;
mod cookbook;
mod cookbook_admin;
mod deck;
mod deck_extras;
mod deck_upload;
mod embeddings;
mod file_meta;
mod fixture_loader;
mod login_flow;
mod news;
mod notes;
mod search;
mod shares;
mod tables;
mod webdav;
mod webhooks;
