//! What the calendar and task tools share: finding calendars by name,
//! reading ranges, and expanding series into occurrences.

use chrono::{DateTime, Duration, DurationRound, NaiveTime, Utc};
use chrono_tz::Tz;
use rmcp::model::CallToolResult;
use serde::Serialize;

use crate::adapters::mcp::fan_out;
use crate::adapters::mcp::outcome::{OrFail, failure, success};
use crate::adapters::mcp::paging::PageRequest;
use crate::adapters::mcp::progress::Progress;
use crate::domain::calendar::{Calendar, ComponentKind, Event, resolve_calendar};
use crate::domain::caltime::{EventTime, TimeRange, local_instant, parse_time, parse_zone};
use crate::domain::recurrence::occurrences;
use crate::ports::nextcloud::NextcloudApi;

type Fail<T> = Result<T, CallToolResult>;

/// A calendar by id or display name; with `kind`, it must hold that kind.
pub fn pick_calendar<'a>(
    calendars: &'a [Calendar],
    name: &str,
    kind: Option<ComponentKind>,
) -> Fail<&'a Calendar> {
    match kind {
        Some(kind) => resolve_calendar(calendars, name, kind).or_fail(),
        None => resolve_calendar(calendars, name, ComponentKind::Event)
            .or_else(|_| resolve_calendar(calendars, name, ComponentKind::Todo))
            .or_fail(),
    }
}

/// One named calendar, or every calendar that holds `kind`.
pub async fn calendars_for(
    nc: &dyn NextcloudApi,
    name: Option<&str>,
    kind: ComponentKind,
) -> Fail<Vec<Calendar>> {
    let all = nc.list_calendars().await.or_fail()?;
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(name) => Ok(vec![pick_calendar(&all, name, Some(kind))?.clone()]),
        None => Ok(all
            .into_iter()
            .filter(|c| !c.components.is_empty() && c.supports(kind))
            .collect()),
    }
}

/// Every occurrence in `range` across `calendars`, earliest first.
pub async fn occurrences_in(
    nc: &dyn NextcloudApi,
    calendars: &[Calendar],
    range: &TimeRange,
    title_contains: Option<String>,
    progress: Option<&Progress>,
) -> Fail<Vec<Event>> {
    let label = |i: usize| format!("read calendar {}", calendars[i].display_name);
    let answers = fan_out::in_order(
        calendars,
        |c| nc.events_in_range(&c.name, range, title_contains.clone()),
        progress.map(|p| (p, &label as _)),
    )
    .await;
    let mut out = Vec::new();
    for answer in answers {
        let events = answer.or_fail()?;
        for event in &events {
            match occurrences(event, range) {
                Ok(list) => out.extend(list),
                // A stored rule this server cannot expand still shows its first instance.
                Err(_) => out.push(event.clone()),
            }
        }
    }
    out.sort_by_key(|e| e.start.instant());
    Ok(out)
}

/// Reads a range bound: a date is the start of that day (`end` days count
/// whole), a date-time as given; both in `zone`.
fn bound(field: &str, raw: &str, zone: Tz, end: bool) -> Fail<chrono::DateTime<Utc>> {
    match parse_time(field, raw, Some(zone)).or_fail()? {
        EventTime::Date(d) => {
            let day = if end { d.succ_opt().unwrap_or(d) } else { d };
            Ok(local_instant(day.and_time(NaiveTime::MIN), zone))
        }
        other => Ok(other.instant()),
    }
}

/// The default start of a listing: the start of the current minute, not the
/// exact instant, so repeated default listings within a minute ask the same
/// query and reuse the sync-collection cache. An event that ended less than a
/// minute ago may be listed too; that is accepted. Explicit times stay exact.
pub fn default_start() -> DateTime<Utc> {
    let now = Utc::now();
    now.duration_trunc(Duration::minutes(1)).unwrap_or(now)
}

/// `[start, end)` from two optional tool arguments; default the current
/// minute and `span` later.
pub fn parse_range(
    start: Option<&str>,
    end: Option<&str>,
    zone: Option<&str>,
    span: Duration,
) -> Fail<TimeRange> {
    let zone = match zone.filter(|z| !z.trim().is_empty()) {
        Some(z) => parse_zone(z).or_fail()?,
        None => Tz::UTC,
    };
    let start = match start.filter(|s| !s.trim().is_empty()) {
        Some(raw) => bound("start_date", raw, zone, false)?,
        None => default_start(),
    };
    let end = match end.filter(|s| !s.trim().is_empty()) {
        Some(raw) => bound("end_date", raw, zone, true)?,
        None => start + span,
    };
    if end - start > Duration::days(3660) {
        return Err(failure(
            "the range is longer than ten years; give a shorter range",
        ));
    }
    TimeRange::new(start, end).map_err(failure)
}

/// `2026-12-01T10:00:00+01:00 to ...: Title @ Location`
pub fn event_line(e: &Event) -> String {
    let mut line = format!("- {}", e.start.iso());
    if let Some(end) = e.end {
        line.push_str(&format!(" to {}", end.iso()));
    }
    line.push_str(&format!(
        ": {}",
        if e.title.is_empty() {
            "(no title)"
        } else {
            &e.title
        }
    ));
    if let Some(location) = &e.location {
        line.push_str(&format!(" @ {location}"));
    }
    line.push_str(&format!(" [{}]", e.calendar));
    line
}

const MAX_LIMIT: usize = 500;
/// An occurrence in a listing.
#[derive(Serialize)]
struct Occurrence<'a> {
    uid: &'a str,
    calendar: &'a str,
    title: &'a str,
    start: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    end: Option<String>,
    all_day: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    timezone: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    categories: &'a [String],
    recurring: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    recurrence_id: Option<String>,
    attendees: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    etag: Option<&'a str>,
}

fn occurrence(e: &Event) -> Occurrence<'_> {
    Occurrence {
        uid: &e.uid,
        calendar: &e.calendar,
        title: &e.title,
        start: e.start.iso(),
        end: e.end.map(|t| t.iso()),
        all_day: e.all_day,
        timezone: e.timezone.as_deref(),
        location: e.location.as_deref(),
        status: e.status.as_deref(),
        categories: &e.categories,
        recurring: e.recurrence_id.is_some(),
        recurrence_id: e.recurrence_id.map(|r| r.iso()),
        attendees: e.attendees.len(),
        etag: e.etag.as_deref(),
    }
}

/// The page of `events` that `paging` asks for, with what comes after it.
pub fn listing(events: &[Event], paging: &PageRequest, heading: String) -> CallToolResult {
    let (shown, page) = paging.page(events);
    let items: Vec<Occurrence> = shown.iter().map(occurrence).collect();
    let mut text = format!("{heading}: {} of {}", shown.len(), events.len());
    for e in shown {
        text.push('\n');
        text.push_str(&event_line(e));
    }
    success(
        &serde_json::json!({ "events": items, "total": events.len(), "page": page }),
        page.under(text, shown.len()),
    )
}

pub fn bounded(
    limit: Option<usize>,
    cursor: Option<&str>,
    default: usize,
) -> Result<PageRequest, CallToolResult> {
    PageRequest::parse(limit, cursor, default, MAX_LIMIT)
}
