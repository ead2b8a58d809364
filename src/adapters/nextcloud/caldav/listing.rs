//! Event and task listings: the first one is the server-filtered
//! calendar-query; the same listing again within five minutes is a
//! sync-collection from the token taken before that query, with a
//! calendar-multiget of what changed and the query's filter applied locally
//! (see `sync_cache`). Events and tasks have a cache each, keyed alike, so
//! one does not push the other's listing of the same calendar out.

use std::collections::HashMap;
use std::time::Instant;

use calcard::icalendar::ICalendar;
use quick_xml::escape::escape;
use url::Url;

use super::super::caldav_xml::{self, ObjectFilter};
use super::super::dav_props::{CALDAV, DAV};
use super::super::http::NextcloudSession;
use super::super::ical_read;
use super::sync_cache::{Entry, SyncCache, SyncDelta, sync_collection};
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

/// calendar-multiget of some hrefs (capture 24; Depth 1).
pub fn calendar_multiget(hrefs: &[String]) -> String {
    let hrefs: String = hrefs
        .iter()
        .map(|h| format!("<d:href>{}</d:href>", escape(h.as_str())))
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop>{hrefs}</c:calendar-multiget>
"#
    )
}

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
    fn listing_key(&self, collection: &Url) -> Result<String, NextcloudError> {
        Ok(SyncCache::<Event>::key(
            self.url("")?.as_str(),
            self.user_id(),
            collection.as_str(),
        ))
    }

    /// The cache key of an href the server sent, so spellings agree.
    pub(in super::super) fn member_key(&self, href: &str) -> Result<String, NextcloudError> {
        Ok(self.href_url(href)?.path().to_string())
    }

    /// Forgets the listing of the collection at `collection` (a write went through).
    pub(in super::super) fn forget_listing(&self, collection: &Url) {
        if let Ok(key) = self.listing_key(collection) {
            EVENTS.invalidate(&key);
            TODOS.invalidate(&key);
        }
    }

    /// Forgets the listing of the collection holding the object at `object`.
    pub(in super::super) fn forget_listing_of(&self, object: &Url) {
        if let Ok(collection) = object.join("./") {
            self.forget_listing(&collection);
        }
    }

    /// The collection's current sync-token (PROPFIND Depth 0, capture 29).
    async fn collection_token(&self, url: &Url) -> Option<String> {
        let reply = self
            .dav_query(
                "PROPFIND",
                url.clone(),
                Some("0"),
                caldav_xml::list_calendars(),
                "the calendar",
            )
            .await
            .ok()?;
        reply
            .responses
            .iter()
            .find_map(|r| r.text(DAV, "sync-token"))
    }

    /// Brings a remembered listing up to date; `None` when it cannot be trusted.
    async fn resync<T: Listed>(
        &self,
        url: &Url,
        calendar: &str,
        mut entry: Entry<T>,
        keep: Keep<'_, T>,
    ) -> Result<Option<Entry<T>>, NextcloudError> {
        let what = format!("calendar '{calendar}'");
        let reply = self
            .dav_query(
                "REPORT",
                url.clone(),
                None,
                sync_collection(Some(&entry.token)),
                &what,
            )
            .await?;
        let delta = SyncDelta::from_reply(&reply, url.path());
        if !delta.usable_after(&entry.token) {
            return Ok(None);
        }
        for href in &delta.deleted {
            entry.objects.remove(&self.member_key(href)?);
        }
        let mut fetch = Vec::new();
        for (href, etag) in &delta.changed {
            let key = self.member_key(href)?;
            let known = entry.objects.get(&key).and_then(|(e, _)| e.as_ref());
            if etag.is_none() || known != etag.as_ref() {
                entry.objects.remove(&key);
                fetch.push(href.clone());
            }
        }
        if !fetch.is_empty() {
            let reply = self
                .dav_query(
                    "REPORT",
                    url.clone(),
                    Some("1"),
                    calendar_multiget(&fetch),
                    &what,
                )
                .await?;
            let asked: Vec<String> = fetch
                .iter()
                .map(|h| self.member_key(h))
                .collect::<Result<_, _>>()?;
            for resource in reply.responses {
                let key = self.member_key(&resource.href)?;
                if !asked.contains(&key) {
                    continue;
                }
                let Some(data) = resource.raw_text(CALDAV, "calendar-data") else {
                    continue;
                };
                let etag = resource.text(DAV, "getetag");
                let ical = ical_read::parse(data)?;
                let items = T::read(&ical, calendar, etag.as_deref());
                if keep(&ical, &items) {
                    entry.objects.insert(key, (etag, items));
                }
            }
        }
        entry.token = delta.token.unwrap_or(entry.token);
        Ok(Some(entry))
    }

    /// Events of the objects matching `range` and `title`, through the cache.
    pub(in super::super) async fn list_events(
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
    pub(in super::super) async fn list_todos_cached(
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
        let cache = T::cache();
        let url = self.calendar_url(calendar).await?;
        let key = self.listing_key(&url)?;
        if let Some(entry) = cache.get(&key, &query) {
            match self.resync(&url, calendar, entry, keep).await {
                Ok(Some(entry)) => {
                    let items = entry.items();
                    cache.put(key, entry);
                    return Ok(items);
                }
                // Unknown token, error: list in full below.
                Ok(None) | Err(_) => cache.invalidate(&key),
            }
        }
        // The token first: a change racing the query is reported next time.
        let token = self.collection_token(&url).await;
        let objects = self.query_objects(calendar, T::KIND, filter).await?;
        let mut out = Vec::new();
        let mut remembered = HashMap::new();
        for o in &objects {
            let items = T::read(&o.ical, calendar, o.etag.as_deref());
            out.extend(items.iter().cloned());
            remembered.insert(o.url.path().to_string(), (o.etag.clone(), items));
        }
        if let Some(token) = token {
            cache.put(
                key,
                Entry {
                    token,
                    query,
                    objects: remembered,
                    stored: Instant::now(),
                },
            );
        }
        Ok(out)
    }
}
