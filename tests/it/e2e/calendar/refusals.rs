//! Hostile text and out-of-range values through the real tool surface.

use super::{fails, nextcloud};
use std::time::Duration;

use crate::support::e2e::*;
use serde_json::{Value, json};

/// Hostile text through the real tool surface: every attack is refused with
/// what is wrong and what is allowed, and nothing of it reaches Nextcloud.
#[tokio::test]
async fn injected_lines_and_out_of_range_values_are_refused() {
    let nc = nextcloud().await;
    let server = start_server(basic_config(&nc.uri(), Duration::from_secs(5))).await;
    let client = connect(&server).await;
    let event = |extra: Value| {
        let mut args = json!({"calendar_name": "fixture-events", "title": "Sync", "start_datetime": "2026-12-03T10:00:00Z"});
        args.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        args
    };
    let evil_url = "https://a.example/\r\nATTENDEE;CN=Evil:mailto:victim@example.com";
    for (args, needle) in [
        (
            event(json!({"url": evil_url})),
            "url contains the control character U+000D",
        ),
        (
            event(json!({"url": "javascript:alert(1)"})),
            "is not an http(s) URL",
        ),
        (
            event(json!({"attendees": "victim@example.com\rX"})),
            "is not an email address",
        ),
        (
            event(json!({"location": "Room 1\nATTENDEE:mailto:victim@example.com"})),
            "location contains the control character U+000A",
        ),
        (
            event(json!({"title": "x".repeat(600)})),
            "title is 600 characters; the limit is 500",
        ),
        (
            event(json!({"reminder_minutes": i64::MAX})),
            "at most a year",
        ),
        (event(json!({"reminders": [i64::MIN]})), "at most a year"),
        (
            event(json!({"start_datetime": "-0001-01-01"})),
            "calendars take years 1 to 9999",
        ),
    ] {
        fails(&client, "nc_calendar_create_event", args, needle).await;
    }
    fails(&client, "nc_calendar_update_event", json!({"calendar_name": "fixture-events", "event_uid": "fixture-simple-0001", "url": evil_url}), "control character").await;
    fails(
        &client,
        "nc_calendar_create_todo",
        json!({"calendar_name": "fixture-tasks", "summary": "Buy\r\nUID:x"}),
        "summary contains the control character",
    )
    .await;
    fails(
        &client,
        "nc_calendar_create_todo",
        json!({"calendar_name": "fixture-tasks", "summary": "Buy", "reminders": [i64::MIN]}),
        "at most a year",
    )
    .await;
    for (data, needle) in [
        (
            json!({"fn": "Mallory", "email": "m@example.com\r\nUID:x"}),
            "email contains the control character U+000D",
        ),
        (
            json!({"fn": "Mallory", "tel": "+1 555\nUID:x"}),
            "tel contains the control character",
        ),
        (
            json!({"fn": "Mallory", "url": "https://a.example/\r\nUID:x"}),
            "url contains the control character",
        ),
        (
            json!({"fn": "Mallory\r\nUID:x"}),
            "fn contains the control character",
        ),
        (
            json!({"fn": "Mallory", "email": "not an address"}),
            "expected one address such as alice@example.com",
        ),
    ] {
        fails(
            &client,
            "nc_contacts_create_contact",
            json!({"addressbook": "fixture-contacts", "contact_data": data.clone()}),
            needle,
        )
        .await;
        fails(&client, "nc_contacts_update_contact", json!({"addressbook": "fixture-contacts", "uid": "fixture-card-0001", "contact_data": data}), needle).await;
    }
    fails(&client, "nc_contacts_create_contact", json!({"addressbook": "fixture-contacts", "uid": "a\r\nUID:x", "contact_data": {"fn": "Mallory"}}), "cannot be a contact uid").await;

    for request in nc.received_requests().await.unwrap_or_default() {
        let body = String::from_utf8_lossy(&request.body);
        assert!(
            !body.contains("CN=Evil") && !body.contains("UID:x") && !body.contains("victim"),
            "an attack reached Nextcloud: {} {}",
            request.method,
            request.url
        );
    }
    server.shutdown().await;
}
