//! Changes made *in place* on a parsed calendar object: the properties a
//! patch names are replaced where they stood, and every other property
//! (unknown, X-, VALARMs it does not touch, overrides, VTIMEZONEs) survives
//! the round trip as it was.

use calcard::icalendar::{ICalendar, ICalendarComponent, ICalendarComponentType, ICalendarEntry};

use super::read::{entry, param, parse, uid};
use super::write::{
    alarm_text, attendee_line, categories_line, raw_value, stamp, text_line, time_line,
};
use crate::adapters::nextcloud::errors::protocol;
use crate::domain::calendar::{Attendee, ComponentKind, EventPatch, Reminder};
use crate::domain::caltime::EventTime;
use crate::domain::todos::TodoPatch;
use crate::ports::nextcloud::NextcloudError;

/// calcard entries for property lines written as text.
fn parsed_entries(lines: &[String]) -> Result<Vec<ICalendarEntry>, NextcloudError> {
    if lines.is_empty() {
        return Ok(vec![]);
    }
    let text = format!(
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n{}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        lines.join("\r\n")
    );
    let ical = parse(&text)?;
    Ok(ical
        .components
        .into_iter()
        .nth(1)
        .map(|c| c.entries)
        .unwrap_or_default())
}

/// Replaces every `name` property of `comp` with `lines` (none: removes it),
/// at the position of the first one, so the rest keeps its order.
fn replace(
    comp: &mut ICalendarComponent,
    name: &str,
    lines: Vec<String>,
) -> Result<(), NextcloudError> {
    let new = parsed_entries(&lines)?;
    let at = comp
        .entries
        .iter()
        .position(|e| e.name.as_str().eq_ignore_ascii_case(name));
    comp.entries
        .retain(|e| !e.name.as_str().eq_ignore_ascii_case(name));
    let at = at.unwrap_or(comp.entries.len()).min(comp.entries.len());
    comp.entries.splice(at..at, new);
    Ok(())
}

fn set_text(
    comp: &mut ICalendarComponent,
    name: &str,
    value: &Option<String>,
) -> Result<(), NextcloudError> {
    match value {
        None => Ok(()),
        Some(v) => replace(
            comp,
            name,
            text_line(name, &Some(v.clone())).into_iter().collect(),
        ),
    }
}

fn set_time(
    comp: &mut ICalendarComponent,
    name: &str,
    value: &Option<EventTime>,
) -> Result<(), NextcloudError> {
    match value {
        None => Ok(()),
        Some(t) => replace(comp, name, vec![time_line(name, t)]),
    }
}

/// The master component (no RECURRENCE-ID) of `uid`, by index.
fn master(ical: &ICalendar, kind: ComponentKind, wanted: &str) -> Result<usize, NextcloudError> {
    let component_type = match kind {
        ComponentKind::Event => ICalendarComponentType::VEvent,
        ComponentKind::Todo => ICalendarComponentType::VTodo,
    };
    ical.components
        .iter()
        .position(|c| {
            c.component_type == component_type
                && uid(c).as_deref() == Some(wanted)
                && entry(c, "RECURRENCE-ID").is_none()
        })
        .ok_or_else(|| {
            protocol(format!(
                "the calendar object has no {} {wanted}",
                kind.as_ical()
            ))
        })
}

fn replace_alarms(
    ical: &mut ICalendar,
    index: usize,
    reminders: &[Reminder],
    summary: &str,
) -> Result<(), NextcloudError> {
    let old: Vec<u32> = ical.components[index]
        .component_ids
        .iter()
        .copied()
        .filter(|id| {
            ical.components
                .get(*id as usize)
                .is_some_and(|c| c.component_type == ICalendarComponentType::VAlarm)
        })
        .collect();
    let target_uid = uid(&ical.components[index]);
    ical.remove_component_ids(&old);
    // Removing renumbers components; find the target again by identity.
    let index = ical
        .components
        .iter()
        .position(|c| {
            matches!(
                c.component_type,
                ICalendarComponentType::VEvent | ICalendarComponentType::VTodo
            ) && uid(c) == target_uid
                && entry(c, "RECURRENCE-ID").is_none()
        })
        .ok_or_else(|| protocol("lost the component while replacing its reminders"))?;
    let alarms: String = reminders.iter().map(|r| alarm_text(r, summary)).collect();
    if alarms.is_empty() {
        return Ok(());
    }
    let holder = parse(&format!(
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n{alarms}END:VEVENT\r\nEND:VCALENDAR\r\n"
    ))?;
    for alarm in holder
        .components
        .into_iter()
        .filter(|c| c.component_type == ICalendarComponentType::VAlarm)
    {
        let id = ical.components.len() as u32;
        ical.components.push(ICalendarComponent {
            component_ids: vec![],
            ..alarm
        });
        ical.components[index].component_ids.push(id);
    }
    Ok(())
}

/// DTSTAMP and LAST-MODIFIED now, SEQUENCE one up: other clients see a change.
fn touch(comp: &mut ICalendarComponent) -> Result<(), NextcloudError> {
    let sequence = super::read::text(comp, "SEQUENCE")
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or(0);
    let now = stamp();
    replace(comp, "DTSTAMP", vec![format!("DTSTAMP:{now}")])?;
    replace(comp, "LAST-MODIFIED", vec![format!("LAST-MODIFIED:{now}")])?;
    replace(comp, "SEQUENCE", vec![format!("SEQUENCE:{}", sequence + 1)])
}

/// Attendees already on the event keep their parameters (PARTSTAT...).
fn attendee_lines(comp: &ICalendarComponent, wanted: &[Attendee]) -> Vec<String> {
    wanted
        .iter()
        .map(|a| {
            let existing = comp.entries.iter().find(|e| {
                e.name.as_str().eq_ignore_ascii_case("ATTENDEE")
                    && e.values.first().and_then(|v| v.as_text()).is_some_and(|v| {
                        v.to_ascii_lowercase()
                            .ends_with(&a.email.to_ascii_lowercase())
                    })
            });
            match existing {
                Some(e) => {
                    let mut keep = Attendee {
                        name: a.name.clone().or_else(|| param(e, "CN")),
                        ..a.clone()
                    };
                    keep.status = param(e, "PARTSTAT").or(keep.status);
                    keep.role = param(e, "ROLE").or(keep.role);
                    attendee_line(&keep)
                }
                None => attendee_line(a),
            }
        })
        .collect()
}

/// Applies `patch` to the series master of `uid`, in place.
pub fn patch_event(
    ical: &mut ICalendar,
    wanted: &str,
    patch: &EventPatch,
    old_span: Option<(EventTime, EventTime)>,
) -> Result<(), NextcloudError> {
    let index = master(ical, ComponentKind::Event, wanted)?;
    let comp = &mut ical.components[index];
    set_text(comp, "SUMMARY", &patch.title)?;
    set_time(comp, "DTSTART", &patch.start)?;
    let end = patch.end.or_else(|| {
        // Moving the start keeps the length.
        let (old_start, old_end) = old_span?;
        patch.start.map(|s| s.shifted(old_start.until(&old_end)))
    });
    if end.is_some() {
        replace(comp, "DURATION", vec![])?;
    }
    set_time(comp, "DTEND", &end)?;
    set_text(comp, "LOCATION", &patch.location)?;
    set_text(comp, "DESCRIPTION", &patch.description)?;
    set_text(comp, "STATUS", &patch.status)?;
    set_text(comp, "CLASS", &patch.privacy)?;
    set_text(comp, "COLOR", &patch.color)?;
    if let Some(url) = &patch.url {
        replace(
            comp,
            "URL",
            (!url.is_empty())
                .then(|| format!("URL:{}", raw_value(url)))
                .into_iter()
                .collect(),
        )?;
    }
    if let Some(p) = patch.priority {
        replace(
            comp,
            "PRIORITY",
            (p > 0)
                .then(|| format!("PRIORITY:{p}"))
                .into_iter()
                .collect(),
        )?;
    }
    if let Some(list) = &patch.categories {
        replace(
            comp,
            "CATEGORIES",
            categories_line(list).into_iter().collect(),
        )?;
    }
    if let Some(rule) = &patch.recurrence_rule {
        replace(
            comp,
            "RRULE",
            (!rule.is_empty())
                .then(|| format!("RRULE:{}", raw_value(rule)))
                .into_iter()
                .collect(),
        )?;
    }
    if let Some(list) = &patch.attendees {
        let lines = attendee_lines(comp, list);
        replace(comp, "ATTENDEE", lines)?;
    }
    touch(comp)?;
    if let Some(reminders) = &patch.reminders {
        let summary = super::read::text(&ical.components[index], "SUMMARY").unwrap_or_default();
        replace_alarms(ical, index, reminders, &summary)?;
    }
    ical.add_missing_timezones();
    Ok(())
}

pub fn patch_todo(
    ical: &mut ICalendar,
    wanted: &str,
    patch: &TodoPatch,
) -> Result<(), NextcloudError> {
    let index = master(ical, ComponentKind::Todo, wanted)?;
    let comp = &mut ical.components[index];
    set_text(comp, "SUMMARY", &patch.summary)?;
    set_text(comp, "DESCRIPTION", &patch.description)?;
    set_text(comp, "STATUS", &patch.status)?;
    set_time(comp, "DUE", &patch.due)?;
    set_time(comp, "DTSTART", &patch.dtstart)?;
    if let Some(p) = patch.priority {
        replace(
            comp,
            "PRIORITY",
            (p > 0)
                .then(|| format!("PRIORITY:{p}"))
                .into_iter()
                .collect(),
        )?;
    }
    if let Some(p) = patch.percent_complete {
        replace(
            comp,
            "PERCENT-COMPLETE",
            vec![format!("PERCENT-COMPLETE:{p}")],
        )?;
    }
    let reopened = patch.status.as_deref().is_some_and(|s| s != "COMPLETED");
    if reopened && patch.completed.is_none() {
        replace(comp, "COMPLETED", vec![])?;
    }
    if let Some(done) = &patch.completed {
        let utc = EventTime::Utc(done.instant());
        replace(comp, "COMPLETED", vec![time_line("COMPLETED", &utc)])?;
    }
    if let Some(list) = &patch.categories {
        replace(
            comp,
            "CATEGORIES",
            categories_line(list).into_iter().collect(),
        )?;
    }
    touch(comp)?;
    if let Some(reminders) = &patch.reminders {
        let summary = super::read::text(&ical.components[index], "SUMMARY").unwrap_or_default();
        replace_alarms(ical, index, reminders, &summary)?;
    }
    ical.add_missing_timezones();
    Ok(())
}
