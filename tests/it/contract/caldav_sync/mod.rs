//! Repeated calendar listings through sync-collection (RFC 6578), against
//! the Nextcloud 34 captures: events, then tasks the same way.

mod events;
mod tasks;
