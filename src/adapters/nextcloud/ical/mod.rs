//! iCalendar for the CalDAV adapter: reading objects into the domain's
//! events and tasks, writing new ones, and patching stored ones in place.

pub mod patch;
pub mod read;
pub mod write;
