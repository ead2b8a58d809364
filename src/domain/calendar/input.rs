//! Checks on the caller's text and numbers before they become iCalendar:
//! one-line fields stay on one line, sizes are bounded like notes, URLs are
//! http(s), attendees are plain addresses and reminders fall within a year.
//! The iCalendar writer escapes as well; these give the caller a reason.

use super::{Attendee, CalendarInputError, EventDraft, EventPatch, Organizer, Reminder};
use crate::domain::text::{
    TextInputError, check_count, check_email, check_line, check_text, check_url,
};
use crate::domain::todos::{TodoDraft, TodoPatch};

/// A reminder may be at most a year before (or after) the start: further is
/// never meant, and unbounded minutes overflow when turned into a TRIGGER.
pub const MAX_REMINDER_MINUTES: i64 = 366 * 24 * 60;

/// A reminder `minutes` before the start (negative: after it).
pub fn check_reminder_minutes(minutes: i64) -> Result<i64, CalendarInputError> {
    if minutes.unsigned_abs() > MAX_REMINDER_MINUTES as u64 {
        return Err(CalendarInputError::Invalid(format!(
            "reminder minutes {minutes} is out of range; expected -{MAX_REMINDER_MINUTES} to \
             {MAX_REMINDER_MINUTES} (at most a year before or after the start)"
        )));
    }
    Ok(minutes)
}

fn optional(
    check: fn(&str, &str) -> Result<(), TextInputError>,
    field: &str,
    value: &Option<String>,
) -> Result<(), TextInputError> {
    value.as_deref().map_or(Ok(()), |v| check(field, v))
}

fn categories(list: &[String]) -> Result<(), TextInputError> {
    check_count("categories", list.len())?;
    list.iter().try_for_each(|c| check_line("category", c))
}

fn reminders(list: &[Reminder]) -> Result<(), CalendarInputError> {
    check_count("reminders", list.len())?;
    for r in list {
        check_reminder_minutes(r.minutes_before)?;
        check_line("reminder action", &r.action)?;
    }
    Ok(())
}

/// An attendee's address and name; status and role come from fixed lists.
pub fn check_attendee(a: &Attendee) -> Result<(), TextInputError> {
    check_email("attendee", &a.email)?;
    optional(check_line, "attendee name", &a.name)?;
    optional(check_line, "attendee status", &a.status)?;
    optional(check_line, "attendee role", &a.role)
}

/// The organizer's address and name, as for an attendee.
pub fn check_organizer(o: &Organizer) -> Result<(), TextInputError> {
    check_email("organizer", &o.email)?;
    optional(check_line, "organizer name", &o.name)
}

fn attendees(list: &[Attendee]) -> Result<(), TextInputError> {
    check_count("attendees", list.len())?;
    list.iter().try_for_each(check_attendee)
}

fn url(value: &Option<String>) -> Result<(), TextInputError> {
    // "" removes the URL on update and means none on create.
    value
        .as_deref()
        .filter(|u| !u.is_empty())
        .map_or(Ok(()), |u| check_url("url", u))
}

/// Everything of a new event that is written as text.
pub fn check_event_draft(d: &EventDraft) -> Result<(), CalendarInputError> {
    check_line("title", &d.title)?;
    optional(check_text, "description", &d.description)?;
    optional(check_line, "location", &d.location)?;
    categories(&d.categories)?;
    optional(check_line, "recurrence_rule", &d.recurrence_rule)?;
    reminders(&d.reminders)?;
    attendees(&d.attendees)?;
    d.organizer.as_ref().map_or(Ok(()), check_organizer)?;
    optional(check_line, "status", &d.status)?;
    optional(check_line, "privacy", &d.privacy)?;
    url(&d.url)?;
    optional(check_line, "color", &d.color)?;
    Ok(())
}

/// Everything of an event change that is written as text.
pub fn check_event_patch(p: &EventPatch) -> Result<(), CalendarInputError> {
    optional(check_line, "title", &p.title)?;
    optional(check_text, "description", &p.description)?;
    optional(check_line, "location", &p.location)?;
    p.categories.as_deref().map_or(Ok(()), categories)?;
    optional(check_line, "recurrence_rule", &p.recurrence_rule)?;
    p.reminders.as_deref().map_or(Ok(()), reminders)?;
    p.attendees.as_deref().map_or(Ok(()), attendees)?;
    optional(check_line, "status", &p.status)?;
    optional(check_line, "privacy", &p.privacy)?;
    url(&p.url)?;
    optional(check_line, "color", &p.color)?;
    Ok(())
}

/// Everything of a new task that is written as text.
pub fn check_todo_draft(d: &TodoDraft) -> Result<(), CalendarInputError> {
    check_line("summary", &d.summary)?;
    optional(check_text, "description", &d.description)?;
    optional(check_line, "status", &d.status)?;
    categories(&d.categories)?;
    reminders(&d.reminders)
}

/// Everything of a task change that is written as text.
pub fn check_todo_patch(p: &TodoPatch) -> Result<(), CalendarInputError> {
    optional(check_line, "summary", &p.summary)?;
    optional(check_text, "description", &p.description)?;
    optional(check_line, "status", &p.status)?;
    p.categories.as_deref().map_or(Ok(()), categories)?;
    p.reminders.as_deref().map_or(Ok(()), reminders)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::caltime::EventTime;

    fn draft() -> EventDraft {
        EventDraft {
            title: "Sync".into(),
            start: EventTime::Date(chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()),
            end: None,
            description: Some("line 1\nline 2".into()),
            location: None,
            categories: vec![],
            recurrence_rule: None,
            reminders: vec![],
            attendees: vec![],
            status: None,
            priority: None,
            privacy: None,
            url: Some("https://a.example/".into()),
            color: None,
            organizer: None,
        }
    }

    #[test]
    fn reminder_minutes_are_bounded_to_a_year() {
        assert_eq!(check_reminder_minutes(15), Ok(15));
        assert_eq!(check_reminder_minutes(-30), Ok(-30));
        assert!(check_reminder_minutes(MAX_REMINDER_MINUTES).is_ok());
        assert!(check_reminder_minutes(-MAX_REMINDER_MINUTES).is_ok());
        for bad in [MAX_REMINDER_MINUTES + 1, i64::MIN, i64::MAX] {
            let err = check_reminder_minutes(bad).unwrap_err().to_string();
            assert!(err.contains("at most a year"), "{err}");
        }
    }

    #[test]
    fn drafts_with_injected_lines_or_megabytes_are_refused() {
        assert!(check_event_draft(&draft()).is_ok());
        let injected = EventDraft {
            url: Some("https://a.example/\r\nATTENDEE;CN=Evil:mailto:victim@example.com".into()),
            ..draft()
        };
        let err = check_event_draft(&injected).unwrap_err().to_string();
        assert!(
            err.starts_with("url contains the control character U+000D"),
            "{err}"
        );
        let huge = EventDraft {
            title: "x".repeat(3 * 1024 * 1024),
            ..draft()
        };
        assert!(
            check_event_draft(&huge)
                .unwrap_err()
                .to_string()
                .contains("the limit is 500")
        );
        let bad_attendee = EventDraft {
            attendees: vec![Attendee {
                email: "victim@example.com\r".into(),
                name: None,
                status: None,
                role: None,
            }],
            ..draft()
        };
        assert!(check_event_draft(&bad_attendee).is_err());
        let bad_organizer = EventDraft {
            organizer: Some(Organizer {
                email: "me@example.com\nATTENDEE:mailto:x@evil".into(),
                name: None,
            }),
            ..draft()
        };
        assert!(check_event_draft(&bad_organizer).is_err());
        let bad_organizer_name = EventDraft {
            organizer: Some(Organizer {
                email: "me@example.com".into(),
                name: Some("Me\r\nUID:x".into()),
            }),
            ..draft()
        };
        assert!(check_event_draft(&bad_organizer_name).is_err());
        let patch = EventPatch {
            location: Some("Room\nUID:x".into()),
            ..EventPatch::default()
        };
        assert!(check_event_patch(&patch).is_err());
        assert!(
            check_event_patch(&EventPatch {
                url: Some(String::new()),
                ..EventPatch::default()
            })
            .is_ok()
        );
    }

    #[test]
    fn tasks_are_checked_the_same_way() {
        let todo = TodoDraft {
            summary: "Buy milk".into(),
            description: None,
            status: None,
            priority: None,
            due: None,
            dtstart: None,
            categories: vec!["home\r\nUID:x".into()],
            reminders: vec![],
        };
        assert!(check_todo_draft(&todo).is_err());
        let patch = TodoPatch {
            reminders: Some(vec![Reminder {
                minutes_before: i64::MIN,
                action: "DISPLAY".into(),
            }]),
            ..TodoPatch::default()
        };
        assert!(check_todo_patch(&patch).is_err());
    }
}
