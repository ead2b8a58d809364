//! `nc_calendar_bulk_operations`: find events by filter in a date range,
//! preview what would change, and only with `dry_run: false` change or
//! delete them, at most a bounded number per call. Whole events are
//! changed (a recurring series once, with all its instances).

use chrono::Duration;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars, tool, tool_router};
use serde::Deserialize;
use serde_json::json;

use super::args::{EventFields, patch};
use super::support::{calendars_for, event_line, parse_range};
use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, failure, success};
use crate::domain::calendar::{
    BulkFilter, ComponentKind, DEFAULT_BULK_LIMIT, MAX_BULK_EVENTS, select, split_list,
};

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct BulkArgs {
    /// "update" (set the new_* fields) or "delete".
    pub operation: String,
    /// Only events whose title contains this (case does not matter).
    #[serde(default)]
    pub title_contains: Option<String>,
    /// Only events with all of these comma-separated categories.
    #[serde(default)]
    pub categories: Option<String>,
    /// Only this calendar (id or display name); default every event calendar.
    #[serde(default)]
    pub calendar_name: Option<String>,
    /// Range start (a date or ISO 8601 date-time); default now.
    #[serde(default)]
    pub start_date: Option<String>,
    /// Range end (a date counts whole); default 30 days after the start.
    #[serde(default)]
    pub end_date: Option<String>,
    /// Only events with this status: TENTATIVE, CONFIRMED or CANCELLED.
    #[serde(default)]
    pub status: Option<String>,
    /// Only events whose location contains this.
    #[serde(default)]
    pub location_contains: Option<String>,
    /// update: the new title.
    #[serde(default)]
    pub new_title: Option<String>,
    /// update: the new description ("" removes it).
    #[serde(default)]
    pub new_description: Option<String>,
    /// update: the new location ("" removes it).
    #[serde(default)]
    pub new_location: Option<String>,
    /// update: the new comma-separated categories ("" removes them).
    #[serde(default)]
    pub new_categories: Option<String>,
    /// update: the new priority, 0 (none) or 1 (highest) to 9.
    #[serde(default)]
    pub new_priority: Option<i64>,
    /// update: one reminder this many minutes before (0 removes reminders).
    #[serde(default)]
    pub new_reminder_minutes: Option<i64>,
    /// Not supported: moving events between calendars; give it and the call is refused.
    #[serde(default)]
    pub target_calendar: Option<String>,
    /// Accepted for compatibility: a recurring event is always changed as a whole series.
    #[serde(default)]
    pub apply_to_series: Option<bool>,
    /// true (default): only show what would change. false: change it.
    #[serde(default)]
    pub dry_run: Option<bool>,
    /// Refuse when more events match than this (default 50, at most 200).
    #[serde(default)]
    pub max_events: Option<usize>,
}

#[derive(Copy, Clone, PartialEq)]
enum Operation {
    Update,
    Delete,
}

impl BulkArgs {
    fn fields(&self) -> EventFields {
        EventFields {
            description: self.new_description.clone(),
            location: self.new_location.clone(),
            categories: self.new_categories.clone(),
            priority: self.new_priority,
            reminder_minutes: self.new_reminder_minutes,
            ..EventFields::default()
        }
    }

    fn changes_something(&self) -> bool {
        self.new_title.is_some()
            || self.new_description.is_some()
            || self.new_location.is_some()
            || self.new_categories.is_some()
            || self.new_priority.is_some()
            || self.new_reminder_minutes.is_some()
    }
}

#[tool_router(router = bulk_router, vis = "pub(super)")]
impl NextcloudMcp {
    #[tool(
        name = "nc_calendar_bulk_operations",
        input_schema = crate::adapters::mcp::schema::input::<BulkArgs>("nc_calendar_bulk_operations"),
        description = "Update or delete many events at once: filter by title, categories, status, location, calendar and date range. A dry run by default: it lists what would change; call again with dry_run false to apply. At most max_events (50 by default, 200 at most) per call.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn bulk_operations(
        &self,
        Parameters(args): Parameters<BulkArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let operation = match args.operation.trim().to_ascii_lowercase().as_str() {
            "update" => Operation::Update,
            "delete" => Operation::Delete,
            "move" => {
                return Err(failure(
                    "operation \"move\" is not supported; create the events in the other calendar and delete these",
                ));
            }
            other => {
                return Err(failure(format!(
                    "operation '{other}' is not \"update\" or \"delete\""
                )));
            }
        };
        if args.apply_to_series == Some(false) {
            return Err(failure(
                "changing single instances of a series is not supported; leave apply_to_series out (whole series are changed)",
            ));
        }
        if args.target_calendar.is_some() {
            return Err(failure(
                "target_calendar (moving events) is not supported; leave it out",
            ));
        }
        if operation == Operation::Update && !args.changes_something() {
            return Err(failure(
                "update needs at least one of new_title, new_description, new_location, new_categories, new_priority, new_reminder_minutes",
            ));
        }
        let limit = args.max_events.unwrap_or(DEFAULT_BULK_LIMIT);
        if !(1..=MAX_BULK_EVENTS).contains(&limit) {
            return Err(failure(format!(
                "max_events must be from 1 to {MAX_BULK_EVENTS}"
            )));
        }
        let filter = BulkFilter {
            title_contains: args.title_contains.clone().filter(|t| !t.trim().is_empty()),
            location_contains: args
                .location_contains
                .clone()
                .filter(|l| !l.trim().is_empty()),
            categories: args
                .categories
                .as_deref()
                .map(split_list)
                .unwrap_or_default(),
            status: args.status.clone().filter(|s| !s.trim().is_empty()),
        };
        if filter.is_empty() && args.calendar_name.is_none() {
            return Err(failure(
                "give a filter (title_contains, categories, status, location_contains) or a calendar_name, so not every event in the range is changed",
            ));
        }
        let range = parse_range(
            args.start_date.as_deref(),
            args.end_date.as_deref(),
            None,
            Duration::days(30),
        )?;
        let nc = self.nextcloud(&request).await?;
        let calendars = calendars_for(
            nc.as_ref(),
            args.calendar_name.as_deref(),
            ComponentKind::Event,
        )
        .await?;
        let mut found = Vec::new();
        for calendar in &calendars {
            found.extend(
                nc.events_in_range(&calendar.name, &range, filter.title_contains.clone())
                    .await
                    .or_fail()?,
            );
        }
        let matched = select(&found, &filter);
        let dry_run = args.dry_run.unwrap_or(true);
        let verb = match operation {
            Operation::Update => "update",
            Operation::Delete => "delete",
        };
        let rows: Vec<_> = matched
            .iter()
            .map(|e| json!({ "calendar": e.calendar, "uid": e.uid, "title": e.title, "start": e.start.iso() }))
            .collect();
        let lines: Vec<String> = matched
            .iter()
            .map(|e| format!("{} [{} in {}]", event_line(e), e.uid, e.calendar))
            .collect();
        if matched.len() > limit {
            return Err(failure(format!(
                "{} events match, more than max_events {limit}; narrow the filter or the range (or raise max_events, at most {MAX_BULK_EVENTS})",
                matched.len()
            )));
        }
        if dry_run || matched.is_empty() {
            let text = format!(
                "Dry run: would {verb} {} event(s); call again with dry_run false to apply\n{}",
                matched.len(),
                lines.join("\n")
            );
            return Ok(success(
                &json!({ "dry_run": true, "operation": verb, "matched": matched.len(), "events": rows }),
                text,
            ));
        }
        let fields = args.fields();
        let mut done = Vec::new();
        let mut failed = Vec::new();
        for event in &matched {
            let outcome = match operation {
                Operation::Delete => nc
                    .delete_event(&event.calendar, &event.uid, event.etag.clone())
                    .await
                    .map_err(|e| e.to_string()),
                Operation::Update => match patch(args.new_title.clone(), &fields, event) {
                    Ok(change) => nc
                        .update_event(&event.calendar, &event.uid, event.etag.clone(), &change)
                        .await
                        .map(drop)
                        .map_err(|e| e.to_string()),
                    Err(refused) => {
                        return Err(refused);
                    }
                },
            };
            match outcome {
                Ok(()) => done.push(json!({ "calendar": event.calendar, "uid": event.uid })),
                Err(reason) => failed
                    .push(json!({ "calendar": event.calendar, "uid": event.uid, "error": reason })),
            }
        }
        let mut text = format!(
            "{}d {} of {} event(s)",
            match operation {
                Operation::Update => "Update",
                Operation::Delete => "Delete",
            },
            done.len(),
            matched.len()
        );
        for f in &failed {
            text.push_str(&format!("\nfailed: {} ({})", f["uid"], f["error"]));
        }
        Ok(success(
            &json!({ "dry_run": false, "operation": verb, "matched": matched.len(),
                     "done": done, "failed": failed }),
            text,
        ))
    }
}
