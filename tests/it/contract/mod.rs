//! Each adapter against real Nextcloud 34 captures: what it sends matches the
//! captured request, and it reads the captured response.

mod caldav;
mod caldav_sync;
mod calendar_roundtrip;
mod capabilities;
mod carddav;
mod carddav_sync;
mod cookbook;
mod deck;
mod fixture_loader;
mod login_flow;
mod notes;
mod search;
mod shares;
mod tables;
mod webdav;
mod webhooks;
