//! iCalendar (RFC 5545) into the domain's events and tasks, with calcard as
//! the parser. TZIDs are resolved the way calcard does it (IANA names,
//! Windows names and custom VTIMEZONEs), so times keep their real zone.

use calcard::common::PartialDateTime;
use calcard::common::timezone::Tz as CalTz;
use calcard::icalendar::timezone::TzResolver;
use calcard::icalendar::{
    ICalendar, ICalendarComponent, ICalendarComponentType, ICalendarEntry, ICalendarValue,
};
use chrono::{FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};

use crate::adapters::nextcloud::errors::protocol;
use crate::domain::calendar::{Attendee, ComponentKind, Event, Reminder};
use crate::domain::caltime::EventTime;
use crate::domain::todos::Todo;
use crate::ports::nextcloud::NextcloudError;

pub fn parse(text: &str) -> Result<ICalendar, NextcloudError> {
    ICalendar::parse(text).map_err(|_| protocol("the calendar object is not valid iCalendar"))
}

pub fn entries<'a>(
    comp: &'a ICalendarComponent,
    name: &'a str,
) -> impl Iterator<Item = &'a ICalendarEntry> {
    comp.entries
        .iter()
        .filter(move |e| e.name.as_str().eq_ignore_ascii_case(name))
}

pub fn entry<'a>(comp: &'a ICalendarComponent, name: &str) -> Option<&'a ICalendarEntry> {
    comp.entries
        .iter()
        .find(|e| e.name.as_str().eq_ignore_ascii_case(name))
}

pub fn param(entry: &ICalendarEntry, name: &str) -> Option<String> {
    entry
        .params
        .iter()
        .find(|p| p.name.as_str().eq_ignore_ascii_case(name))
        .and_then(|p| p.value.as_text().map(str::to_string))
}

fn value_text(value: &ICalendarValue) -> Option<String> {
    value.clone().into_text().map(|t| t.into_owned())
}

/// The first value of a property as text, empty values as none.
pub fn text(comp: &ICalendarComponent, name: &str) -> Option<String> {
    entry(comp, name)
        .and_then(|e| e.values.first())
        .and_then(value_text)
        .filter(|t| !t.trim().is_empty())
}

fn integer(comp: &ICalendarComponent, name: &str) -> Option<i64> {
    let e = entry(comp, name)?;
    match e.values.first()? {
        ICalendarValue::Integer(i) => Some(*i),
        other => value_text(other)?.trim().parse().ok(),
    }
}

pub fn uid(comp: &ICalendarComponent) -> Option<String> {
    text(comp, "UID")
}

fn naive(dt: &PartialDateTime) -> Option<(NaiveDate, Option<NaiveDateTime>)> {
    let date = NaiveDate::from_ymd_opt(dt.year? as i32, dt.month? as u32, dt.day? as u32)?;
    let time = match dt.hour {
        None => None,
        Some(h) => Some(date.and_hms_opt(
            h as u32,
            dt.minute.unwrap_or(0) as u32,
            dt.second.unwrap_or(0).min(59) as u32,
        )?),
    };
    Some((date, time))
}

/// A date or date-time value with its TZID, as an [`EventTime`].
fn time_of(
    value: &ICalendarValue,
    tzid: Option<&str>,
    zones: &TzResolver<&str>,
) -> Option<EventTime> {
    let ICalendarValue::PartialDateTime(dt) = value else {
        return None;
    };
    let (date, time) = naive(dt)?;
    let Some(local) = time else {
        return Some(EventTime::Date(date));
    };
    if dt.tz_hour.is_some() {
        let seconds = dt.tz_hour.unwrap_or(0) as i32 * 3600 + dt.tz_minute.unwrap_or(0) as i32 * 60;
        let offset = FixedOffset::east_opt(if dt.tz_minus { -seconds } else { seconds })?;
        let instant = offset
            .from_local_datetime(&local)
            .single()?
            .with_timezone(&Utc);
        return Some(EventTime::Utc(instant));
    }
    match tzid.and_then(|id| zones.resolve(id)) {
        Some(CalTz::Tz(tz)) => Some(EventTime::Zoned(local, tz)),
        Some(CalTz::Fixed(offset)) => offset
            .from_local_datetime(&local)
            .single()
            .map(|t| EventTime::Utc(t.with_timezone(&Utc))),
        _ => Some(EventTime::Floating(local)),
    }
}

/// Every date in every `name` property (EXDATE and RDATE may hold lists).
fn times(comp: &ICalendarComponent, name: &str, zones: &TzResolver<&str>) -> Vec<EventTime> {
    entries(comp, name)
        .flat_map(|e| {
            let tzid = param(e, "TZID");
            e.values
                .iter()
                .filter_map(|v| time_of(v, tzid.as_deref(), zones))
                .collect::<Vec<_>>()
        })
        .collect()
}

pub fn time(comp: &ICalendarComponent, name: &str, zones: &TzResolver<&str>) -> Option<EventTime> {
    let e = entry(comp, name)?;
    time_of(e.values.first()?, param(e, "TZID").as_deref(), zones)
}

/// `-PT15M` style durations in minutes (negative: before).
pub fn duration_minutes(value: &str) -> Option<i64> {
    let v = value.trim();
    let (sign, rest) = match v.strip_prefix('-') {
        Some(r) => (-1, r),
        None => (1, v.strip_prefix('+').unwrap_or(v)),
    };
    let rest = rest.strip_prefix('P')?;
    let (mut total, mut number, mut in_time) = (0i64, String::new(), false);
    for c in rest.chars() {
        match c {
            'T' => in_time = true,
            d if d.is_ascii_digit() => number.push(d),
            unit => {
                let n: i64 = number.parse().ok()?;
                number.clear();
                total += match (unit, in_time) {
                    ('W', false) => n * 7 * 24 * 60,
                    ('D', false) => n * 24 * 60,
                    ('H', true) => n * 60,
                    ('M', true) => n,
                    ('S', true) => n / 60,
                    _ => return None,
                };
            }
        }
    }
    Some(sign * total)
}

fn categories(comp: &ICalendarComponent) -> Vec<String> {
    entries(comp, "CATEGORIES")
        .flat_map(|e| e.values.iter().filter_map(value_text))
        .flat_map(|t| {
            t.split(',')
                .map(|s| s.trim().to_string())
                .collect::<Vec<_>>()
        })
        .filter(|c| !c.is_empty())
        .collect()
}

fn strip_mailto(value: &str) -> String {
    let v = value.trim();
    match v.get(..7) {
        Some(scheme) if scheme.eq_ignore_ascii_case("mailto:") => v[7..].to_string(),
        _ => v.to_string(),
    }
}

fn attendees(comp: &ICalendarComponent) -> Vec<Attendee> {
    entries(comp, "ATTENDEE")
        .filter_map(|e| {
            Some(Attendee {
                email: strip_mailto(&value_text(e.values.first()?)?),
                name: param(e, "CN"),
                status: param(e, "PARTSTAT"),
                role: param(e, "ROLE"),
            })
        })
        .collect()
}

fn reminders(ical: &ICalendar, comp: &ICalendarComponent) -> Vec<Reminder> {
    comp.component_ids
        .iter()
        .filter_map(|id| ical.components.get(*id as usize))
        .filter(|c| c.component_type == ICalendarComponentType::VAlarm)
        .filter_map(|alarm| {
            let trigger = entry(alarm, "TRIGGER")?;
            let minutes = duration_minutes(&value_text(trigger.values.first()?)?)?;
            Some(Reminder {
                minutes_before: -minutes,
                action: text(alarm, "ACTION")
                    .unwrap_or_else(|| "DISPLAY".into())
                    .to_ascii_uppercase(),
            })
        })
        .collect()
}

fn read_event(
    ical: &ICalendar,
    comp: &ICalendarComponent,
    zones: &TzResolver<&str>,
    calendar: &str,
) -> Option<Event> {
    let start = time(comp, "DTSTART", zones)?;
    let end = time(comp, "DTEND", zones).or_else(|| {
        let minutes = duration_minutes(&text(comp, "DURATION")?)?;
        Some(start.shifted(chrono::Duration::minutes(minutes)))
    });
    Some(Event {
        uid: uid(comp)?,
        calendar: calendar.to_string(),
        title: text(comp, "SUMMARY").unwrap_or_default(),
        all_day: start.is_date(),
        timezone: start.zone(),
        start,
        end,
        location: text(comp, "LOCATION"),
        description: text(comp, "DESCRIPTION"),
        categories: categories(comp),
        status: text(comp, "STATUS").map(|s| s.to_ascii_uppercase()),
        priority: integer(comp, "PRIORITY")
            .and_then(|p| u8::try_from(p).ok())
            .filter(|p| *p > 0),
        privacy: text(comp, "CLASS").map(|s| s.to_ascii_uppercase()),
        url: text(comp, "URL"),
        transparent: text(comp, "TRANSP").is_some_and(|t| t.eq_ignore_ascii_case("TRANSPARENT")),
        recurrence_rule: text(comp, "RRULE"),
        exdates: times(comp, "EXDATE", zones),
        rdates: times(comp, "RDATE", zones),
        recurrence_id: time(comp, "RECURRENCE-ID", zones),
        reminders: reminders(ical, comp),
        attendees: attendees(comp),
        organizer: entry(comp, "ORGANIZER")
            .and_then(|e| e.values.first())
            .and_then(value_text)
            .map(|v| strip_mailto(&v)),
        overrides: vec![],
        etag: None,
    })
}

/// A date-time as Unix seconds: UTC unless it carries an offset (the form
/// of LAST-MODIFIED, DTSTAMP and vCard's REV).
pub fn unix_seconds(dt: &PartialDateTime) -> Option<i64> {
    let (_, time) = naive(dt)?;
    let local = time?.and_utc().timestamp();
    let offset =
        i64::from(dt.tz_hour.unwrap_or(0)) * 3600 + i64::from(dt.tz_minute.unwrap_or(0)) * 60;
    Some(if dt.tz_minus {
        local + offset
    } else {
        local - offset
    })
}

fn stamp(comp: &ICalendarComponent, name: &str) -> Option<i64> {
    match entry(comp, name)?.values.first()? {
        ICalendarValue::PartialDateTime(dt) => unix_seconds(dt),
        _ => None,
    }
}

/// When the object last changed by its own account: the latest
/// LAST-MODIFIED of its events and tasks, else their latest DTSTAMP.
pub fn last_modified(ical: &ICalendar) -> Option<i64> {
    let items = || {
        ical.components.iter().filter(|c| {
            matches!(
                c.component_type,
                ICalendarComponentType::VEvent | ICalendarComponentType::VTodo
            )
        })
    };
    items()
        .filter_map(|c| stamp(c, "LAST-MODIFIED"))
        .max()
        .or_else(|| items().filter_map(|c| stamp(c, "DTSTAMP")).max())
}

/// The components of one kind, in document order.
pub fn components(
    ical: &ICalendar,
    kind: ComponentKind,
) -> impl Iterator<Item = &ICalendarComponent> {
    let wanted = match kind {
        ComponentKind::Event => ICalendarComponentType::VEvent,
        ComponentKind::Todo => ICalendarComponentType::VTodo,
    };
    ical.components
        .iter()
        .filter(move |c| c.component_type == wanted)
}

/// The events of one calendar object: each series master with its overrides
/// (an override without a master stands alone).
pub fn events(ical: &ICalendar, calendar: &str, etag: Option<&str>) -> Vec<Event> {
    let zones = ical.build_tz_resolver();
    let all: Vec<Event> = components(ical, ComponentKind::Event)
        .filter_map(|c| read_event(ical, c, &zones, calendar))
        .collect();
    let (overrides, masters): (Vec<Event>, Vec<Event>) =
        all.into_iter().partition(|e| e.recurrence_id.is_some());
    let mut out: Vec<Event> = masters;
    for o in overrides {
        match out
            .iter_mut()
            .find(|m| m.uid == o.uid && m.recurrence_id.is_none())
        {
            Some(master) => master.overrides.push(o),
            None => out.push(o),
        }
    }
    for e in &mut out {
        e.etag = etag.map(str::to_string);
    }
    out
}

pub fn todos(ical: &ICalendar, calendar: &str, etag: Option<&str>) -> Vec<Todo> {
    let zones = ical.build_tz_resolver();
    components(ical, ComponentKind::Todo)
        .filter(|c| entry(c, "RECURRENCE-ID").is_none())
        .filter_map(|c| {
            Some(Todo {
                uid: uid(c)?,
                calendar: calendar.to_string(),
                summary: text(c, "SUMMARY").unwrap_or_default(),
                description: text(c, "DESCRIPTION"),
                status: text(c, "STATUS")
                    .map(|s| s.to_ascii_uppercase())
                    .unwrap_or_else(|| "NEEDS-ACTION".into()),
                priority: integer(c, "PRIORITY")
                    .and_then(|p| u8::try_from(p).ok())
                    .filter(|p| *p > 0),
                percent_complete: integer(c, "PERCENT-COMPLETE").and_then(|p| u8::try_from(p).ok()),
                due: time(c, "DUE", &zones),
                dtstart: time(c, "DTSTART", &zones),
                completed: time(c, "COMPLETED", &zones),
                categories: categories(c),
                reminders: reminders(ical, c),
                etag: etag.map(str::to_string),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration_minutes("-PT15M"), Some(-15));
        assert_eq!(duration_minutes("-P1DT2H"), Some(-(24 + 2) * 60));
        assert_eq!(duration_minutes("PT0S"), Some(0));
        assert_eq!(duration_minutes("soon"), None);
    }
}
