//! Arguments of the event tools (named like the reference server's) and their
//! translation into checked drafts and patches.

use chrono_tz::Tz;
use rmcp::model::CallToolResult;
use rmcp::schemars;
use serde::Deserialize;

use crate::adapters::mcp::outcome::{OrFail, failure};
use crate::domain::calendar::{
    EVENT_STATUSES, Event, EventDraft, EventPatch, PRIVACY_CLASSES, Reminder, check_choice,
    check_color, check_event_draft, check_event_patch, check_priority, check_span, parse_attendees,
    split_list,
};
use crate::domain::caltime::{EventTime, parse_time, parse_zone};
use crate::domain::recurrence::{check_rule, normalize_rule, rule_with_until};

type Fail<T> = Result<T, CallToolResult>;

/// A reminder: minutes before the start, or `{"minutes": 15, "action": "EMAIL"}`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum ReminderArg {
    Minutes(i64),
    Detailed {
        /// Minutes before the start (or due time) to remind; 0 reminds at that moment.
        minutes: i64,
        /// How to remind: "DISPLAY" (default) or "EMAIL".
        #[serde(default)]
        action: Option<String>,
    },
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
pub struct EventFields {
    /// Start: ISO 8601 with an offset or Z (2026-12-01T10:00:00+01:00), a local time with `timezone` (2026-12-01T10:00), or a date (2026-12-24) for all-day.
    #[serde(default)]
    pub start_datetime: Option<String>,
    /// End, in the same forms as the start (for all-day events the day after the last day). Default: one hour (or one day) after the start.
    #[serde(default)]
    pub end_datetime: Option<String>,
    /// All-day event: start and end are read as dates.
    #[serde(default)]
    pub all_day: Option<bool>,
    /// Longer text of the event (notes, agenda).
    #[serde(default)]
    pub description: Option<String>,
    /// Where the event takes place.
    #[serde(default)]
    pub location: Option<String>,
    /// Comma-separated categories, e.g. "work,meeting".
    #[serde(default)]
    pub categories: Option<String>,
    /// false removes the recurrence.
    #[serde(default)]
    pub recurring: Option<bool>,
    /// RFC 5545 RRULE, e.g. FREQ=WEEKLY;BYDAY=TU;COUNT=8 ("" removes it).
    #[serde(default)]
    pub recurrence_rule: Option<String>,
    /// Last day of the series (YYYY-MM-DD); sets UNTIL.
    #[serde(default)]
    pub recurrence_end_date: Option<String>,
    /// One reminder this many minutes before the start (0 removes reminders on update).
    #[serde(default)]
    pub reminder_minutes: Option<i64>,
    /// Send that reminder by email instead of a notification.
    #[serde(default)]
    pub reminder_email: Option<bool>,
    /// Several reminders: minutes before the start, or {"minutes": 15, "action": "EMAIL"}; [] removes all.
    #[serde(default)]
    pub reminders: Option<Vec<ReminderArg>>,
    /// TENTATIVE, CONFIRMED or CANCELLED.
    #[serde(default)]
    pub status: Option<String>,
    /// 0 (none) or 1 (highest) to 9 (lowest).
    #[serde(default)]
    pub priority: Option<i64>,
    /// PUBLIC, PRIVATE or CONFIDENTIAL.
    #[serde(default)]
    pub privacy: Option<String>,
    /// Comma-separated attendees: "alice@example.com, Bob <bob@example.com>" ("" removes all).
    #[serde(default)]
    pub attendees: Option<String>,
    /// A link for the event, e.g. a video call.
    #[serde(default)]
    pub url: Option<String>,
    /// Event colour, e.g. #0082C9.
    #[serde(default)]
    pub color: Option<String>,
    /// IANA zone (Europe/Berlin) for the times: local times are read in it and the event keeps it, so recurrences follow its DST rules.
    #[serde(default)]
    pub timezone: Option<String>,
}

fn zone(fields: &EventFields, fallback: Option<Tz>) -> Fail<Option<Tz>> {
    match fields.timezone.as_deref().filter(|z| !z.trim().is_empty()) {
        Some(name) => parse_zone(name).map(Some).or_fail(),
        None => Ok(fallback),
    }
}

fn time(
    field: &str,
    value: &Option<String>,
    zone: Option<Tz>,
    all_day: Option<bool>,
) -> Fail<Option<EventTime>> {
    let Some(raw) = value.as_deref().filter(|v| !v.trim().is_empty()) else {
        return Ok(None);
    };
    // An all-day value only needs its date, so a local time is read in UTC.
    let read_in = zone.or(if all_day == Some(true) {
        Some(Tz::UTC)
    } else {
        None
    });
    let parsed = parse_time(field, raw, read_in).or_fail()?;
    Ok(Some(if all_day == Some(true) {
        EventTime::Date(parsed.date())
    } else {
        parsed
    }))
}

fn reminders(fields: &EventFields) -> Fail<Option<Vec<Reminder>>> {
    let default_action = if fields.reminder_email == Some(true) {
        "EMAIL"
    } else {
        "DISPLAY"
    };
    let action = |a: &Option<String>| -> Fail<String> {
        let a = a.as_deref().unwrap_or(default_action);
        check_choice("reminder action", a, &["DISPLAY", "EMAIL"]).or_fail()
    };
    if let Some(list) = &fields.reminders {
        let mut out = Vec::new();
        for item in list {
            let (minutes, act) = match item {
                ReminderArg::Minutes(m) => (*m, action(&None)?),
                ReminderArg::Detailed { minutes, action: a } => (*minutes, action(a)?),
            };
            out.push(Reminder {
                minutes_before: minutes,
                action: act,
            });
        }
        return Ok(Some(out));
    }
    Ok(fields.reminder_minutes.map(|m| {
        if m <= 0 {
            vec![]
        } else {
            vec![Reminder {
                minutes_before: m,
                action: default_action.to_string(),
            }]
        }
    }))
}

fn rule(fields: &EventFields, start: &EventTime, current: Option<&str>) -> Fail<Option<String>> {
    if fields.recurring == Some(false) {
        return Ok(Some(String::new()));
    }
    let given = fields.recurrence_rule.as_deref().map(str::trim);
    if given == Some("") {
        return Ok(Some(String::new()));
    }
    let base = given
        .map(normalize_rule)
        .or_else(|| current.map(str::to_string));
    let Some(mut rule) = base else {
        if fields.recurring == Some(true) || fields.recurrence_end_date.is_some() {
            return Err(failure(
                "recurring needs recurrence_rule, e.g. FREQ=WEEKLY;BYDAY=TU or FREQ=DAILY;COUNT=5",
            ));
        }
        return Ok(None);
    };
    if let Some(end) = fields
        .recurrence_end_date
        .as_deref()
        .filter(|e| !e.trim().is_empty())
    {
        let date = chrono::NaiveDate::parse_from_str(end.trim(), "%Y-%m-%d")
            .or_else(|_| parse_time("recurrence_end_date", end, Some(Tz::UTC)).map(|t| t.date()).map_err(|_| ()))
            .map_err(|_| failure(format!("recurrence_end_date '{end}' is not a date; expected YYYY-MM-DD, e.g. 2027-06-30")))?;
        rule = rule_with_until(&rule, date, start);
    }
    if given.is_none() && fields.recurrence_end_date.is_none() {
        return Ok(None);
    }
    check_rule(&rule, start).map(Some).or_fail()
}

fn choice(field: &str, value: &Option<String>, allowed: &[&str]) -> Fail<Option<String>> {
    value
        .as_deref()
        .map(|v| check_choice(field, v, allowed))
        .transpose()
        .or_fail()
}

/// Status, privacy (CLASS), priority and colour, checked.
type Common = (Option<String>, Option<String>, Option<u8>, Option<String>);

fn common(fields: &EventFields) -> Fail<Common> {
    let status = choice("status", &fields.status, EVENT_STATUSES)?;
    let privacy = choice("privacy", &fields.privacy, PRIVACY_CLASSES)?;
    let priority = fields.priority.map(check_priority).transpose().or_fail()?;
    if let Some(color) = fields.color.as_deref().filter(|c| !c.is_empty()) {
        check_color(color).or_fail()?;
    }
    Ok((status, privacy, priority, fields.color.clone()))
}

/// A checked new event.
pub fn draft(title: &str, fields: &EventFields) -> Fail<EventDraft> {
    if title.trim().is_empty() {
        return Err(failure("title is empty; give the event a title"));
    }
    let zone = zone(fields, None)?;
    let start = time(
        "start_datetime",
        &fields.start_datetime,
        zone,
        fields.all_day,
    )?
    .ok_or_else(|| {
        failure(
            "start_datetime is required, e.g. 2026-12-01T10:00:00+01:00 or 2026-12-24 for all-day",
        )
    })?;
    let end = time(
        "end_datetime",
        &fields.end_datetime,
        zone,
        fields.all_day.or(Some(start.is_date())).filter(|a| *a),
    )?;
    if let Some(end) = &end {
        check_span(&start, end).or_fail()?;
    }
    let (status, privacy, priority, color) = common(fields)?;
    let attendees = fields
        .attendees
        .as_deref()
        .map(parse_attendees)
        .transpose()
        .or_fail()?;
    let draft = EventDraft {
        title: title.trim().to_string(),
        recurrence_rule: rule(fields, &start, None)?.filter(|r| !r.is_empty()),
        start,
        end,
        description: fields.description.clone().filter(|d| !d.is_empty()),
        location: fields.location.clone().filter(|l| !l.is_empty()),
        categories: fields
            .categories
            .as_deref()
            .map(split_list)
            .unwrap_or_default(),
        reminders: reminders(fields)?.unwrap_or_default(),
        attendees: attendees.unwrap_or_default(),
        status,
        priority,
        privacy,
        url: fields.url.clone(),
        color: color.filter(|c| !c.is_empty()),
        organizer: None,
    };
    check_event_draft(&draft).or_fail()?;
    Ok(draft)
}

/// A checked change to `current`; naive times are read in the event's own zone.
pub fn patch(title: Option<String>, fields: &EventFields, current: &Event) -> Fail<EventPatch> {
    let own_zone = match current.start {
        EventTime::Zoned(_, tz) => Some(tz),
        EventTime::Utc(_) => Some(Tz::UTC),
        _ => None,
    };
    let zone = zone(fields, own_zone)?;
    let all_day = fields.all_day;
    let mut start = time("start_datetime", &fields.start_datetime, zone, all_day)?;
    let mut end = time(
        "end_datetime",
        &fields.end_datetime,
        zone,
        all_day.or(start.map(|s| s.is_date())).filter(|a| *a),
    )?;
    if all_day == Some(true) && start.is_none() {
        start = Some(EventTime::Date(current.start.date()));
        end = end.or_else(|| {
            let last = current.effective_end().date();
            Some(EventTime::Date(if last > current.start.date() {
                last
            } else {
                current.start.date().succ_opt()?
            }))
        });
    }
    if all_day == Some(false) && start.is_none() && current.all_day {
        return Err(failure(
            "to turn an all-day event into a timed one, give start_datetime (and end_datetime)",
        ));
    }
    let effective_start = start.unwrap_or(current.start);
    if start.is_some() || end.is_some() {
        let effective_end = end.unwrap_or_else(|| {
            effective_start.shifted(current.start.until(&current.effective_end()))
        });
        check_span(&effective_start, &effective_end).or_fail()?;
    }
    let (status, privacy, priority, color) = common(fields)?;
    if title.as_deref().is_some_and(|t| t.trim().is_empty()) {
        return Err(failure(
            "title cannot be empty; omit it to keep the current title",
        ));
    }
    let attendees = fields
        .attendees
        .as_deref()
        .map(parse_attendees)
        .transpose()
        .or_fail()?;
    let patch = EventPatch {
        title: title.map(|t| t.trim().to_string()),
        recurrence_rule: rule(fields, &effective_start, current.recurrence_rule.as_deref())?,
        start,
        end,
        description: fields.description.clone(),
        location: fields.location.clone(),
        categories: fields.categories.as_deref().map(split_list),
        reminders: reminders(fields)?,
        attendees,
        status,
        priority,
        privacy,
        url: fields.url.clone(),
        color,
    };
    check_event_patch(&patch).or_fail()?;
    Ok(patch)
}
