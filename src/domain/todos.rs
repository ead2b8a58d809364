//! Tasks (VTODO): what the tools show, create and change, and the filters
//! for listings.

use serde::Serialize;

use super::calendar::{CalendarInputError, Reminder};
use super::caltime::EventTime;

pub const TODO_STATUSES: &[&str] = &["NEEDS-ACTION", "IN-PROCESS", "COMPLETED", "CANCELLED"];

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Todo {
    pub uid: String,
    pub calendar: String,
    pub summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `NEEDS-ACTION` when the task does not say.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percent_complete: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due: Option<EventTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dtstart: Option<EventTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed: Option<EventTime>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reminders: Vec<Reminder>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
}

impl Todo {
    pub fn is_done(&self) -> bool {
        self.status == "COMPLETED" || self.status == "CANCELLED"
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct TodoDraft {
    pub summary: String,
    pub description: Option<String>,
    pub status: Option<String>,
    pub priority: Option<u8>,
    pub due: Option<EventTime>,
    pub dtstart: Option<EventTime>,
    pub categories: Vec<String>,
    pub reminders: Vec<Reminder>,
}

/// Changes to a task; `None` keeps a field, `Some("")` removes a text field.
/// Completing sets status, percent-complete and the completion time together.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TodoPatch {
    pub summary: Option<String>,
    pub description: Option<String>,
    pub status: Option<String>,
    pub priority: Option<u8>,
    pub percent_complete: Option<u8>,
    pub due: Option<EventTime>,
    pub dtstart: Option<EventTime>,
    pub completed: Option<EventTime>,
    pub categories: Option<Vec<String>>,
    pub reminders: Option<Vec<Reminder>>,
}

impl TodoPatch {
    pub fn is_empty(&self) -> bool {
        *self == TodoPatch::default()
    }

    /// The patch that marks a task done at `at`.
    pub fn complete(at: EventTime) -> Self {
        Self {
            status: Some("COMPLETED".into()),
            percent_complete: Some(100),
            completed: Some(at),
            ..Self::default()
        }
    }

    /// Keeps status, percent-complete and COMPLETED consistent: 100% or a
    /// completion time means done; reopening clears the completion time.
    pub fn reconcile(mut self, now: EventTime) -> Self {
        let completing = self.status.as_deref() == Some("COMPLETED")
            || self.percent_complete == Some(100)
            || self.completed.is_some();
        if completing {
            self.status.get_or_insert_with(|| "COMPLETED".into());
            self.percent_complete.get_or_insert(100);
            self.completed.get_or_insert(now);
        }
        self
    }
}

pub fn check_percent(percent: i64) -> Result<u8, CalendarInputError> {
    u8::try_from(percent)
        .ok()
        .filter(|p| *p <= 100)
        .ok_or_else(|| {
            CalendarInputError::Invalid(format!(
                "percent_complete {percent} is out of range; expected 0 to 100"
            ))
        })
}

/// Filters for task listings. `open_only` is also sent to the server (a
/// `COMPLETED is-not-defined` prop-filter), the rest is applied here.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TodoFilter {
    /// `NEEDS-ACTION`, `IN-PROCESS`, `COMPLETED`, `CANCELLED`, or `open` for
    /// anything not completed or cancelled.
    pub status: Option<String>,
    /// Keep tasks at least this important: priority 1 (highest) up to this value.
    pub min_priority: Option<u8>,
    pub categories: Vec<String>,
    pub summary_contains: Option<String>,
    pub due_before: Option<chrono::DateTime<chrono::Utc>>,
    pub due_after: Option<chrono::DateTime<chrono::Utc>>,
}

impl TodoFilter {
    /// True when only open tasks can match, so the server may filter them.
    pub fn open_only(&self) -> bool {
        matches!(
            self.status.as_deref(),
            Some("OPEN" | "NEEDS-ACTION" | "IN-PROCESS")
        )
    }

    pub fn matches(&self, todo: &Todo) -> bool {
        let status_ok = match self.status.as_deref() {
            None => true,
            Some("OPEN") => !todo.is_done(),
            Some(s) => todo.status == s,
        };
        let priority_ok = self
            .min_priority
            .is_none_or(|min| todo.priority.is_some_and(|p| p >= 1 && p <= min));
        let category_ok = self.categories.is_empty()
            || self.categories.iter().any(|wanted| {
                todo.categories
                    .iter()
                    .any(|c| c.eq_ignore_ascii_case(wanted))
            });
        let summary_ok = self
            .summary_contains
            .as_deref()
            .is_none_or(|s| todo.summary.to_lowercase().contains(&s.to_lowercase()));
        let due = todo.due.map(|d| d.instant());
        let before_ok = self.due_before.is_none_or(|b| due.is_some_and(|d| d < b));
        let after_ok = self.due_after.is_none_or(|a| due.is_some_and(|d| d >= a));
        status_ok && priority_ok && category_ok && summary_ok && before_ok && after_ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn todo(status: &str, priority: Option<u8>, due_day: Option<u32>) -> Todo {
        Todo {
            uid: "t".into(),
            calendar: "tasks".into(),
            summary: "File taxes".into(),
            description: None,
            status: status.into(),
            priority,
            percent_complete: None,
            due: due_day
                .map(|d| EventTime::Utc(Utc.with_ymd_and_hms(2026, 12, d, 17, 0, 0).unwrap())),
            dtstart: None,
            completed: None,
            categories: vec!["Home".into()],
            reminders: vec![],
            etag: None,
        }
    }

    #[test]
    fn filters_by_status_priority_due_and_text() {
        let open = todo("NEEDS-ACTION", Some(1), Some(15));
        let done = todo("COMPLETED", None, None);
        let f = |status: &str| TodoFilter {
            status: Some(status.into()),
            ..TodoFilter::default()
        };
        assert!(f("OPEN").matches(&open) && !f("OPEN").matches(&done));
        assert!(f("OPEN").open_only() && !f("COMPLETED").open_only());
        let important = TodoFilter {
            min_priority: Some(3),
            ..TodoFilter::default()
        };
        assert!(important.matches(&open) && !important.matches(&done));
        let due_soon = TodoFilter {
            due_before: Some(Utc.with_ymd_and_hms(2026, 12, 16, 0, 0, 0).unwrap()),
            summary_contains: Some("TAXES".into()),
            categories: vec!["home".into()],
            ..TodoFilter::default()
        };
        assert!(due_soon.matches(&open) && !due_soon.matches(&done));
    }

    #[test]
    fn completing_keeps_the_three_fields_consistent() {
        let now = EventTime::Utc(Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap());
        let patch = TodoPatch {
            percent_complete: Some(100),
            ..TodoPatch::default()
        }
        .reconcile(now);
        assert_eq!(patch, TodoPatch::complete(now));
        assert!(check_percent(101).is_err());
    }
}
