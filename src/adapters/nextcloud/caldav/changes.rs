//! A calendar's changes since a token the caller keeps (see
//! `dav::sync::changes`), read into events and tasks with the time each
//! object last changed.

use super::xml;
use crate::adapters::nextcloud::dav::href::last_segment;
use crate::adapters::nextcloud::dav::multistatus::{CALDAV, DAV};
use crate::adapters::nextcloud::dav::sync::{Fetched, http_date};
use crate::adapters::nextcloud::http::NextcloudSession;
use crate::adapters::nextcloud::ical::read as ical_read;
use crate::domain::changes::{CalendarObject, ChangedObject, CollectionChanges};
use crate::ports::nextcloud::NextcloudError;

/// The fetched objects of `calendar` as events and tasks.
pub fn read_changes(
    fetched: Fetched,
    calendar: &str,
) -> Result<CollectionChanges<CalendarObject>, NextcloudError> {
    let mut changed = Vec::new();
    for resource in fetched.changed {
        let Some(data) = resource.raw_text(CALDAV, "calendar-data") else {
            continue;
        };
        let etag = resource.text(DAV, "getetag");
        let ical = ical_read::parse(data)?;
        let modified = ical_read::last_modified(&ical)
            .or_else(|| http_date(resource.text(DAV, "getlastmodified")))
            .unwrap_or(0);
        changed.push(ChangedObject {
            name: last_segment(&resource.href),
            modified,
            content: CalendarObject {
                events: ical_read::events(&ical, calendar, etag.as_deref()),
                todos: ical_read::todos(&ical, calendar, etag.as_deref()),
            },
            etag,
        });
    }
    Ok(CollectionChanges {
        token: fetched.token,
        full: fetched.full,
        changed,
        deleted: fetched.deleted,
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
