//! A calendar's changes since a token the caller keeps (see
//! `dav::sync::changes`), read into events and tasks with the time each
//! object last changed.

use super::xml;
use crate::adapters::nextcloud::dav::multistatus::CALDAV;
use crate::adapters::nextcloud::dav::sync::Fetched;
use crate::adapters::nextcloud::http::NextcloudSession;
use crate::adapters::nextcloud::ical::read as ical_read;
use crate::domain::changes::{CalendarObject, CollectionChanges};
use crate::ports::nextcloud::NextcloudError;

/// The fetched objects of `calendar` as events and tasks.
pub fn read_changes(
    fetched: Fetched,
    calendar: &str,
) -> Result<CollectionChanges<CalendarObject>, NextcloudError> {
    fetched.read_objects((CALDAV, "calendar-data"), |data, etag| {
        let ical = ical_read::parse(data)?;
        let object = CalendarObject {
            events: ical_read::events(&ical, calendar, etag),
            todos: ical_read::todos(&ical, calendar, etag),
        };
        Ok((object, ical_read::last_modified(&ical)))
    })
}

impl NextcloudSession {
    pub(super) async fn changes_of_calendar(
        &self,
        calendar: &str,
        since: Option<&str>,
    ) -> Result<CollectionChanges<CalendarObject>, NextcloudError> {
        let url = self.calendar_url(calendar).await?;
        let what = format!("calendar '{calendar}'");
        let fetched = self
            .fetch_changes(&url, &what, since, xml::calendar_multiget_dated)
            .await?;
        read_changes(fetched, calendar)
    }
}
