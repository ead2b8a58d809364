//! Event and task listings: the first one is the server-filtered
//! calendar-query; the same listing again within five minutes is a
//! sync-collection from the token taken before that query, with a
//! calendar-multiget of what changed and the query's filter applied locally
//! (see `dav::sync`). Events and tasks have a cache each, keyed alike, so
//! one does not push the other's listing of the same calendar out.

use calcard::icalendar::ICalendar;
use url::Url;

use super::xml::{self, ObjectFilter};
use crate::adapters::nextcloud::dav::multistatus::{CALDAV, DAV, Resource};
use crate::adapters::nextcloud::dav::sync::{Listing, Member, SyncCache};
use crate::adapters::nextcloud::http::NextcloudSession;
use crate::adapters::nextcloud::ical::read as ical_read;
use crate::domain::calendar::{ComponentKind, Event};
use crate::domain::caltime::TimeRange;
use crate::domain::recurrence::occurrences;
use crate::domain::todos::Todo;
use crate::ports::nextcloud::NextcloudError;

static EVENTS: SyncCache<Event> = SyncCache::new();
static TODOS: SyncCache<Todo> = SyncCache::new();

/// What a cached listing remembers of each object: its parsed components.
trait Listed: Clone + Send + Sync + 'static {
    const KIND: ComponentKind;
    fn cache() -> &'static SyncCache<Self>;
    fn read(ical: &ICalendar, calendar: &str, etag: Option<&str>) -> Vec<Self>;
}

impl Listed for Event {
    const KIND: ComponentKind = ComponentKind::Event;
    fn cache() -> &'static SyncCache<Self> {
        &EVENTS
    }
    fn read(ical: &ICalendar, calendar: &str, etag: Option<&str>) -> Vec<Self> {
        ical_read::events(ical, calendar, etag)
    }
}

impl Listed for Todo {
    const KIND: ComponentKind = ComponentKind::Todo;
    fn cache() -> &'static SyncCache<Self> {
        &TODOS
    }
    fn read(ical: &ICalendar, calendar: &str, etag: Option<&str>) -> Vec<Self> {
        ical_read::todos(ical, calendar, etag)
    }
}

/// The local re-check of a changed object against the server's filter.
type Keep<'a, T> = &'a (dyn Fn(&ICalendar, &[T]) -> bool + Sync);

/// Whether the object's events are what the calendar-query of capture 20
/// selects: an instance overlapping `range` whose SUMMARY contains `title`.
/// Recurrences are expanded as the listing tools expand them.
pub fn object_matches(events: &[Event], range: &TimeRange, title: Option<&str>) -> bool {
    let wanted = title.map(str::to_lowercase);
    let titled = |e: &Event| {
        wanted
            .as_deref()
            .is_none_or(|t| e.title.to_lowercase().contains(t))
    };
    events.iter().any(|event| match occurrences(event, range) {
        Ok(instances) => instances.iter().any(titled),
        // A rule that cannot be expanded here: keep it, as the server did.
        Err(_) => titled(event) || event.overrides.iter().any(titled),
    })
}

/// Whether the object is what the task calendar-query of capture 23 selects:
/// a VTODO, without COMPLETED when only open tasks are asked for.
pub fn todo_object_matches(ical: &ICalendar, open_only: bool) -> bool {
    ical_read::components(ical, ComponentKind::Todo)
        .any(|c| !open_only || ical_read::entry(c, "COMPLETED").is_none())
}

fn query_key(range: &TimeRange, title: Option<&str>) -> String {
    format!("events {} {} {title:?}", range.start, range.end)
}

impl NextcloudSession {
    /// Forgets the listings of the calendar at `calendar` (a write went through).
    pub(super) fn forget_calendar_listing(&self, calendar: &Url) {
        self.forget_listing(&EVENTS, calendar);
        self.forget_listing(&TODOS, calendar);
    }

    /// Forgets the listings of the calendar holding the object at `object`.
    pub(super) fn forget_calendar_listing_of(&self, object: &Url) {
        self.forget_listing_of(&EVENTS, object);
        self.forget_listing_of(&TODOS, object);
    }

    /// Events of the objects matching `range` and `title`, through the cache.
    pub(super) async fn list_events(
        &self,
        calendar: &str,
        range: &TimeRange,
        title: Option<&str>,
    ) -> Result<Vec<Event>, NextcloudError> {
        let keep = |_: &ICalendar, events: &[Event]| object_matches(events, range, title);
        self.list_cached(
            calendar,
            query_key(range, title),
            &ObjectFilter::Range { range, title },
            &keep,
        )
        .await
    }

    /// Tasks of the objects holding a VTODO (an open one with `open_only`),
    /// through the cache; the caller filters the tasks further.
    pub(super) async fn list_todos_cached(
        &self,
        calendar: &str,
        open_only: bool,
    ) -> Result<Vec<Todo>, NextcloudError> {
        let keep = |ical: &ICalendar, _: &[Todo]| todo_object_matches(ical, open_only);
        self.list_cached(
            calendar,
            format!("todos open_only={open_only}"),
            &ObjectFilter::All { open_only },
            &keep,
        )
        .await
    }

    /// The components of the objects `filter` selects (`keep` re-checks a
    /// changed object locally), through the cache of `T`.
    async fn list_cached<T: Listed>(
        &self,
        calendar: &str,
        query: String,
        filter: &ObjectFilter<'_>,
        keep: Keep<'_, T>,
    ) -> Result<Vec<T>, NextcloudError> {
        let url = self.calendar_url(calendar).await?;
        let read = |resource: &Resource| -> Result<Option<Vec<T>>, NextcloudError> {
            let Some(data) = resource.raw_text(CALDAV, "calendar-data") else {
                return Ok(None);
            };
            let etag = resource.text(DAV, "getetag");
            let ical = ical_read::parse(data)?;
            let items = T::read(&ical, calendar, etag.as_deref());
            Ok(keep(&ical, &items).then_some(items))
        };
        let listing = Listing {
            cache: T::cache(),
            collection: &url,
            what: format!("calendar '{calendar}'"),
            query,
            token_request: (xml::list_calendars(), "the calendar"),
            multiget: xml::calendar_multiget,
            read: &read,
            relist_on_change: false,
        };
        let full = async {
            let objects = self.query_objects(calendar, T::KIND, filter).await?;
            Ok(objects
                .into_iter()
                .map(|o| Member {
                    items: T::read(&o.ical, calendar, o.etag.as_deref()),
                    url: o.url,
                    etag: o.etag,
                })
                .collect())
        };
        self.list_synced(&listing, full).await
    }
}
