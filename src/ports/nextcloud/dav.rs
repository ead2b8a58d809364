//! Calendar, tasks and contacts (CalDAV/CardDAV).

use async_trait::async_trait;

use crate::domain::calendar::{
    Calendar, CalendarDraft, CalendarPatch, Event, EventDraft, EventPatch,
};
use crate::domain::caltime::TimeRange;
use crate::domain::changes::{CalendarObject, CollectionChanges};
use crate::domain::contacts::{AddressBook, Contact, ContactPatch};
use crate::domain::todos::{Todo, TodoDraft, TodoFilter, TodoPatch};

use super::NextcloudError;

/// Calendars, events and tasks over CalDAV. `calendar` is a collection's URI
/// name (`personal`), as in [`Calendar::name`]. Every change of an existing
/// item is guarded by its ETag: the caller's `etag` when given, else the one
/// just read, so a concurrent change is never overwritten.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait CalendarApi: Send + Sync {
    /// The user's calendars (not the trash bin, inbox/outbox or deleted ones).
    async fn list_calendars(&self) -> Result<Vec<Calendar>, NextcloudError>;
    async fn create_calendar(&self, draft: &CalendarDraft) -> Result<(), NextcloudError>;
    async fn update_calendar(
        &self,
        calendar: &str,
        patch: &CalendarPatch,
    ) -> Result<(), NextcloudError>;
    /// Moves a calendar to Nextcloud's calendar trash bin.
    async fn delete_calendar(&self, calendar: &str) -> Result<(), NextcloudError>;
    /// Events (series with their overrides) with an instance in `range`,
    /// filtered by the server; `title_contains` is a server-side text-match.
    async fn events_in_range(
        &self,
        calendar: &str,
        range: &TimeRange,
        title_contains: Option<String>,
    ) -> Result<Vec<Event>, NextcloudError>;
    async fn get_event(&self, calendar: &str, uid: &str) -> Result<Event, NextcloudError>;
    async fn create_event(
        &self,
        calendar: &str,
        draft: &EventDraft,
    ) -> Result<Event, NextcloudError>;
    /// Edits the stored event in place: properties the patch does not name
    /// (including unknown and X- ones) survive.
    async fn update_event(
        &self,
        calendar: &str,
        uid: &str,
        etag: Option<String>,
        patch: &EventPatch,
    ) -> Result<Event, NextcloudError>;
    async fn delete_event(
        &self,
        calendar: &str,
        uid: &str,
        etag: Option<String>,
    ) -> Result<(), NextcloudError>;
    /// Tasks in a calendar; the server filters open tasks when `filter` allows.
    async fn list_todos(
        &self,
        calendar: &str,
        filter: &TodoFilter,
    ) -> Result<Vec<Todo>, NextcloudError>;
    async fn create_todo(&self, calendar: &str, draft: &TodoDraft) -> Result<Todo, NextcloudError>;
    async fn update_todo(
        &self,
        calendar: &str,
        uid: &str,
        etag: Option<String>,
        patch: &TodoPatch,
    ) -> Result<Todo, NextcloudError>;
    async fn delete_todo(
        &self,
        calendar: &str,
        uid: &str,
        etag: Option<String>,
    ) -> Result<(), NextcloudError>;
    /// The calendar's objects changed since `since` (a token an earlier call
    /// returned), through sync-collection. Without a token, or when the
    /// server no longer knows it, every object is returned with `full` set.
    async fn calendar_changes(
        &self,
        calendar: &str,
        since: Option<String>,
    ) -> Result<CollectionChanges<CalendarObject>, NextcloudError>;
}

/// Address books and contacts over CardDAV. Contacts are written as vCard 3.0.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait ContactsApi: Send + Sync {
    async fn list_addressbooks(&self) -> Result<Vec<AddressBook>, NextcloudError>;
    async fn create_addressbook(
        &self,
        name: &str,
        display_name: &str,
        description: Option<String>,
    ) -> Result<(), NextcloudError>;
    async fn delete_addressbook(&self, name: &str) -> Result<(), NextcloudError>;
    /// Contacts in an address book; with `query`, only those whose name,
    /// email, phone, nickname or organisation contains it (server-side text-match).
    async fn list_contacts(
        &self,
        addressbook: &str,
        query: Option<String>,
    ) -> Result<Vec<Contact>, NextcloudError>;
    async fn get_contact(&self, addressbook: &str, uid: &str) -> Result<Contact, NextcloudError>;
    async fn create_contact(
        &self,
        addressbook: &str,
        uid: &str,
        patch: &ContactPatch,
    ) -> Result<Contact, NextcloudError>;
    /// Edits the stored vCard in place: properties the patch does not name survive.
    async fn update_contact(
        &self,
        addressbook: &str,
        uid: &str,
        etag: Option<String>,
        patch: &ContactPatch,
    ) -> Result<Contact, NextcloudError>;
    async fn delete_contact(
        &self,
        addressbook: &str,
        uid: &str,
        etag: Option<String>,
    ) -> Result<(), NextcloudError>;
    /// The address book's cards changed since `since`, as for
    /// [`CalendarApi::calendar_changes`].
    async fn addressbook_changes(
        &self,
        addressbook: &str,
        since: Option<String>,
    ) -> Result<CollectionChanges<Contact>, NextcloudError>;
}
