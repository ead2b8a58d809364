//! Calendars and events as the tools see them, and the checks on what a
//! caller asks for. Times are [`EventTime`]s; iCalendar syntax lives in the
//! CalDAV adapter.

mod bulk;
mod filter;
mod input;

use serde::Serialize;

pub use self::bulk::{BulkFilter, DEFAULT_BULK_LIMIT, MAX_BULK_EVENTS, select};
pub use self::filter::EventFilter;
pub use self::input::{
    MAX_REMINDER_MINUTES, check_attendee, check_event_draft, check_event_patch,
    check_reminder_minutes, check_todo_draft, check_todo_patch,
};
use super::caltime::EventTime;

/// Which kind of item a calendar collection can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ComponentKind {
    Event,
    Todo,
}

impl ComponentKind {
    pub fn as_ical(self) -> &'static str {
        match self {
            ComponentKind::Event => "VEVENT",
            ComponentKind::Todo => "VTODO",
        }
    }
}

/// One calendar collection in the user's calendar home.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Calendar {
    /// The collection's URI segment (`personal`): stable, used in paths.
    pub name: String,
    pub display_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    /// `VEVENT`, `VTODO`...; empty when the server does not say (then anything goes).
    pub components: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sync_token: Option<String>,
}

impl Calendar {
    pub fn supports(&self, kind: ComponentKind) -> bool {
        self.components.is_empty() || self.components.iter().any(|c| c == kind.as_ical())
    }

    fn label(&self) -> String {
        if self.display_name.is_empty() || self.display_name == self.name {
            self.name.clone()
        } else {
            format!("{} (\"{}\")", self.name, self.display_name)
        }
    }
}

/// What a caller asked for that cannot be done as asked.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CalendarInputError {
    #[error("there is no calendar named '{wanted}'; the calendars are: {known}")]
    UnknownCalendar { wanted: String, known: String },
    #[error(
        "calendar '{calendar}' cannot hold {kind} items (it holds {holds}); calendars that can: {candidates}"
    )]
    WrongKind {
        calendar: String,
        kind: &'static str,
        holds: String,
        candidates: String,
    },
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Text(#[from] crate::domain::text::TextInputError),
}

fn listing(calendars: &[&Calendar]) -> String {
    if calendars.is_empty() {
        return "none".into();
    }
    calendars
        .iter()
        .map(|c| c.label())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Finds a calendar by URI name or display name (case-insensitive), and checks
/// it can hold `kind`. The error lists what exists, so the caller can retry.
pub fn resolve_calendar<'a>(
    calendars: &'a [Calendar],
    wanted: &str,
    kind: ComponentKind,
) -> Result<&'a Calendar, CalendarInputError> {
    let wanted_trim = wanted.trim();
    let found = calendars
        .iter()
        .find(|c| c.name == wanted_trim)
        .or_else(|| {
            calendars.iter().find(|c| {
                c.display_name.eq_ignore_ascii_case(wanted_trim)
                    || c.name.eq_ignore_ascii_case(wanted_trim)
            })
        });
    let all: Vec<&Calendar> = calendars.iter().collect();
    let calendar = found.ok_or_else(|| CalendarInputError::UnknownCalendar {
        wanted: wanted_trim.to_string(),
        known: listing(&all),
    })?;
    if !calendar.supports(kind) {
        let candidates: Vec<&Calendar> = calendars.iter().filter(|c| c.supports(kind)).collect();
        return Err(CalendarInputError::WrongKind {
            calendar: calendar.name.clone(),
            kind: kind.as_ical(),
            holds: calendar.components.join(", "),
            candidates: listing(&candidates),
        });
    }
    Ok(calendar)
}

/// A new calendar (`nc_calendar_manage_calendar` create).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CalendarDraft {
    pub name: String,
    pub display_name: String,
    pub description: Option<String>,
    pub color: Option<String>,
    pub components: Vec<ComponentKind>,
}

/// Changed calendar properties; `None` keeps a property.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CalendarPatch {
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub color: Option<String>,
}

/// A calendar URI segment a person may choose: letters, digits, `-` and `_`.
pub fn check_collection_name(name: &str) -> Result<(), CalendarInputError> {
    let ok = !name.is_empty()
        && name.len() <= 100
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(CalendarInputError::Invalid(format!(
            "'{name}' cannot be a collection name; use 1 to 100 letters, digits, '-' or '_' (e.g. work-2027)"
        )))
    }
}

/// A `#RRGGBB` colour.
pub fn check_color(color: &str) -> Result<(), CalendarInputError> {
    let hex = color.strip_prefix('#').unwrap_or("");
    if (hex.len() == 6 || hex.len() == 8) && hex.chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(CalendarInputError::Invalid(format!(
            "color '{color}' is not a hex colour; expected e.g. #0082C9"
        )))
    }
}

/// An ATTENDEE: `mailto:` address, name, participation status and role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Attendee {
    pub email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

/// The ORGANIZER of a meeting: the user whose calendar holds it. Nextcloud
/// sends invitations to the attendees only when the organizer is the
/// user's own address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Organizer {
    pub email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Reads `alice@example.com, Bob Example <bob@example.com>`.
pub fn parse_attendees(list: &str) -> Result<Vec<Attendee>, CalendarInputError> {
    list.split([',', ';', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|item| {
            let (name, email) = match (item.find('<'), item.rfind('>')) {
                (Some(open), Some(close)) if open < close => (
                    Some(item[..open].trim().trim_matches('"').to_string())
                        .filter(|n| !n.is_empty()),
                    item[open + 1..close].trim(),
                ),
                _ => (None, item),
            };
            let email = email.strip_prefix("mailto:").unwrap_or(email);
            if crate::domain::text::check_email("attendee", email).is_err() {
                return Err(CalendarInputError::Invalid(format!(
                    "attendee {item:?} is not an email address; expected e.g. alice@example.com or Alice <alice@example.com>, one line, no quotes, colons or semicolons in the address"
                )));
            }
            let attendee = Attendee {
                email: email.to_string(),
                name,
                status: Some("NEEDS-ACTION".into()),
                role: Some("REQ-PARTICIPANT".into()),
            };
            check_attendee(&attendee)?;
            Ok(attendee)
        })
        .collect()
}

/// A reminder (VALARM) relative to the start.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reminder {
    pub minutes_before: i64,
    /// `DISPLAY` or `EMAIL`.
    pub action: String,
}

/// One event (a series master, an override, or an expanded occurrence).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Event {
    pub uid: String,
    pub calendar: String,
    pub title: String,
    pub start: EventTime,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<EventTime>,
    pub all_day: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub privacy: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// `TRANSP:TRANSPARENT`: shown, but not busy time.
    pub transparent: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recurrence_rule: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exdates: Vec<EventTime>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rdates: Vec<EventTime>,
    /// Set on an override and on an expanded occurrence: which instance this is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recurrence_id: Option<EventTime>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reminders: Vec<Reminder>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attendees: Vec<Attendee>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organizer: Option<String>,
    /// Instances of a series that were changed (their own RECURRENCE-ID).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<Event>,
    /// Quoted, for If-Match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
}

impl Event {
    /// The end, or the start plus the RFC 5545 default (one day for dates, none for times).
    pub fn effective_end(&self) -> EventTime {
        match (&self.end, &self.start) {
            (Some(end), _) => *end,
            (None, EventTime::Date(_)) => self.start.shifted(chrono::Duration::days(1)),
            (None, start) => *start,
        }
    }
}

/// A new event, already checked.
#[derive(Clone, Debug, PartialEq)]
pub struct EventDraft {
    pub title: String,
    pub start: EventTime,
    pub end: Option<EventTime>,
    pub description: Option<String>,
    pub location: Option<String>,
    pub categories: Vec<String>,
    pub recurrence_rule: Option<String>,
    pub reminders: Vec<Reminder>,
    pub attendees: Vec<Attendee>,
    /// Set for meetings: with attendees, Nextcloud then invites them.
    pub organizer: Option<Organizer>,
    pub status: Option<String>,
    pub priority: Option<u8>,
    pub privacy: Option<String>,
    pub url: Option<String>,
    pub color: Option<String>,
}

/// Changes to an event. `None` keeps a field; `Some("")` (or an empty list)
/// removes it; anything not named here is left exactly as it was.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EventPatch {
    pub title: Option<String>,
    pub start: Option<EventTime>,
    pub end: Option<EventTime>,
    pub description: Option<String>,
    pub location: Option<String>,
    pub categories: Option<Vec<String>>,
    pub recurrence_rule: Option<String>,
    pub reminders: Option<Vec<Reminder>>,
    pub attendees: Option<Vec<Attendee>>,
    pub status: Option<String>,
    pub priority: Option<u8>,
    pub privacy: Option<String>,
    pub url: Option<String>,
    pub color: Option<String>,
}

impl EventPatch {
    pub fn is_empty(&self) -> bool {
        *self == EventPatch::default()
    }
}

/// Upper-cases and checks a value against the values iCalendar allows.
pub fn check_choice(
    field: &str,
    value: &str,
    allowed: &[&str],
) -> Result<String, CalendarInputError> {
    let upper = value.trim().to_ascii_uppercase().replace(['_', ' '], "-");
    if upper.is_empty() || allowed.contains(&upper.as_str()) {
        Ok(upper)
    } else {
        Err(CalendarInputError::Invalid(format!(
            "{field} '{value}' is not one of {}",
            allowed.join(", ")
        )))
    }
}

pub const EVENT_STATUSES: &[&str] = &["TENTATIVE", "CONFIRMED", "CANCELLED"];
pub const PRIVACY_CLASSES: &[&str] = &["PUBLIC", "PRIVATE", "CONFIDENTIAL"];

/// PRIORITY is 0 (undefined) or 1 (highest) to 9 (lowest).
pub fn check_priority(priority: i64) -> Result<u8, CalendarInputError> {
    u8::try_from(priority)
        .ok()
        .filter(|p| *p <= 9)
        .ok_or_else(|| {
            CalendarInputError::Invalid(format!(
                "priority {priority} is out of range; expected 0 (none) or 1 (highest) to 9 (lowest)"
            ))
        })
}

/// Start and end must be the same kind (both dates or both times) and in order.
pub fn check_span(start: &EventTime, end: &EventTime) -> Result<(), CalendarInputError> {
    if start.is_date() != end.is_date() {
        return Err(CalendarInputError::Invalid(
            "start and end must both be dates (all-day) or both be date-times".into(),
        ));
    }
    if end.instant() <= start.instant() {
        return Err(CalendarInputError::Invalid(format!(
            "the end ({}) is not after the start ({})",
            end.iso(),
            start.iso()
        )));
    }
    Ok(())
}

/// Splits `work, meeting` into categories.
pub fn split_list(list: &str) -> Vec<String> {
    list.split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

#[cfg(test)]
mod tests;
