//! End-to-end for the calendar, task and contacts tools: the server
//! in-process, rmcp's own client, a wiremock Nextcloud answering with the
//! real CalDAV/CardDAV captures. Every tool's happy path and its error paths.

use std::time::Duration;

use crate::support::dav::{BOOK_HOME, CAL_HOME, fresh_server};
use crate::support::e2e::*;
use crate::support::fixtures::load;
use serde_json::{Value, json};
use wiremock::matchers::{body_string_contains, header, method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

const EMPTY: &str = r#"<?xml version="1.0"?><d:multistatus xmlns:d="DAV:"/>"#;

async fn reply(
    nc: &MockServer,
    http_method: &str,
    pattern: &str,
    folder: &str,
    name: &str,
    priority: u8,
) {
    serve_capture_with_priority(nc, http_method, pattern, folder, name, priority).await;
}

/// A Nextcloud with calendars, tasks and contacts from the captures.
async fn nextcloud() -> MockServer {
    let nc = fresh_server().await;
    reply(
        &nc,
        "PROPFIND",
        "^/.well-known/caldav$",
        "caldav",
        "01-well-known-redirect",
        5,
    )
    .await;
    reply(
        &nc,
        "PROPFIND",
        "^/.well-known/carddav$",
        "carddav",
        "01-well-known-redirect",
        5,
    )
    .await;
    reply(
        &nc,
        "PROPFIND",
        "^/remote.php/dav/$",
        "caldav",
        "03-current-user-principal",
        5,
    )
    .await;
    for (needle, folder, name) in [
        (
            "calendar-home-set",
            "caldav",
            "04-principal-calendar-home-set",
        ),
        (
            "addressbook-home-set",
            "carddav",
            "02-principal-addressbook-home-set",
        ),
    ] {
        Mock::given(method("PROPFIND"))
            .and(path("/remote.php/dav/principals/users/admin/"))
            .and(body_string_contains(needle))
            .respond_with(load(folder, name).response.template())
            .mount(&nc)
            .await;
    }
    reply(
        &nc,
        "PROPFIND",
        &format!("^{CAL_HOME}$"),
        "caldav",
        "08-list-calendars",
        5,
    )
    .await;
    reply(
        &nc,
        "PROPFIND",
        &format!("^{BOOK_HOME}$"),
        "carddav",
        "04-list-addressbooks",
        5,
    )
    .await;
    // Calendars and address books without captured content are empty.
    for collection in ["calendars/admin", "addressbooks/users/admin"] {
        Mock::given(method("REPORT"))
            .and(path_regex(format!("^/remote.php/dav/{collection}/[^/]+/$")))
            .respond_with(
                ResponseTemplate::new(207).set_body_raw(EMPTY, "application/xml; charset=utf-8"),
            )
            .with_priority(10)
            .mount(&nc)
            .await;
    }
    let events = "^/remote.php/dav/calendars/admin/fixture-events/";
    let tasks = "^/remote.php/dav/calendars/admin/fixture-tasks/";
    let book = "^/remote.php/dav/addressbooks/users/admin/fixture-contacts/";
    reply(
        &nc,
        "REPORT",
        &format!("{events}$"),
        "caldav",
        "20-report-calendar-query-time-range",
        1,
    )
    .await;
    reply(
        &nc,
        "REPORT",
        &format!("{tasks}$"),
        "caldav",
        "23-report-todos-open",
        1,
    )
    .await;
    reply(
        &nc,
        "REPORT",
        &format!("{book}$"),
        "carddav",
        "13-report-multiget",
        1,
    )
    .await;
    reply(
        &nc,
        "PUT",
        "^/remote.php/dav/calendars/admin/[^/]+/[^/]+\\.ics$",
        "caldav",
        "09-put-event",
        6,
    )
    .await;
    reply(
        &nc,
        "PUT",
        &format!("{tasks}[^/]+\\.ics$"),
        "caldav",
        "14-put-todo",
        5,
    )
    .await;
    reply(
        &nc,
        "PUT",
        &format!("{book}[^/]+\\.vcf$"),
        "carddav",
        "05-put-vcard3",
        5,
    )
    .await;
    Mock::given(method("PUT"))
        .and(header("If-Match", "\"stale-etag\""))
        .respond_with(
            load("caldav", "18-put-event-stale-if-match-412")
                .response
                .template(),
        )
        .with_priority(1)
        .mount(&nc)
        .await;
    reply(
        &nc,
        "DELETE",
        "\\.(ics|vcf)$",
        "caldav",
        "25-delete-event",
        5,
    )
    .await;
    reply(&nc, "DELETE", "/$", "caldav", "33-delete-calendar", 5).await;
    reply(&nc, "MKCALENDAR", "/$", "caldav", "05-mkcalendar-events", 5).await;
    reply(&nc, "PROPPATCH", "/$", "caldav", "30-proppatch-calendar", 5).await;
    reply(&nc, "MKCOL", "/$", "carddav", "03-mkcol-addressbook", 5).await;
    nc
}

async fn ok(client: &Client, tool: &str, args: Value) -> Value {
    let result = call(client, tool, args).await;
    assert_ok(tool, &result)
}

async fn fails(client: &Client, tool: &str, args: Value, needle: &str) {
    let result = call(client, tool, args).await;
    assert_tool_error(tool, &result, needle);
}

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

#[tokio::test]
async fn task_tools_end_to_end() {
    let nc = nextcloud().await;
    let server = start_server(basic_config(&nc.uri(), Duration::from_secs(5))).await;
    let client = connect(&server).await;

    let open = ok(
        &client,
        "nc_calendar_list_todos",
        json!({"calendar_name": "Fixture tasks", "status": "open"}),
    )
    .await;
    assert_eq!(open["todos"][0]["summary"], "File taxes");
    assert_eq!(open["todos"][0]["due"], "2026-12-15T17:00:00Z");
    let found = ok(
        &client,
        "nc_calendar_search_todos",
        json!({"summary_contains": "taxes", "min_priority": 3}),
    )
    .await;
    assert_eq!(found["total"], 1);
    let due_soon = ok(
        &client,
        "nc_calendar_search_todos",
        json!({"due_before": "2026-12-01"}),
    )
    .await;
    assert_eq!(due_soon["total"], 0);

    let created = ok(&client, "nc_calendar_create_todo", json!({"calendar_name": "fixture-tasks", "summary": "Renew passport", "due": "2026-12-20", "priority": 2, "categories": "admin"})).await;
    assert_eq!(created["due"], "2026-12-20");
    let half = ok(&client, "nc_calendar_update_todo", json!({"calendar_name": "fixture-tasks", "todo_uid": "fixture-todo-0001", "percent_complete": 50, "status": "in-process"})).await;
    assert_eq!(half["percent_complete"], 50);
    assert_eq!(half["status"], "IN-PROCESS");
    let done = ok(&client, "nc_calendar_complete_todo", json!({"calendar_name": "fixture-tasks", "todo_uid": "fixture-todo-0001", "completed": "2026-12-01T12:00:00Z"})).await;
    assert_eq!(done["status"], "COMPLETED");
    assert_eq!(done["completed"], "2026-12-01T12:00:00Z");
    ok(
        &client,
        "nc_calendar_delete_todo",
        json!({"calendar_name": "fixture-tasks", "todo_uid": "fixture-todo-0001"}),
    )
    .await;

    fails(
        &client,
        "nc_calendar_create_todo",
        json!({"calendar_name": "personal", "summary": "x"}),
        "cannot hold VTODO items (it holds VEVENT); calendars that can: fixture-tasks",
    )
    .await;
    fails(
        &client,
        "nc_calendar_list_todos",
        json!({"calendar_name": "fixture-tasks", "status": "later"}),
        "is not one of NEEDS-ACTION",
    )
    .await;
    fails(&client, "nc_calendar_update_todo", json!({"calendar_name": "fixture-tasks", "todo_uid": "fixture-todo-0001", "percent_complete": 120}), "0 to 100").await;
    fails(
        &client,
        "nc_calendar_update_todo",
        json!({"calendar_name": "fixture-tasks", "todo_uid": "fixture-todo-0001"}),
        "nothing to change",
    )
    .await;
    fails(
        &client,
        "nc_calendar_complete_todo",
        json!({"calendar_name": "fixture-tasks", "todo_uid": "nope"}),
        "task 'nope' in calendar 'fixture-tasks' does not exist",
    )
    .await;
    fails(&client, "nc_calendar_update_todo", json!({"calendar_name": "fixture-tasks", "todo_uid": "fixture-todo-0001", "summary": "x", "etag": "\"stale-etag\""}), "changed by someone else").await;

    server.shutdown().await;
}

#[tokio::test]
async fn contacts_tools_end_to_end() {
    let nc = nextcloud().await;
    let server = start_server(basic_config(&nc.uri(), Duration::from_secs(5))).await;
    let client = connect(&server).await;

    let books = ok(&client, "nc_contacts_list_addressbooks", json!({})).await;
    assert_eq!(books["addressbooks"].as_array().unwrap().len(), 4);
    let listed = ok(
        &client,
        "nc_contacts_list_contacts",
        json!({"addressbook": "Fixture contacts", "limit": 1, "offset": 1}),
    )
    .await;
    assert_eq!(listed["total"], 2);
    assert_eq!(listed["contacts"][0]["full_name"], "Carol Exämple");
    let found = ok(
        &client,
        "nc_contacts_search_contacts",
        json!({"query": "bob"}),
    )
    .await;
    assert_eq!(found["total"], 1);
    assert_eq!(found["contacts"][0]["uid"], "fixture-card-0001");

    let bob = ok(
        &client,
        "nc_contacts_get_contact",
        json!({"addressbook": "fixture-contacts", "uid": "fixture-card-0001"}),
    )
    .await;
    assert_eq!(bob["organization"], "Example BV");
    assert_eq!(bob["phones"][0]["value"], "+31 6 1234 5678");
    let created = ok(&client, "nc_contacts_create_contact", json!({"addressbook": "fixture-contacts", "uid": "new-1", "contact_data": {"fn": "Dora", "email": "dora@example.test"}})).await;
    assert_eq!(created["full_name"], "Dora");
    let updated = ok(&client, "nc_contacts_update_contact", json!({"addressbook": "fixture-contacts", "uid": "fixture-card-0001", "contact_data": {"note": "updated"}})).await;
    assert_eq!(updated["note"], "updated");
    assert_eq!(
        updated["organization"], "Example BV",
        "fields not mentioned survive"
    );
    ok(
        &client,
        "nc_contacts_delete_contact",
        json!({"addressbook": "fixture-contacts", "uid": "fixture-card-0001"}),
    )
    .await;
    ok(
        &client,
        "nc_contacts_create_addressbook",
        json!({"name": "fixture-contacts", "display_name": "Fixture contacts"}),
    )
    .await;
    ok(
        &client,
        "nc_contacts_delete_addressbook",
        json!({"name": "Fixture contacts"}),
    )
    .await;

    fails(
        &client,
        "nc_contacts_list_contacts",
        json!({"addressbook": "Friends"}),
        "no address book named 'Friends'; the address books are: contacts (\"Contacts\")",
    )
    .await;
    fails(
        &client,
        "nc_contacts_create_contact",
        json!({"addressbook": "contacts", "contact_data": {"shoe_size": 44}}),
        "unknown field 'shoe_size'",
    )
    .await;
    fails(
        &client,
        "nc_contacts_create_contact",
        json!({"addressbook": "contacts", "contact_data": {"note": "no name"}}),
        "needs a name",
    )
    .await;
    fails(
        &client,
        "nc_contacts_get_contact",
        json!({"addressbook": "fixture-contacts", "uid": "nope"}),
        "contact 'nope' in address book 'fixture-contacts' does not exist",
    )
    .await;
    fails(&client, "nc_contacts_update_contact", json!({"addressbook": "fixture-contacts", "uid": "fixture-card-0001", "contact_data": {"note": "x"}, "etag": "\"stale-etag\""}), "changed by someone else").await;
    fails(
        &client,
        "nc_contacts_create_addressbook",
        json!({"name": "a/b"}),
        "cannot be a collection name",
    )
    .await;
    fails(
        &client,
        "nc_contacts_search_contacts",
        json!({"query": " "}),
        "query is empty",
    )
    .await;

    server.shutdown().await;
}

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

/// How many writes (PUT, DELETE) Nextcloud received.
async fn none_changed(nc: &MockServer) -> usize {
    nc.received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| ["PUT", "DELETE"].contains(&r.method.as_str()))
        .count()
}

#[tokio::test]
async fn bulk_operations_preview_by_default_and_apply_on_request() {
    let nc = nextcloud().await;
    let server = start_server(basic_config(&nc.uri(), Duration::from_secs(5))).await;
    let client = connect(&server).await;
    let range = json!({"calendar_name": "fixture-events", "start_date": "2026-11-01", "end_date": "2026-12-31"});
    let with = |extra: Value| {
        let mut args = range.clone();
        args.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        args
    };

    let preview = ok(
        &client,
        "nc_calendar_bulk_operations",
        with(json!({"operation": "delete", "title_contains": "team SYNC"})),
    )
    .await;
    assert_eq!(preview["dry_run"], true);
    assert_eq!(
        preview["matched"], 1,
        "a series with an override counts once"
    );
    assert_eq!(preview["events"][0]["uid"], "fixture-weekly-0001");
    assert_eq!(none_changed(&nc).await, 0, "a dry run changes nothing");

    let by_location = ok(&client, "nc_calendar_bulk_operations", with(json!({"operation": "update", "location_contains": "main street", "new_location": "Room 2"}))).await;
    assert_eq!(by_location["events"][0]["uid"], "fixture-simple-0001");
    let by_category = ok(
        &client,
        "nc_calendar_bulk_operations",
        with(json!({"operation": "delete", "categories": "Meeting"})),
    )
    .await;
    assert_eq!(by_category["matched"], 1);

    let applied = ok(
        &client,
        "nc_calendar_bulk_operations",
        with(json!({"operation": "delete", "title_contains": "Dentist", "dry_run": false})),
    )
    .await;
    assert_eq!(applied["done"][0]["uid"], "fixture-simple-0001");
    assert_eq!(none_changed(&nc).await, 1);

    for (extra, needle) in [
        (
            json!({"operation": "update", "title_contains": "x"}),
            "update needs at least one of",
        ),
        (
            json!({"operation": "move", "title_contains": "x"}),
            "not supported",
        ),
        (
            json!({"operation": "delete", "title_contains": "x", "apply_to_series": false}),
            "single instances",
        ),
        (
            json!({"operation": "delete", "title_contains": "e", "max_events": 1}),
            "more than max_events 1",
        ),
        (
            json!({"operation": "delete", "title_contains": "e", "max_events": 500}),
            "max_events must be from 1 to 200",
        ),
        (
            json!({"operation": "update", "title_contains": "Dentist", "new_location": "A\r\nATTENDEE:mailto:x@evil.test", "dry_run": false}),
            "control character",
        ),
    ] {
        fails(&client, "nc_calendar_bulk_operations", with(extra), needle).await;
    }
    fails(
        &client,
        "nc_calendar_bulk_operations",
        json!({"operation": "delete"}),
        "give a filter",
    )
    .await;
    assert_eq!(
        none_changed(&nc).await,
        1,
        "refused operations change nothing"
    );
    server.shutdown().await;
}
