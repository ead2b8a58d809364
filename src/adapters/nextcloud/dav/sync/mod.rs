//! Repeated listings of a DAV collection through sync-collection (RFC 6578),
//! shared by calendars and address books.
//!
//! The first listing is the server-filtered query; it remembers the
//! collection's sync-token taken just before that query, the query and the
//! objects it returned ([`cache`]). The same listing again sends a
//! sync-collection REPORT from that token ([`report`]), fetches what changed
//! with a multiget, drops what was deleted and re-applies the query's filter
//! locally to the changed objects only ([`listing`]). Anything unexpected
//! (an error, no token, a new token without changes: Nextcloud's answer to a
//! token it does not know) drops the entry so the listing runs in full.
//!
//! Callers that keep the token themselves (the index sync) ask for the
//! changes since it instead ([`changes`]).

mod cache;
mod changes;
mod listing;
mod report;

pub use cache::SyncCache;
pub use changes::Fetched;
pub use listing::{Listing, Member};
