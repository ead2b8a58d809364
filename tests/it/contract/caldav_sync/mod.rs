//! Repeated calendar listings through sync-collection (RFC 6578), against
//! the Nextcloud 34 captures.

mod events;
