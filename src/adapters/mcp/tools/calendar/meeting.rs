//! `nc_calendar_create_meeting`: an event with attendees, organised by the
//! user, so Nextcloud's scheduling sends the invitations. Arguments are the
//! reference server's (a date, a time and a duration rather than two
//! timestamps); the event is written like any other, under the same
//! iCalendar checks.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars, tool, tool_router};
use serde::Deserialize;

use super::args::{EventFields, draft};
use super::support::{event_line, pick_calendar};
use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, failure, success};
use crate::domain::calendar::{Calendar, ComponentKind};

/// A meeting longer than a week is a mistake (use a recurring event).
const MAX_DURATION_MINUTES: i64 = 7 * 24 * 60;
const DEFAULT_DURATION_MINUTES: i64 = 60;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct CreateMeetingArgs {
    /// The meeting's title.
    pub title: String,
    /// The day, YYYY-MM-DD, e.g. "2026-12-10".
    pub date: String,
    /// The start time, HH:MM in the meeting's timezone, e.g. "14:30".
    pub time: String,
    /// Length in minutes (default 60, at most a week).
    #[serde(default)]
    pub duration_minutes: Option<i64>,
    /// Calendar id or display name; default: "personal" if you have it, else your first event calendar.
    #[serde(default)]
    pub calendar_name: Option<String>,
    /// Who to invite, comma-separated: "alice@example.com, Bob <bob@example.com>".
    #[serde(default)]
    pub attendees: Option<String>,
    /// Where it takes place (a room, or a call link).
    #[serde(default)]
    pub location: Option<String>,
    /// Agenda or notes.
    #[serde(default)]
    pub description: Option<String>,
    /// A reminder this many minutes before the start (none if omitted or 0).
    #[serde(default)]
    pub reminder_minutes: Option<i64>,
    /// IANA zone of date and time, e.g. "Europe/Berlin" (default UTC).
    #[serde(default)]
    pub timezone: Option<String>,
}

/// The named calendar, or the default one for new meetings.
fn meeting_calendar<'a>(
    calendars: &'a [Calendar],
    name: Option<&str>,
) -> Result<&'a Calendar, rmcp::model::CallToolResult> {
    if let Some(name) = name.map(str::trim).filter(|n| !n.is_empty()) {
        return pick_calendar(calendars, name, Some(ComponentKind::Event));
    }
    let events: Vec<&Calendar> = calendars
        .iter()
        .filter(|c| c.supports(ComponentKind::Event))
        .collect();
    events
        .iter()
        .find(|c| c.name == "personal")
        .or_else(|| events.first())
        .copied()
        .ok_or_else(|| {
            failure("you have no calendar for events; create one with nc_calendar_manage_calendar")
        })
}

#[tool_router(router = meeting_router, vis = "pub(super)")]
impl NextcloudMcp {
    #[tool(
        name = "nc_calendar_create_meeting",
        input_schema = crate::adapters::mcp::schema::input::<CreateMeetingArgs>("nc_calendar_create_meeting"),
        description = "Schedule a meeting: a date, a start time and a duration, with attendees. You are the organizer, and Nextcloud emails the invitations (if your account has an email address).",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn create_meeting(
        &self,
        Parameters(args): Parameters<CreateMeetingArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let minutes = args.duration_minutes.unwrap_or(DEFAULT_DURATION_MINUTES);
        if !(1..=MAX_DURATION_MINUTES).contains(&minutes) {
            return Err(failure(format!(
                "duration_minutes {minutes} is out of range; give 1 to {MAX_DURATION_MINUTES}"
            )));
        }
        let (date, time) = (args.date.trim(), args.time.trim());
        if date.contains('T') || time.contains(['+', 'Z', 'T']) {
            return Err(failure(
                "give date as YYYY-MM-DD and time as HH:MM; the zone goes in timezone",
            ));
        }
        let fields = EventFields {
            start_datetime: Some(format!("{date}T{time}")),
            all_day: Some(false),
            description: args.description.clone(),
            location: args.location.clone(),
            reminder_minutes: args.reminder_minutes,
            attendees: args.attendees.clone(),
            timezone: Some(args.timezone.clone().unwrap_or_else(|| "UTC".into())),
            ..EventFields::default()
        };
        let mut meeting = draft(&args.title, &fields)?;
        meeting.end = Some(meeting.start.shifted(chrono::Duration::minutes(minutes)));
        let nc = self.nextcloud(&request).await?;
        let organizer = if meeting.attendees.is_empty() {
            None
        } else {
            nc.current_user_organizer().await.or_fail()?
        };
        // Without the organizer's own address Nextcloud stores the
        // attendees but sends nothing: say so rather than pretend.
        let invited = organizer.is_some();
        meeting.organizer = organizer;
        let calendars = nc.list_calendars().await.or_fail()?;
        let calendar = meeting_calendar(&calendars, args.calendar_name.as_deref())?;
        let event = nc.create_event(&calendar.name, &meeting).await.or_fail()?;
        let mut text = format!(
            "Scheduled {} in '{}' (uid {})",
            event_line(&event),
            calendar.display_name,
            event.uid
        );
        if invited {
            text.push_str(&format!(
                "\nNextcloud invites {} attendee(s) by email",
                meeting.attendees.len()
            ));
        } else if !meeting.attendees.is_empty() {
            text.push_str(
                "\nNo invitations were sent: your Nextcloud account has no email address to send them from (set one in Personal settings); the attendees are listed on the event",
            );
        }
        let mut structured = serde_json::to_value(&event).or_fail()?;
        structured["calendar"] = serde_json::json!(calendar.name);
        structured["invitations_sent_by_nextcloud"] = serde_json::json!(invited);
        Ok(success(&structured, text))
    }
}
