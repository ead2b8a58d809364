//! One folder per Nextcloud app; each adds its tools to
//! [`super::NextcloudMcp`] through one router.

mod calendar;
mod capabilities;
mod consent;
mod contacts;
mod cookbook;
mod deck;
mod files;
mod notes;
mod search;
mod shares;
mod tables;
mod webhooks;
