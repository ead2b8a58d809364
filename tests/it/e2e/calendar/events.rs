//! The calendar tools: listing, reading, creating, updating and deleting
//! events, upcoming events, availability, managing calendars, and their
//! error paths.

use super::{fails, nextcloud, ok};
use std::time::Duration;

use crate::support::e2e::*;
use serde_json::json;

#[tokio::test]
async fn calendar_tools_end_to_end() {
    let nc = nextcloud().await;
    let server = start_server(basic_config(&nc.uri(), Duration::from_secs(5))).await;
    let client = connect(&server).await;

    let calendars = ok(&client, "nc_calendar_list_calendars", json!({})).await;
    assert_eq!(calendars["calendars"].as_array().unwrap().len(), 5);

    let listed = ok(&client, "nc_calendar_list_events", json!({"calendar_name": "Fixture events", "start_date": "2026-12-01", "end_date": "2026-12-30"})).await;
    let starts: Vec<&str> = listed["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["start"].as_str().unwrap())
        .collect();
    assert_eq!(
        starts,
        vec![
            "2026-12-01T10:00:00+01:00",
            "2026-12-03T10:00:00Z",
            "2026-12-08T10:00:00+01:00",
            "2026-12-15T14:00:00+01:00",
            "2026-12-29T10:00:00+01:00"
        ]
    );
    let filtered = ok(&client, "nc_calendar_list_events", json!({"start_date": "2026-12-01", "end_date": "2026-12-30", "title_contains": "moved", "search_all_calendars": true})).await;
    assert_eq!(filtered["total"], 1);
    ok(
        &client,
        "nc_calendar_get_upcoming_events",
        json!({"days_ahead": 60, "limit": 3}),
    )
    .await;

    let event = ok(
        &client,
        "nc_calendar_get_event",
        json!({"calendar_name": "fixture-events", "event_uid": "fixture-weekly-0001"}),
    )
    .await;
    assert_eq!(event["recurrence_rule"], "FREQ=WEEKLY;COUNT=8;BYDAY=TU");
    assert_eq!(event["timezone"], "Europe/Berlin");
    assert_eq!(event["reminders"][0]["minutes_before"], 15);

    let created = ok(&client, "nc_calendar_create_event", json!({
        "calendar_name": "fixture-events", "title": "Dentist", "start_datetime": "2026-12-03T10:00",
        "timezone": "Europe/Berlin", "reminder_minutes": 15, "attendees": "alice@example.test",
        "recurrence_rule": "FREQ=WEEKLY;COUNT=2", "categories": "health", "privacy": "private"
    }))
    .await;
    assert_eq!(created["start"], "2026-12-03T10:00:00+01:00");
    assert_eq!(created["end"], "2026-12-03T11:00:00+01:00");
    assert_eq!(created["etag"], "\"543f3c79de09bef0ceb5046e5596ea77\"");
    ok(&client, "nc_calendar_create_event", json!({"calendar_name": "personal", "title": "Holidays", "start_datetime": "2026-12-24", "end_datetime": "2026-12-26"})).await;

    let updated = ok(&client, "nc_calendar_update_event", json!({"calendar_name": "fixture-events", "event_uid": "fixture-simple-0001", "location": "Room 1"})).await;
    assert_eq!(updated["location"], "Room 1");
    assert_eq!(updated["title"], "Dentist (rescheduled)");
    ok(
        &client,
        "nc_calendar_delete_event",
        json!({"calendar_name": "fixture-events", "event_uid": "fixture-simple-0001"}),
    )
    .await;

    let free = ok(&client, "nc_calendar_find_availability", json!({"duration_minutes": 60, "date_range_start": "2026-12-01", "date_range_end": "2026-12-01", "timezone": "Europe/Berlin"})).await;
    let slots: Vec<(&str, &str)> = free["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["start"].as_str().unwrap(), s["end"].as_str().unwrap()))
        .collect();
    assert_eq!(
        slots,
        vec![
            ("2026-12-01T09:00:00+01:00", "2026-12-01T10:00:00+01:00"),
            ("2026-12-01T11:00:00+01:00", "2026-12-01T17:00:00+01:00")
        ]
    );

    ok(&client, "nc_calendar_manage_calendar", json!({"action": "create", "calendar_name": "work-2027", "display_name": "Work", "color": "#0082C9", "components": "VEVENT"})).await;
    ok(
        &client,
        "nc_calendar_manage_calendar",
        json!({"action": "update", "calendar_name": "Fixture events", "display_name": "Renamed"}),
    )
    .await;
    ok(
        &client,
        "nc_calendar_manage_calendar",
        json!({"action": "delete", "calendar_name": "fixture-tasks"}),
    )
    .await;

    // Error paths: what was expected, and what exists.
    fails(
        &client,
        "nc_calendar_list_events",
        json!({"calendar_name": "Work"}),
        "no calendar named 'Work'; the calendars are: personal (\"Personal\")",
    )
    .await;
    fails(
        &client,
        "nc_calendar_create_event",
        json!({"calendar_name": "personal", "title": "x", "start_datetime": "next tuesday"}),
        "not an ISO 8601 date",
    )
    .await;
    fails(
        &client,
        "nc_calendar_create_event",
        json!({"calendar_name": "personal", "title": "x", "start_datetime": "2026-12-03T10:00"}),
        "has no time zone",
    )
    .await;
    fails(&client, "nc_calendar_create_event", json!({"calendar_name": "personal", "title": "x", "start_datetime": "2026-12-03T10:00:00Z", "timezone": "Mars/Base"}), "not an IANA time zone").await;
    fails(&client, "nc_calendar_create_event", json!({"calendar_name": "personal", "title": "x", "start_datetime": "2026-12-03T10:00:00Z", "recurrence_rule": "FREQ=SOMETIMES"}), "not a valid RFC 5545 RRULE").await;
    fails(&client, "nc_calendar_create_event", json!({"calendar_name": "personal", "title": "x", "start_datetime": "2026-12-03T10:00:00Z", "end_datetime": "2026-12-03T09:00:00Z"}), "is not after the start").await;
    fails(&client, "nc_calendar_update_event", json!({"calendar_name": "fixture-events", "event_uid": "fixture-simple-0001", "title": "New", "etag": "\"stale-etag\""}), "changed by someone else").await;
    fails(
        &client,
        "nc_calendar_get_event",
        json!({"calendar_name": "fixture-events", "event_uid": "nope"}),
        "event 'nope' in calendar 'fixture-events' does not exist",
    )
    .await;
    fails(
        &client,
        "nc_calendar_manage_calendar",
        json!({"action": "rename", "calendar_name": "x"}),
        "not one of create, update, delete",
    )
    .await;
    fails(
        &client,
        "nc_calendar_find_availability",
        json!({"duration_minutes": 1}),
        "between 5 and 1440",
    )
    .await;

    server.shutdown().await;
}
