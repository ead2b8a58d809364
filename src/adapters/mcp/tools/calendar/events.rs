//! Event tools (`nc_calendar_*_event`): get, create, update and delete one
//! event, named and shaped like the reference server's.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars, tool, tool_router};
use serde::Deserialize;

use super::args::{EventFields, draft, patch};
use super::support::{event_line, pick_calendar};
use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, failure, success};
use crate::domain::calendar::{ComponentKind, Event};

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct CreateEventArgs {
    /// Calendar id or display name (see nc_calendar_list_calendars).
    pub calendar_name: String,
    /// The event's title (summary).
    pub title: String,
    #[serde(flatten)]
    pub fields: EventFields,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct UpdateEventArgs {
    /// Calendar id or display name the event is in.
    pub calendar_name: String,
    /// The event's uid, as returned by list or create.
    pub event_uid: String,
    /// New title; omit to keep it.
    #[serde(default)]
    pub title: Option<String>,
    /// The etag from your last read; the update fails if the event changed since. Default: the version read just before writing.
    #[serde(default)]
    pub etag: Option<String>,
    #[serde(flatten)]
    pub fields: EventFields,
}

/// Get takes no etag: a read has no version to check, and the reference
/// server's tool has none either.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct EventRefArgs {
    /// Calendar id or display name the event is in.
    pub calendar_name: String,
    /// The event's uid, as returned by list or create.
    pub event_uid: String,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct DeleteEventArgs {
    /// Calendar id or display name the event is in.
    pub calendar_name: String,
    /// The event's uid, as returned by list or create.
    pub event_uid: String,
    /// Only delete if the event still has this etag (from your last read).
    #[serde(default)]
    pub etag: Option<String>,
}

fn event_text(verb: &str, e: &Event) -> String {
    format!(
        "{verb} {} (uid {}, etag {})",
        event_line(e),
        e.uid,
        e.etag.as_deref().unwrap_or("unknown")
    )
}

#[tool_router(router = events_router, vis = "pub(super)")]
impl NextcloudMcp {
    #[tool(
        name = "nc_calendar_get_event",
        input_schema = crate::adapters::mcp::schema::input::<EventRefArgs>("nc_calendar_get_event"),
        description = "Get one event with every field (recurrence rule, exceptions, reminders, attendees) and its etag.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn get_event(
        &self,
        Parameters(args): Parameters<EventRefArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let nc = self.nextcloud(&request).await?;
        let calendars = nc.list_calendars().await.or_fail()?;
        let calendar = pick_calendar(&calendars, &args.calendar_name, Some(ComponentKind::Event))?;
        let event = nc
            .get_event(&calendar.name, args.event_uid.trim())
            .await
            .or_fail()?;
        Ok(success(&event, event_text("Event", &event)))
    }

    #[tool(
        name = "nc_calendar_create_event",
        input_schema = crate::adapters::mcp::schema::input::<CreateEventArgs>("nc_calendar_create_event"),
        description = "Create an event: timed (ISO 8601 with offset, or local time plus timezone) or all-day (dates), with location, description, categories, RRULE recurrence, reminders, attendees, status, priority, privacy and url.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn create_event(
        &self,
        Parameters(args): Parameters<CreateEventArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let draft = draft(&args.title, &args.fields)?;
        let nc = self.nextcloud(&request).await?;
        let calendars = nc.list_calendars().await.or_fail()?;
        let calendar = pick_calendar(&calendars, &args.calendar_name, Some(ComponentKind::Event))?;
        let event = nc.create_event(&calendar.name, &draft).await.or_fail()?;
        Ok(success(&event, event_text("Created", &event)))
    }

    #[tool(
        name = "nc_calendar_update_event",
        input_schema = crate::adapters::mcp::schema::input::<UpdateEventArgs>("nc_calendar_update_event"),
        description = "Change any fields of an event; everything not given (including properties other apps added) stays as it was. Use \"\" to clear a text field. Pass etag from your last read to refuse overwriting someone else's change.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn update_event(
        &self,
        Parameters(args): Parameters<UpdateEventArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let nc = self.nextcloud(&request).await?;
        let calendars = nc.list_calendars().await.or_fail()?;
        let calendar = pick_calendar(&calendars, &args.calendar_name, Some(ComponentKind::Event))?;
        let uid = args.event_uid.trim();
        let current = nc.get_event(&calendar.name, uid).await.or_fail()?;
        let patch = patch(args.title.clone(), &args.fields, &current)?;
        if patch.is_empty() {
            return Err(failure(
                "nothing to change; give at least one field such as title or start_datetime",
            ));
        }
        let guard = args
            .etag
            .clone()
            .filter(|e| !e.trim().is_empty())
            .or(current.etag.clone());
        let event = nc
            .update_event(&calendar.name, uid, guard, &patch)
            .await
            .or_fail()?;
        Ok(success(&event, event_text("Updated", &event)))
    }

    #[tool(
        name = "nc_calendar_delete_event",
        input_schema = crate::adapters::mcp::schema::input::<DeleteEventArgs>("nc_calendar_delete_event"),
        description = "Delete an event (the whole series for a recurring one); it goes to Nextcloud's calendar trash bin.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn delete_event(
        &self,
        Parameters(args): Parameters<DeleteEventArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let nc = self.nextcloud(&request).await?;
        let calendars = nc.list_calendars().await.or_fail()?;
        let calendar = pick_calendar(&calendars, &args.calendar_name, Some(ComponentKind::Event))?;
        let etag = args.etag.clone().filter(|e| !e.trim().is_empty());
        nc.delete_event(&calendar.name, args.event_uid.trim(), etag)
            .await
            .or_fail()?;
        Ok(success(
            &serde_json::json!({ "deleted": args.event_uid, "calendar": calendar.name }),
            format!("Deleted event {} from {}", args.event_uid, calendar.name),
        ))
    }
}
