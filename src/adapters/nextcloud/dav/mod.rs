//! What every DAV-speaking adapter (files, calendars, contacts) shares:
//! hrefs, requests and preconditions, the one multistatus reader, finding a
//! user's calendar and address book homes, and repeated listings through
//! sync-collection.

pub mod discovery;
pub mod href;
pub mod multistatus;
pub mod request;
pub mod sync;
