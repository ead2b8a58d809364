//! Meetings with attendees: organised by the user, so Nextcloud sends the
//! invitations, or said plainly when the user has no address to send from.

use super::{fails, nextcloud, ok};
use std::time::Duration;

use crate::support::e2e::*;
use crate::support::fixtures::load;
use serde_json::json;
use wiremock::MockServer;

/// The ICS bodies of the event PUTs Nextcloud received, unfolded.
async fn put_events(nc: &MockServer) -> Vec<String> {
    nc.received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.method.as_str() == "PUT" && r.url.path().ends_with(".ics"))
        .map(|r| String::from_utf8_lossy(&r.body).replace("\r\n ", ""))
        .collect()
}

/// The captured current user (no email address), optionally given one.
async fn mount_current_user(nc: &MockServer, email: Option<&str>) {
    let mut user = load("ocs-capabilities", "06-current-user-v2")
        .response
        .body_json();
    if let Some(email) = email {
        user["ocs"]["data"]["email"] = json!(email);
        user["ocs"]["data"]["display-name"] = json!("Ad Min");
    }
    mount_json_reply(nc, "GET", "^/ocs/v2.php/cloud/user$", 200, user).await;
}

#[tokio::test]
async fn meetings_are_organised_by_the_user_so_nextcloud_invites() {
    let nc = nextcloud().await;
    mount_current_user(&nc, Some("admin@example.test")).await;
    let server = start_server(basic_config(&nc.uri(), Duration::from_secs(5))).await;
    let client = connect(&server).await;

    let meeting = ok(
        &client,
        "nc_calendar_create_meeting",
        json!({
            "title": "Planning", "date": "2026-12-10", "time": "14:30", "duration_minutes": 30,
            "attendees": "alice@example.test, Bob <bob@example.test>", "location": "Room 1",
            "timezone": "Europe/Berlin", "reminder_minutes": 10
        }),
    )
    .await;
    assert_eq!(meeting["calendar"], "personal");
    assert_eq!(meeting["invitations_sent_by_nextcloud"], true);
    assert_eq!(meeting["start"], "2026-12-10T14:30:00+01:00");
    assert_eq!(meeting["end"], "2026-12-10T15:00:00+01:00");
    let puts = put_events(&nc).await;
    assert_eq!(puts.len(), 1);
    let ics = &puts[0];
    assert!(
        ics.contains("ORGANIZER;CN=\"Ad Min\":mailto:admin@example.test\r\n"),
        "{ics}"
    );
    assert!(ics.contains(":mailto:alice@example.test\r\n"), "{ics}");
    assert!(ics.contains("ATTENDEE;CN=Bob;"), "{ics}");
    assert!(ics.contains("RSVP=TRUE"), "{ics}");
    assert!(
        ics.contains("DTSTART;TZID=Europe/Berlin:20261210T143000"),
        "{ics}"
    );
    assert!(
        ics.contains("DTEND;TZID=Europe/Berlin:20261210T150000"),
        "{ics}"
    );
    assert!(ics.contains("TRIGGER;RELATED=START:-PT10M"), "{ics}");

    for (args, needle) in [
        (
            json!({"title": "x", "date": "2026-12-10", "time": "14:30", "duration_minutes": 0}),
            "duration_minutes 0 is out of range",
        ),
        (
            json!({"title": "x", "date": "2026-12-10", "time": "14:30+01:00"}),
            "the zone goes in timezone",
        ),
        (
            json!({"title": "x", "date": "tomorrow", "time": "14:30"}),
            "not an ISO 8601",
        ),
        (
            json!({"title": "x", "date": "2026-12-10", "time": "14:30", "attendees": "victim@example.test\r\nATTENDEE:mailto:evil@example.test"}),
            "not an email address",
        ),
        (
            json!({"title": "x\r\nORGANIZER:mailto:evil@example.test", "date": "2026-12-10", "time": "14:30"}),
            "control character",
        ),
        (
            json!({"title": "x", "date": "2026-12-10", "time": "14:30", "calendar_name": "Work"}),
            "no calendar named 'Work'",
        ),
    ] {
        fails(&client, "nc_calendar_create_meeting", args, needle).await;
    }
    assert_eq!(
        put_events(&nc).await.len(),
        1,
        "refused meetings reach nothing"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn a_meeting_without_the_users_address_says_nobody_was_invited() {
    let nc = nextcloud().await;
    mount_current_user(&nc, None).await;
    let server = start_server(basic_config(&nc.uri(), Duration::from_secs(5))).await;
    let client = connect(&server).await;
    let result = call(
        &client,
        "nc_calendar_create_meeting",
        json!({
            "title": "Planning", "date": "2026-12-10", "time": "09:00",
            "attendees": "alice@example.test", "calendar_name": "fixture-events"
        }),
    )
    .await;
    let meeting = assert_ok("nc_calendar_create_meeting", &result);
    assert_eq!(meeting["invitations_sent_by_nextcloud"], false);
    assert!(text_of(&result).contains("No invitations were sent"));
    let ics = &put_events(&nc).await[0];
    assert!(!ics.contains("ORGANIZER"), "{ics}");
    assert!(
        ics.contains("DTSTART;TZID=UTC:20261210T090000")
            || ics.contains("DTSTART:20261210T090000Z"),
        "{ics}"
    );
    server.shutdown().await;
}
