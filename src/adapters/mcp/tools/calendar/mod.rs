//! Calendar and event tools (`nc_calendar_*`), named and shaped like the
//! reference server's. Times go in and out as ISO 8601 with their zone.

mod args;
mod bulk;
mod events;
mod meeting;
mod support;
mod todo_args;
mod todos;

use chrono::Duration;
use chrono_tz::Tz;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars, tool, tool_router};
use serde::Deserialize;

use super::AppRouter;
use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, failure, success};
use crate::adapters::mcp::paging::PageArgs;
use crate::adapters::mcp::progress::Progress;
use crate::adapters::mcp::tool_scopes::Access;
use crate::domain::calendar::{
    CalendarDraft, CalendarPatch, ComponentKind, EventFilter, check_collection_name, check_color,
    split_list,
};
use crate::domain::caltime::TimeRange;
use crate::domain::freebusy::{SlotRules, busy_intervals, free_slots};
use crate::domain::scopes::Scope;
use support::{
    bounded, calendars_for, default_start, listing, occurrences_in, parse_range, pick_calendar,
};

/// Calendars and tasks are core Nextcloud (CalDAV), present on every server.
/// Events and calendars need the calendar scopes, tasks the todo scopes.
pub(super) fn router() -> AppRouter {
    let events = NextcloudMcp::calendar_router()
        + NextcloudMcp::events_router()
        + NextcloudMcp::meeting_router()
        + NextcloudMcp::bulk_router();
    AppRouter::new(
        None,
        Access::read_write(Scope::CalendarRead, Scope::CalendarWrite),
        events,
    ) + AppRouter::new(
        None,
        Access::read_write(Scope::TodoRead, Scope::TodoWrite),
        NextcloudMcp::todos_router(),
    )
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct ManageCalendarArgs {
    /// create, update or delete (delete moves the calendar to Nextcloud's trash bin).
    pub action: String,
    /// For create: the new calendar's id (letters, digits, - and _). For update/delete: its id or display name.
    #[serde(default)]
    pub calendar_name: Option<String>,
    /// Shown name, for create or update.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Description of the calendar, for create or update.
    #[serde(default)]
    pub description: Option<String>,
    /// Hex colour, e.g. #0082C9.
    #[serde(default)]
    pub color: Option<String>,
    /// For create: what it holds, "VEVENT", "VTODO" or "VEVENT,VTODO" (default: the server's choice).
    #[serde(default)]
    pub components: Option<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct ListEventsArgs {
    /// One calendar (id or display name); omit, or set search_all_calendars, for every event calendar.
    #[serde(default)]
    pub calendar_name: Option<String>,
    /// Range start: a date (2026-12-01) or ISO 8601 date-time; default now.
    #[serde(default)]
    pub start_date: Option<String>,
    /// Range end (a date counts whole); default 30 days after the start.
    #[serde(default)]
    pub end_date: Option<String>,
    /// IANA zone for dates and local times in the range (default UTC).
    #[serde(default)]
    pub timezone: Option<String>,
    /// Most occurrences per page (default 100, at most 500).
    #[serde(default)]
    pub limit: Option<usize>,
    /// Where to go on: next_cursor from the previous page; omit for the first page.
    #[serde(default)]
    pub cursor: Option<String>,
    /// Only events with at least this many attendees.
    #[serde(default)]
    pub min_attendees: Option<usize>,
    /// Only events lasting at least this many minutes.
    #[serde(default)]
    pub min_duration_minutes: Option<i64>,
    /// Comma-separated; an event matches if it has any of them.
    #[serde(default)]
    pub categories: Option<String>,
    /// TENTATIVE, CONFIRMED or CANCELLED.
    #[serde(default)]
    pub status: Option<String>,
    /// Only events whose title contains this text (case-insensitive).
    #[serde(default)]
    pub title_contains: Option<String>,
    /// Only events whose location contains this text (case-insensitive).
    #[serde(default)]
    pub location_contains: Option<String>,
    /// Look in every calendar instead of calendar_name (default false).
    #[serde(default)]
    pub search_all_calendars: bool,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct UpcomingArgs {
    /// Calendar id or display name; default every calendar.
    #[serde(default)]
    pub calendar_name: Option<String>,
    /// How many days ahead (default 7, at most 366).
    #[serde(default)]
    pub days_ahead: Option<i64>,
    /// Most occurrences per page (default 10, at most 500).
    #[serde(default)]
    pub limit: Option<usize>,
    /// Where to go on: next_cursor from the previous page; omit for the first page.
    #[serde(default)]
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct AvailabilityArgs {
    /// Length of the slot wanted, in minutes.
    pub duration_minutes: i64,
    /// Other people: not consulted (only the user's own calendars are read); reported back as such.
    #[serde(default)]
    pub attendees: Option<String>,
    /// Range start (date or date-time); default now.
    #[serde(default)]
    pub date_range_start: Option<String>,
    /// Range end; default 7 days after the start.
    #[serde(default)]
    pub date_range_end: Option<String>,
    /// Only 09:00-17:00 in `timezone` (default true).
    #[serde(default)]
    pub business_hours_only: Option<bool>,
    /// Skip Saturdays and Sundays (default true).
    #[serde(default)]
    pub exclude_weekends: Option<bool>,
    /// Count all-day events as busy (default false).
    #[serde(default)]
    pub include_all_day: bool,
    /// IANA zone for business hours and the answer (default UTC).
    #[serde(default)]
    pub timezone: Option<String>,
}

#[tool_router(router = calendar_router)]
impl NextcloudMcp {
    #[tool(
        name = "nc_calendar_list_calendars",
        input_schema = crate::adapters::mcp::schema::input::<PageArgs>("nc_calendar_list_calendars"),
        description = "List the user's calendars: id (name), display name, colour, and what each holds (VEVENT events, VTODO tasks).",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn list_calendars(
        &self,
        Parameters(page): Parameters<PageArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        // A calendar is a name, a display name, a colour and two kinds.
        let paging = page.request(100, 1000)?;
        let calendars = self
            .nextcloud(&request)
            .await?
            .list_calendars()
            .await
            .or_fail()?;
        let (shown, page) = paging.page(&calendars);
        let mut text = format!("{} calendars", calendars.len());
        for c in shown {
            text.push_str(&format!(
                "\n- {} (\"{}\") holds {}",
                c.name,
                c.display_name,
                c.components.join(", ")
            ));
        }
        Ok(success(
            &serde_json::json!({ "calendars": shown, "page": page }),
            page.under(text, shown.len()),
        ))
    }

    #[tool(
        name = "nc_calendar_manage_calendar",
        input_schema = crate::adapters::mcp::schema::input::<ManageCalendarArgs>("nc_calendar_manage_calendar"),
        description = "Create, update (display name, description, colour) or delete a calendar. Delete moves it to Nextcloud's calendar trash bin.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn manage_calendar(
        &self,
        Parameters(args): Parameters<ManageCalendarArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let name = args
            .calendar_name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty());
        let name = name.ok_or_else(|| failure("calendar_name is required"))?;
        if let Some(color) = &args.color {
            check_color(color).or_fail()?;
        }
        let nc = self.nextcloud(&request).await?;
        match args.action.trim().to_ascii_lowercase().as_str() {
            "create" => {
                check_collection_name(name).or_fail()?;
                let mut components = Vec::new();
                for c in split_list(args.components.as_deref().unwrap_or("")) {
                    components.push(match c.to_ascii_uppercase().as_str() {
                        "VEVENT" => ComponentKind::Event,
                        "VTODO" => ComponentKind::Todo,
                        other => {
                            return Err(failure(format!(
                                "component '{other}' is not VEVENT or VTODO"
                            )));
                        }
                    });
                }
                let draft = CalendarDraft {
                    name: name.to_string(),
                    display_name: args
                        .display_name
                        .clone()
                        .unwrap_or_else(|| name.to_string()),
                    description: args.description.clone(),
                    color: args.color.clone(),
                    components,
                };
                nc.create_calendar(&draft).await.or_fail()?;
                Ok(success(
                    &serde_json::json!({ "created": name }),
                    format!("Created calendar {name}"),
                ))
            }
            "update" => {
                let calendars = nc.list_calendars().await.or_fail()?;
                let calendar = pick_calendar(&calendars, name, None)?;
                let patch = CalendarPatch {
                    display_name: args.display_name,
                    description: args.description,
                    color: args.color,
                };
                if patch == CalendarPatch::default() {
                    return Err(failure(
                        "nothing to update; give display_name, description or color",
                    ));
                }
                nc.update_calendar(&calendar.name, &patch).await.or_fail()?;
                Ok(success(
                    &serde_json::json!({ "updated": calendar.name }),
                    format!("Updated calendar {}", calendar.name),
                ))
            }
            "delete" => {
                let calendars = nc.list_calendars().await.or_fail()?;
                let calendar = pick_calendar(&calendars, name, None)?;
                nc.delete_calendar(&calendar.name).await.or_fail()?;
                Ok(success(
                    &serde_json::json!({ "deleted": calendar.name }),
                    format!("Moved calendar {} to the trash bin", calendar.name),
                ))
            }
            other => Err(failure(format!(
                "action '{other}' is not one of create, update, delete"
            ))),
        }
    }

    #[tool(
        name = "nc_calendar_list_events",
        input_schema = crate::adapters::mcp::schema::input::<ListEventsArgs>("nc_calendar_list_events"),
        description = "List events in a time range (one calendar or all), with recurring events expanded into their occurrences. Filters: title_contains (also sent to the server), location_contains, categories, status, min_attendees, min_duration_minutes. Times are ISO 8601 with offsets.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn list_events(
        &self,
        Parameters(args): Parameters<ListEventsArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let paging = bounded(args.limit, args.cursor.as_deref(), 100)?;
        let range = parse_range(
            args.start_date.as_deref(),
            args.end_date.as_deref(),
            args.timezone.as_deref(),
            Duration::days(30),
        )?;
        let filter = EventFilter {
            title_contains: args.title_contains.clone().filter(|t| !t.is_empty()),
            location_contains: args.location_contains.clone().filter(|t| !t.is_empty()),
            categories: args
                .categories
                .as_deref()
                .map(split_list)
                .unwrap_or_default(),
            status: args.status.as_deref().map(str::to_ascii_uppercase),
            min_attendees: args.min_attendees,
            min_duration_minutes: args.min_duration_minutes,
        };
        let nc = self.nextcloud(&request).await?;
        let one = args
            .calendar_name
            .as_deref()
            .filter(|_| !args.search_all_calendars);
        let calendars = calendars_for(nc.as_ref(), one, ComponentKind::Event).await?;
        let mut events = occurrences_in(
            nc.as_ref(),
            &calendars,
            &range,
            filter.title_contains.clone(),
            None,
        )
        .await?;
        events.retain(|e| filter.matches(e));
        Ok(listing(&events, &paging, "Events".into()))
    }

    #[tool(
        name = "nc_calendar_get_upcoming_events",
        input_schema = crate::adapters::mcp::schema::input::<UpcomingArgs>("nc_calendar_get_upcoming_events"),
        description = "Events in the next N days (default 7) across one or all calendars, recurring ones expanded, earliest first.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn get_upcoming_events(
        &self,
        Parameters(args): Parameters<UpcomingArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let paging = bounded(args.limit, args.cursor.as_deref(), 10)?;
        let days = args.days_ahead.unwrap_or(7);
        if !(1..=366).contains(&days) {
            return Err(failure(format!(
                "days_ahead {days} is out of range; expected 1 to 366"
            )));
        }
        let now = default_start();
        let range = TimeRange::new(now, now + Duration::days(days)).map_err(failure)?;
        let nc = self.nextcloud(&request).await?;
        let calendars = calendars_for(
            nc.as_ref(),
            args.calendar_name.as_deref(),
            ComponentKind::Event,
        )
        .await?;
        let events = occurrences_in(nc.as_ref(), &calendars, &range, None, None).await?;
        Ok(listing(
            &events,
            &paging,
            format!("Upcoming events in the next {days} days"),
        ))
    }

    #[tool(
        name = "nc_calendar_find_availability",
        input_schema = crate::adapters::mcp::schema::input::<AvailabilityArgs>("nc_calendar_find_availability"),
        description = "Find free slots of at least duration_minutes in a date range, from the user's own events (busy unless transparent or cancelled). Defaults: next 7 days, business hours 09:00-17:00, weekdays only.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn find_availability(
        &self,
        Parameters(args): Parameters<AvailabilityArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        if !(5..=24 * 60).contains(&args.duration_minutes) {
            return Err(failure("duration_minutes must be between 5 and 1440"));
        }
        let zone: Tz = match args.timezone.as_deref() {
            Some(z) => crate::domain::caltime::parse_zone(z).or_fail()?,
            None => Tz::UTC,
        };
        let range = parse_range(
            args.date_range_start.as_deref(),
            args.date_range_end.as_deref(),
            args.timezone.as_deref(),
            Duration::days(7),
        )?;
        let rules = SlotRules {
            duration: Duration::minutes(args.duration_minutes),
            zone,
            business_hours_only: args.business_hours_only.unwrap_or(true),
            exclude_weekends: args.exclude_weekends.unwrap_or(true),
            include_all_day: args.include_all_day,
        };
        let nc = self.nextcloud(&request).await?;
        let calendars = calendars_for(nc.as_ref(), None, ComponentKind::Event).await?;
        let progress = Progress::of(&request);
        let events =
            occurrences_in(nc.as_ref(), &calendars, &range, None, progress.as_ref()).await?;
        let slots = free_slots(&busy_intervals(&events, &rules), &range, &rules);
        let mut text = format!(
            "{} free slots of at least {} minutes",
            slots.len(),
            args.duration_minutes
        );
        for s in slots.iter().take(20) {
            text.push_str(&format!("\n- {} to {}", s.start, s.end));
        }
        let note = args.attendees.as_ref().filter(|a| !a.trim().is_empty()).map(|_| "only the user's own calendars were consulted; attendees' availability is not visible to this tool");
        if let Some(note) = note {
            text.push_str(&format!("\nNote: {note}"));
        }
        Ok(success(
            &serde_json::json!({ "slots": slots, "timezone": zone.name(), "note": note }),
            text,
        ))
    }
}
