//! Arguments of the task tools (named like the reference server's) and their
//! checks.

use chrono::Utc;
use chrono_tz::Tz;
use rmcp::model::CallToolResult;
use rmcp::schemars;
use serde::Deserialize;

use super::args::ReminderArg;
use crate::adapters::mcp::outcome::OrFail;
use crate::adapters::mcp::paging::PageArgs;
use crate::domain::calendar::{Reminder, check_choice, check_priority, split_list};
use crate::domain::caltime::{EventTime, parse_time, parse_zone};
use crate::domain::todos::{TODO_STATUSES, TodoFilter};

type Fail<T> = Result<T, CallToolResult>;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct TodoFilterArgs {
    /// NEEDS-ACTION, IN-PROCESS, COMPLETED, CANCELLED, or "open" for anything not done.
    #[serde(default)]
    pub status: Option<String>,
    /// Only tasks at least this important: priority 1 (highest) up to this value.
    #[serde(default)]
    pub min_priority: Option<i64>,
    /// Comma-separated; a task matches if it has any of them.
    #[serde(default)]
    pub categories: Option<String>,
    /// Only tasks whose summary contains this text (case-insensitive).
    #[serde(default)]
    pub summary_contains: Option<String>,
    /// Only tasks due before this date or date-time (ISO 8601; dates and local times in UTC).
    #[serde(default)]
    pub due_before: Option<String>,
    /// Only tasks due at or after this date or date-time.
    #[serde(default)]
    pub due_after: Option<String>,
    #[serde(flatten)]
    pub page: PageArgs,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct ListTodosArgs {
    /// A calendar that holds tasks (id or display name).
    pub calendar_name: String,
    #[serde(flatten)]
    pub filter: TodoFilterArgs,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct TodoFields {
    /// Longer text of the task.
    #[serde(default)]
    pub description: Option<String>,
    /// NEEDS-ACTION, IN-PROCESS, COMPLETED or CANCELLED.
    #[serde(default)]
    pub status: Option<String>,
    /// 0 (none) or 1 (highest) to 9 (lowest).
    #[serde(default)]
    pub priority: Option<i64>,
    /// Due: ISO 8601 date-time with offset, a local time with `timezone`, or a date.
    #[serde(default)]
    pub due: Option<String>,
    /// Start, in the same forms as due.
    #[serde(default)]
    pub dtstart: Option<String>,
    /// Comma-separated categories ("" removes them).
    #[serde(default)]
    pub categories: Option<String>,
    /// Minutes before the due time (or start), or {"minutes": 15, "action": "EMAIL"}.
    #[serde(default)]
    pub reminders: Option<Vec<ReminderArg>>,
    /// IANA zone for local times (e.g. Europe/Berlin).
    #[serde(default)]
    pub timezone: Option<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct CreateTodoArgs {
    /// Calendar id or display name to create the task in (it must hold tasks).
    pub calendar_name: String,
    /// The task's title.
    pub summary: String,
    #[serde(flatten)]
    pub fields: TodoFields,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct UpdateTodoArgs {
    /// Calendar id or display name the task is in.
    pub calendar_name: String,
    /// The task's uid, as returned by list or create.
    pub todo_uid: String,
    /// New title; omit to keep it.
    #[serde(default)]
    pub summary: Option<String>,
    /// 0 to 100; 100 completes the task.
    #[serde(default)]
    pub percent_complete: Option<i64>,
    /// When it was completed (ISO 8601); completes the task.
    #[serde(default)]
    pub completed: Option<String>,
    /// The etag from your last read; the update fails if the task changed since.
    #[serde(default)]
    pub etag: Option<String>,
    #[serde(flatten)]
    pub fields: TodoFields,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct CompleteTodoArgs {
    /// Calendar id or display name the task is in.
    pub calendar_name: String,
    /// The task's uid, as returned by list or create.
    pub todo_uid: String,
    /// When it was done (ISO 8601, default now).
    #[serde(default)]
    pub completed: Option<String>,
    /// The etag from your last read; the change is refused if the task changed since.
    #[serde(default)]
    pub etag: Option<String>,
}

/// Delete takes no completion time: it would do nothing, and the reference
/// server's tool has none.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct DeleteTodoArgs {
    /// Calendar id or display name the task is in.
    pub calendar_name: String,
    /// The task's uid, as returned by list or create.
    pub todo_uid: String,
    /// The etag from your last read; the delete is refused if the task changed since.
    #[serde(default)]
    pub etag: Option<String>,
}

pub fn zone(raw: &Option<String>) -> Fail<Option<Tz>> {
    raw.as_deref()
        .filter(|z| !z.trim().is_empty())
        .map(parse_zone)
        .transpose()
        .or_fail()
}

pub fn when(field: &str, raw: &Option<String>, zone: Option<Tz>) -> Fail<Option<EventTime>> {
    raw.as_deref()
        .filter(|v| !v.trim().is_empty())
        .map(|v| parse_time(field, v, zone))
        .transpose()
        .or_fail()
}

pub fn reminders(list: &Option<Vec<ReminderArg>>) -> Fail<Option<Vec<Reminder>>> {
    let Some(list) = list else { return Ok(None) };
    list.iter()
        .map(|r| {
            let (minutes, action) = match r {
                ReminderArg::Minutes(m) => (*m, None),
                ReminderArg::Detailed { minutes, action } => (*minutes, action.clone()),
            };
            let action = check_choice(
                "reminder action",
                action.as_deref().unwrap_or("DISPLAY"),
                &["DISPLAY", "EMAIL"],
            )
            .or_fail()?;
            Ok(Reminder {
                minutes_before: minutes,
                action,
            })
        })
        .collect::<Fail<Vec<_>>>()
        .map(Some)
}

pub fn filter(args: &TodoFilterArgs) -> Fail<TodoFilter> {
    let status = args
        .status
        .as_deref()
        .map(|s| s.trim().to_ascii_uppercase().replace(['_', ' '], "-"));
    if let Some(s) = status.as_deref().filter(|s| *s != "OPEN") {
        check_choice("status", s, TODO_STATUSES).or_fail()?;
    }
    let utc = |field: &str, raw: &Option<String>| -> Fail<Option<chrono::DateTime<Utc>>> {
        Ok(when(field, raw, Some(Tz::UTC))?.map(|t| t.instant()))
    };
    Ok(TodoFilter {
        status,
        min_priority: args
            .min_priority
            .map(check_priority)
            .transpose()
            .or_fail()?,
        categories: args
            .categories
            .as_deref()
            .map(split_list)
            .unwrap_or_default(),
        summary_contains: args.summary_contains.clone().filter(|s| !s.is_empty()),
        due_before: utc("due_before", &args.due_before)?,
        due_after: utc("due_after", &args.due_after)?,
    })
}

pub fn status(raw: &Option<String>) -> Fail<Option<String>> {
    raw.as_deref()
        .map(|s| check_choice("status", s, TODO_STATUSES))
        .transpose()
        .or_fail()
}
