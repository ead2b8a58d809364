//! Calendars, events and tasks over CalDAV (RFC 4791), from the discovered
//! calendar home. Listings are calendar-query REPORTs filtered by the server;
//! changes are PUTs of the edited object guarded by If-Match. Repeated event
//! and task listings go through sync-collection (`listing`); every write
//! forgets the listing of its collection.

mod changes;
mod listing;
mod xml;

use async_trait::async_trait;
use calcard::icalendar::ICalendar;
use url::Url;

use self::xml::ObjectFilter;
use super::dav::discovery::DavService;
use super::dav::href::{encode, last_segment};
use super::dav::multistatus::{APPLE, CALDAV, CALSERVER, DAV, NEXTCLOUD_COM, Resource};
use super::dav::request::Precondition;
use super::errors::protocol;
use super::http::NextcloudSession;
use super::ical::{patch as ical_patch, read as ical_read, write as ical_write};
use crate::domain::calendar::{
    Calendar, CalendarDraft, CalendarPatch, ComponentKind, Event, EventDraft, EventPatch,
};
use crate::domain::caltime::TimeRange;
use crate::domain::changes::{CalendarObject, CollectionChanges};
use crate::domain::todos::{Todo, TodoDraft, TodoFilter, TodoPatch};
use crate::ports::nextcloud::{CalendarApi, NextcloudError};

const ICS: &str = "text/calendar; charset=utf-8";

/// One stored calendar object: where it is, its version, its content.
struct StoredObject {
    url: Url,
    etag: Option<String>,
    ical: ICalendar,
}

fn calendar_of(resource: &Resource) -> Option<Calendar> {
    let is_calendar = resource.has_child(DAV, "resourcetype", CALDAV, "calendar");
    let deleted = resource.has_child(DAV, "resourcetype", NEXTCLOUD_COM, "deleted-calendar")
        || resource.text(NEXTCLOUD_COM, "deleted-at").is_some();
    if !is_calendar || deleted {
        return None;
    }
    let name = last_segment(&resource.href);
    let components = resource
        .prop(CALDAV, "supported-calendar-component-set")
        .map(|p| {
            p.children
                .iter()
                .filter(|c| c.local == "comp")
                .filter_map(|c| c.attribute("name").map(str::to_ascii_uppercase))
                .collect()
        })
        .unwrap_or_default();
    Some(Calendar {
        display_name: resource
            .text(DAV, "displayname")
            .unwrap_or_else(|| name.clone()),
        description: resource.text(CALDAV, "calendar-description"),
        color: resource.text(APPLE, "calendar-color"),
        components,
        sync_token: resource
            .text(DAV, "sync-token")
            .or_else(|| resource.text(CALSERVER, "getctag")),
        name,
    })
}

fn what(kind: ComponentKind, uid: &str, calendar: &str) -> String {
    let noun = match kind {
        ComponentKind::Event => "event",
        ComponentKind::Todo => "task",
    };
    format!("{noun} '{uid}' in calendar '{calendar}'")
}

impl NextcloudSession {
    async fn calendar_url(&self, calendar: &str) -> Result<Url, NextcloudError> {
        let home = self.dav_home(DavService::CalDav).await?;
        home.join(&format!("{}/", encode(calendar)))
            .map_err(|_| protocol("bad calendar URL"))
    }

    /// Runs a calendar-query and parses every object it returns.
    async fn query_objects(
        &self,
        calendar: &str,
        kind: ComponentKind,
        filter: &ObjectFilter<'_>,
    ) -> Result<Vec<StoredObject>, NextcloudError> {
        let url = self.calendar_url(calendar).await?;
        let body = xml::calendar_query(kind, filter);
        let reply = self
            .dav_query(
                "REPORT",
                url,
                Some("1"),
                body,
                &format!("calendar '{calendar}'"),
            )
            .await?;
        let mut objects = Vec::new();
        for resource in reply.responses {
            let Some(data) = resource.raw_text(CALDAV, "calendar-data") else {
                continue;
            };
            objects.push(StoredObject {
                url: self.href_url(&resource.href)?,
                etag: resource.text(DAV, "getetag"),
                ical: ical_read::parse(data)?,
            });
        }
        Ok(objects)
    }

    /// The object holding the component `uid` of `kind`.
    async fn find_object(
        &self,
        calendar: &str,
        kind: ComponentKind,
        uid: &str,
    ) -> Result<StoredObject, NextcloudError> {
        self.query_objects(calendar, kind, &ObjectFilter::Uid(uid))
            .await?
            .into_iter()
            .find(|o| {
                ical_read::components(&o.ical, kind)
                    .any(|c| ical_read::uid(c).as_deref() == Some(uid))
            })
            .ok_or_else(|| NextcloudError::NotFound(what(kind, uid, calendar)))
    }

    async fn put_new(
        &self,
        calendar: &str,
        kind: ComponentKind,
        uid: &str,
        body: String,
    ) -> Result<(ICalendar, Option<String>), NextcloudError> {
        let url = self
            .calendar_url(calendar)
            .await?
            .join(&format!("{}.ics", encode(uid)))
            .map_err(|_| protocol("bad object URL"))?;
        let written = self
            .dav_put(
                url.clone(),
                ICS,
                body.clone(),
                Precondition::Create,
                &what(kind, uid, calendar),
            )
            .await;
        self.forget_calendar_listing_of(&url);
        let etag = written?;
        Ok((ical_read::parse(&body)?, etag))
    }

    async fn put_changed(
        &self,
        calendar: &str,
        kind: ComponentKind,
        uid: &str,
        object: StoredObject,
        etag: Option<String>,
    ) -> Result<(ICalendar, Option<String>), NextcloudError> {
        let guard = etag
            .or(object.etag)
            .ok_or_else(|| protocol("the server sent no ETag for the object"))?;
        let body = object.ical.to_string();
        let written = self
            .dav_put(
                object.url.clone(),
                ICS,
                body,
                Precondition::Replace(guard),
                &what(kind, uid, calendar),
            )
            .await;
        self.forget_calendar_listing_of(&object.url);
        let new_etag = written?;
        Ok((object.ical, new_etag))
    }

    async fn delete_object(
        &self,
        calendar: &str,
        kind: ComponentKind,
        uid: &str,
        etag: Option<String>,
    ) -> Result<(), NextcloudError> {
        let object = self.find_object(calendar, kind, uid).await?;
        let guard = etag.or(object.etag);
        let deleted = self
            .dav_delete(
                object.url.clone(),
                guard.as_deref(),
                &what(kind, uid, calendar),
            )
            .await;
        self.forget_calendar_listing_of(&object.url);
        deleted
    }
}

fn one_event(
    ical: &ICalendar,
    calendar: &str,
    etag: Option<&str>,
    uid: &str,
) -> Result<Event, NextcloudError> {
    ical_read::events(ical, calendar, etag)
        .into_iter()
        .find(|e| e.uid == uid && e.recurrence_id.is_none())
        .ok_or_else(|| NextcloudError::NotFound(what(ComponentKind::Event, uid, calendar)))
}

fn one_todo(
    ical: &ICalendar,
    calendar: &str,
    etag: Option<&str>,
    uid: &str,
) -> Result<Todo, NextcloudError> {
    ical_read::todos(ical, calendar, etag)
        .into_iter()
        .find(|t| t.uid == uid)
        .ok_or_else(|| NextcloudError::NotFound(what(ComponentKind::Todo, uid, calendar)))
}

pub fn new_uid() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[async_trait]
impl CalendarApi for NextcloudSession {
    async fn list_calendars(&self) -> Result<Vec<Calendar>, NextcloudError> {
        let home = self.dav_home(DavService::CalDav).await?;
        let reply = self
            .dav_query(
                "PROPFIND",
                home,
                Some("1"),
                xml::list_calendars(),
                "the calendar home",
            )
            .await?;
        Ok(reply.responses.iter().filter_map(calendar_of).collect())
    }

    async fn create_calendar(&self, draft: &CalendarDraft) -> Result<(), NextcloudError> {
        let url = self.calendar_url(&draft.name).await?;
        self.forget_calendar_listing(&url);
        self.dav_change(
            "MKCALENDAR",
            url,
            xml::mkcalendar(draft),
            &format!("calendar '{}'", draft.name),
        )
        .await
    }

    async fn update_calendar(
        &self,
        calendar: &str,
        patch: &CalendarPatch,
    ) -> Result<(), NextcloudError> {
        let url = self.calendar_url(calendar).await?;
        self.forget_calendar_listing(&url);
        self.dav_change(
            "PROPPATCH",
            url,
            xml::proppatch(patch),
            &format!("calendar '{calendar}'"),
        )
        .await
    }

    async fn delete_calendar(&self, calendar: &str) -> Result<(), NextcloudError> {
        let url = self.calendar_url(calendar).await?;
        self.forget_calendar_listing(&url);
        self.dav_delete(url, None, &format!("calendar '{calendar}'"))
            .await
    }

    async fn events_in_range(
        &self,
        calendar: &str,
        range: &TimeRange,
        title_contains: Option<String>,
    ) -> Result<Vec<Event>, NextcloudError> {
        self.list_events(calendar, range, title_contains.as_deref())
            .await
    }

    async fn get_event(&self, calendar: &str, uid: &str) -> Result<Event, NextcloudError> {
        let object = self
            .find_object(calendar, ComponentKind::Event, uid)
            .await?;
        one_event(&object.ical, calendar, object.etag.as_deref(), uid)
    }

    async fn create_event(
        &self,
        calendar: &str,
        draft: &EventDraft,
    ) -> Result<Event, NextcloudError> {
        let uid = new_uid();
        let body = ical_write::new_event(&uid, draft)?;
        let (ical, etag) = self
            .put_new(calendar, ComponentKind::Event, &uid, body)
            .await?;
        one_event(&ical, calendar, etag.as_deref(), &uid)
    }

    async fn update_event(
        &self,
        calendar: &str,
        uid: &str,
        etag: Option<String>,
        patch: &EventPatch,
    ) -> Result<Event, NextcloudError> {
        let mut object = self
            .find_object(calendar, ComponentKind::Event, uid)
            .await?;
        let current = one_event(&object.ical, calendar, None, uid)?;
        let span = Some((current.start, current.effective_end()));
        ical_patch::patch_event(&mut object.ical, uid, patch, span)?;
        let (ical, new_etag) = self
            .put_changed(calendar, ComponentKind::Event, uid, object, etag)
            .await?;
        one_event(&ical, calendar, new_etag.as_deref(), uid)
    }

    async fn delete_event(
        &self,
        calendar: &str,
        uid: &str,
        etag: Option<String>,
    ) -> Result<(), NextcloudError> {
        self.delete_object(calendar, ComponentKind::Event, uid, etag)
            .await
    }

    async fn list_todos(
        &self,
        calendar: &str,
        filter: &TodoFilter,
    ) -> Result<Vec<Todo>, NextcloudError> {
        let todos = self.list_todos_cached(calendar, filter.open_only()).await?;
        Ok(todos.into_iter().filter(|t| filter.matches(t)).collect())
    }

    async fn create_todo(&self, calendar: &str, draft: &TodoDraft) -> Result<Todo, NextcloudError> {
        let uid = new_uid();
        let body = ical_write::new_todo(&uid, draft)?;
        let (ical, etag) = self
            .put_new(calendar, ComponentKind::Todo, &uid, body)
            .await?;
        one_todo(&ical, calendar, etag.as_deref(), &uid)
    }

    async fn update_todo(
        &self,
        calendar: &str,
        uid: &str,
        etag: Option<String>,
        patch: &TodoPatch,
    ) -> Result<Todo, NextcloudError> {
        let mut object = self.find_object(calendar, ComponentKind::Todo, uid).await?;
        ical_patch::patch_todo(&mut object.ical, uid, patch)?;
        let (ical, new_etag) = self
            .put_changed(calendar, ComponentKind::Todo, uid, object, etag)
            .await?;
        one_todo(&ical, calendar, new_etag.as_deref(), uid)
    }

    async fn delete_todo(
        &self,
        calendar: &str,
        uid: &str,
        etag: Option<String>,
    ) -> Result<(), NextcloudError> {
        self.delete_object(calendar, ComponentKind::Todo, uid, etag)
            .await
    }

    async fn calendar_changes(
        &self,
        calendar: &str,
        since: Option<String>,
    ) -> Result<CollectionChanges<CalendarObject>, NextcloudError> {
        self.changes_of_calendar(calendar, since.as_deref()).await
    }
}
