//! What changed in a calendar or an address book since a sync token
//! (RFC 6578 sync-collection), as the index sync consumes it. Objects are
//! named by the last segment of their href: that is all a deletion names.

use crate::domain::calendar::Event;
use crate::domain::todos::Todo;

/// One new or changed object of a collection.
#[derive(Clone, Debug, PartialEq)]
pub struct ChangedObject<T> {
    /// The last segment of the object's href (`meeting.ics`).
    pub name: String,
    pub etag: Option<String>,
    /// Unix seconds of the object's last change: LAST-MODIFIED, DTSTAMP or
    /// REV inside it, else the server's getlastmodified; 0 when none says.
    pub modified: i64,
    pub content: T,
}

/// The changes of one collection since the token sent.
#[derive(Clone, Debug, PartialEq)]
pub struct CollectionChanges<T> {
    /// The token to send next time; none when the server gave none.
    pub token: Option<String>,
    /// The server did not accept the token sent (or none was sent):
    /// `changed` is every member, and anything else known is gone.
    pub full: bool,
    pub changed: Vec<ChangedObject<T>>,
    /// Names of removed members.
    pub deleted: Vec<String>,
}

/// What one calendar object holds (one UID: an event series or a task).
#[derive(Clone, Debug, PartialEq)]
pub struct CalendarObject {
    pub events: Vec<Event>,
    pub todos: Vec<Todo>,
}
