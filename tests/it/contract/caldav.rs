//! The CalDAV adapter against real Nextcloud 34 captures: it discovers like a
//! standards client, sends what the real server received, and understands
//! what the real server answered (404 propstats, ad-hoc prefixes, bare LF
//! and `&#13;` calendar data, deleted calendars).

use crate::support::dav::*;
use crate::support::fixtures::load;
use chrono::{TimeZone, Utc};
use nextcloud_mcp::domain::calendar::{
    CalendarDraft, CalendarPatch, ComponentKind, EventDraft, EventPatch,
};
use nextcloud_mcp::domain::caltime::{EventTime, TimeRange, parse_zone};
use nextcloud_mcp::domain::todos::{TodoFilter, TodoPatch};
use nextcloud_mcp::ports::nextcloud::{CalendarApi, NextcloudError};
use wiremock::MockServer;

const EVENTS: &str = "/remote.php/dav/calendars/admin/fixture-events/";
const TASKS: &str = "/remote.php/dav/calendars/admin/fixture-tasks/";

async fn server_with(captures: &[&str]) -> MockServer {
    let server = fresh_server().await;
    caldav_discovery(&server).await;
    for name in captures {
        serve(&server, &load("caldav", name)).await;
    }
    server
}

fn december() -> TimeRange {
    TimeRange::new(
        Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2026, 12, 10, 0, 0, 0).unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn discovers_the_calendar_home_through_well_known_and_the_principal() {
    let server = server_with(&["08-list-calendars"]).await;
    let calendars = session(&server).list_calendars().await.unwrap();
    assert!(!calendars.is_empty());

    let well_known = sent_to(&server, "PROPFIND", "/.well-known/caldav").await;
    assert_eq!(header(&well_known, "depth").as_deref(), Some("0"));
    let principal = sent_to(&server, "PROPFIND", "/remote.php/dav/").await;
    assert_same_xml(&principal, &load("caldav", "03-current-user-principal"));
    let home_set = sent_to(
        &server,
        "PROPFIND",
        "/remote.php/dav/principals/users/admin/",
    )
    .await;
    assert_same_xml(&home_set, &load("caldav", "04-principal-calendar-home-set"));
    assert!(
        header(&home_set, "authorization").is_some_and(|a| a.starts_with("Basic ")),
        "credential attached"
    );
}

#[tokio::test]
async fn without_a_well_known_redirect_it_falls_back_to_the_dav_root() {
    let server = fresh_server().await;
    // No rewrite: PHP's own 404 (capture 02), served for the PROPFIND too.
    let mut missing = load("caldav", "02-well-known-index-php");
    missing.request.method = "PROPFIND".into();
    missing.request.path = "/.well-known/caldav".into();
    serve(&server, &missing).await;
    for name in [
        "03-current-user-principal",
        "04-principal-calendar-home-set",
        "08-list-calendars",
    ] {
        serve(&server, &load("caldav", name)).await;
    }
    let calendars = session(&server).list_calendars().await.unwrap();
    assert_eq!(calendars.len(), 5);
}

#[tokio::test]
async fn lists_calendars_skipping_inbox_outbox_trash_and_404_propstats() {
    let server = server_with(&["08-list-calendars"]).await;
    let calendars = session(&server).list_calendars().await.unwrap();
    assert_same_xml(
        &sent_to(&server, "PROPFIND", CAL_HOME).await,
        &load("caldav", "08-list-calendars"),
    );

    let names: Vec<&str> = calendars.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "personal",
            "contact_birthdays",
            "fixture-events",
            "fixture-tasks",
            "app-generated--deck--board-1"
        ]
    );
    let personal = &calendars[0];
    assert_eq!(personal.display_name, "Personal");
    assert_eq!(personal.color.as_deref(), Some("#00679e"));
    assert_eq!(personal.components, vec!["VEVENT"]);
    assert_eq!(
        personal.description, None,
        "the empty 404 description is not a value"
    );
    assert_eq!(
        personal.sync_token.as_deref(),
        Some("http://sabre.io/ns/sync/5")
    );
    let events = &calendars[2];
    assert_eq!(
        events.description.as_deref(),
        Some("created by the fixture capture")
    );
    assert_eq!(calendars[3].components, vec!["VTODO"]);
    assert_eq!(
        calendars[4].sync_token, None,
        "deck calendar has no sync-token"
    );
}

#[tokio::test]
async fn a_calendar_in_the_trash_bin_is_not_listed() {
    let server = server_with(&["34-list-calendars-after-delete"]).await;
    let calendars = session(&server).list_calendars().await.unwrap();
    let names: Vec<&str> = calendars.iter().map(|c| c.name.as_str()).collect();
    assert!(!names.contains(&"fixture-tasks"), "{names:?}");
    assert!(names.contains(&"fixture-events"));
    assert_eq!(
        calendars
            .iter()
            .find(|c| c.name == "fixture-events")
            .unwrap()
            .display_name,
        "Fixture events (renamed)"
    );
}

#[tokio::test]
async fn creates_updates_and_deletes_calendars_as_captured() {
    let server = server_with(&[
        "06-mkcalendar-tasks",
        "30-proppatch-calendar",
        "33-delete-calendar",
    ])
    .await;
    let nc = session(&server);
    nc.create_calendar(&CalendarDraft {
        name: "fixture-tasks".into(),
        display_name: "Fixture tasks".into(),
        description: None,
        color: Some("#E9322D".into()),
        components: vec![ComponentKind::Todo],
    })
    .await
    .unwrap();
    assert_same_xml(
        &sent_to(&server, "MKCALENDAR", TASKS).await,
        &load("caldav", "06-mkcalendar-tasks"),
    );

    let patch = CalendarPatch {
        display_name: Some("Fixture events (renamed)".into()),
        color: Some("#FF7A66".into()),
        description: None,
    };
    nc.update_calendar("fixture-events", &patch).await.unwrap();
    assert_same_xml(
        &sent_to(&server, "PROPPATCH", EVENTS).await,
        &load("caldav", "30-proppatch-calendar"),
    );

    nc.delete_calendar("fixture-tasks").await.unwrap();
    let delete = sent_to(&server, "DELETE", TASKS).await;
    assert!(delete.body.is_empty());
}

#[tokio::test]
async fn mkcalendar_with_a_description_matches_capture_05_and_an_existing_one_is_reported() {
    let server = server_with(&["05-mkcalendar-events"]).await;
    let draft = CalendarDraft {
        name: "fixture-events".into(),
        display_name: "Fixture events".into(),
        description: Some("created by the fixture capture".into()),
        color: Some("#0082C9".into()),
        components: vec![ComponentKind::Event],
    };
    session(&server).create_calendar(&draft).await.unwrap();
    assert_same_xml(
        &sent_to(&server, "MKCALENDAR", EVENTS).await,
        &load("caldav", "05-mkcalendar-events"),
    );

    let server = server_with(&["07-mkcalendar-exists-405"]).await;
    let err = session(&server).create_calendar(&draft).await.unwrap_err();
    assert_eq!(
        err,
        NextcloudError::AlreadyExists("calendar 'fixture-events'".into())
    );
}

#[tokio::test]
async fn time_range_query_matches_capture_20_and_parses_bare_lf_data() {
    let server = server_with(&["20-report-calendar-query-time-range"]).await;
    let events = session(&server)
        .events_in_range("fixture-events", &december(), None)
        .await
        .unwrap();
    assert_same_xml(
        &sent_to(&server, "REPORT", EVENTS).await,
        &load("caldav", "20-report-calendar-query-time-range"),
    );

    assert_eq!(events.len(), 2);
    let simple = &events[0];
    assert_eq!(simple.uid, "fixture-simple-0001");
    assert_eq!(simple.title, "Dentist (rescheduled)");
    assert_eq!(simple.start.iso(), "2026-12-03T10:00:00Z");
    assert_eq!(simple.location.as_deref(), Some("Main Street 1"));
    assert_eq!(
        simple.etag.as_deref(),
        Some("\"091fceacc3a0e354112a5d503ce3250c\"")
    );

    let weekly = &events[1];
    let berlin = parse_zone("Europe/Berlin").unwrap();
    assert_eq!(
        weekly.start,
        EventTime::Zoned(
            chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
                .unwrap()
                .and_hms_opt(10, 0, 0)
                .unwrap(),
            berlin
        )
    );
    assert_eq!(weekly.start.iso(), "2026-12-01T10:00:00+01:00");
    assert_eq!(weekly.timezone.as_deref(), Some("Europe/Berlin"));
    assert_eq!(
        weekly.recurrence_rule.as_deref(),
        Some("FREQ=WEEKLY;COUNT=8;BYDAY=TU")
    );
    assert_eq!(weekly.exdates.len(), 1);
    assert_eq!(
        weekly.description.as_deref(),
        Some("Weekly planning, bring notes")
    );
    assert_eq!(weekly.categories, vec!["work", "meeting"]);
    assert_eq!(weekly.attendees[0].email, "alice@example.test");
    assert_eq!(weekly.attendees[0].name.as_deref(), Some("Alice Fixture"));
    assert_eq!(weekly.reminders[0].minutes_before, 15);
    assert_eq!(weekly.overrides.len(), 1);
    assert_eq!(weekly.overrides[0].title, "Team sync (moved)");
}

#[tokio::test]
async fn a_title_filter_is_sent_to_the_server_as_a_text_match() {
    let server = server_with(&["20-report-calendar-query-time-range"]).await;
    session(&server)
        .events_in_range("fixture-events", &december(), Some("dentist".into()))
        .await
        .unwrap();
    let body = xml_of(&sent_to(&server, "REPORT", EVENTS).await);
    assert!(body.contains(r#"<c:time-range start="20261201T000000Z" end="20261210T000000Z"/><c:prop-filter name="SUMMARY"><c:text-match collation="i;unicode-casemap">dentist</c:text-match></c:prop-filter>"#), "{body}");
}

#[tokio::test]
async fn reads_expanded_crlf_data_written_as_char_references() {
    let server = server_with(&["21-report-calendar-query-expand"]).await;
    let events = session(&server)
        .events_in_range("fixture-events", &december(), None)
        .await
        .unwrap();
    // Server-side expansion sends instances without a master: each stands alone.
    let weekly: Vec<_> = events
        .iter()
        .filter(|e| e.uid == "fixture-weekly-0001")
        .collect();
    let starts: Vec<String> = weekly.iter().map(|e| e.start.iso()).collect();
    assert_eq!(
        starts,
        vec![
            "2026-12-01T09:00:00Z",
            "2026-12-08T09:00:00Z",
            "2026-12-15T13:00:00Z",
            "2026-12-29T09:00:00Z"
        ]
    );
    assert!(weekly.iter().all(|e| e.recurrence_id.is_some()));
    assert_eq!(
        weekly[0].attendees[0].email, "alice@example.test",
        "a folded line is unfolded"
    );
    let allday = events
        .iter()
        .find(|e| e.uid == "fixture-allday-0001")
        .unwrap();
    assert!(allday.all_day && allday.transparent);
    assert_eq!(allday.start.iso(), "2026-12-24");
    assert_eq!(allday.end.unwrap().iso(), "2026-12-26");
}

#[tokio::test]
async fn creates_an_event_with_if_none_match_and_reads_the_etag() {
    let server = fresh_server().await;
    caldav_discovery(&server).await;
    let capture = load("caldav", "09-put-event");
    wiremock::Mock::given(wiremock::matchers::method("PUT"))
        .and(wiremock::matchers::path_regex(format!(
            "^{EVENTS}[^/]+\\.ics$"
        )))
        .respond_with(capture.response.template())
        .mount(&server)
        .await;
    let draft = EventDraft {
        title: "Dentist".into(),
        start: EventTime::Utc(Utc.with_ymd_and_hms(2026, 12, 3, 9, 0, 0).unwrap()),
        end: Some(EventTime::Utc(
            Utc.with_ymd_and_hms(2026, 12, 3, 9, 30, 0).unwrap(),
        )),
        description: None,
        location: Some("Main Street 1".into()),
        categories: vec![],
        recurrence_rule: None,
        reminders: vec![],
        attendees: vec![],
        status: None,
        priority: None,
        privacy: None,
        url: None,
        color: None,
        organizer: None,
    };
    let event = session(&server)
        .create_event("fixture-events", &draft)
        .await
        .unwrap();
    assert_eq!(
        event.etag.as_deref(),
        Some("\"543f3c79de09bef0ceb5046e5596ea77\"")
    );
    let put = sent(&server, "PUT").await.remove(0);
    assert_eq!(header(&put, "if-none-match").as_deref(), Some("*"));
    assert_eq!(
        header(&put, "content-type"),
        capture.request.header("Content-Type").map(str::to_string)
    );
    let body = String::from_utf8(put.body.clone()).unwrap();
    for line in [
        "SUMMARY:Dentist",
        "DTSTART:20261203T090000Z",
        "DTEND:20261203T093000Z",
        "LOCATION:Main Street 1",
        &format!("UID:{}", event.uid),
    ] {
        assert!(
            body.contains(&format!("{line}\r\n")),
            "{line} missing in\n{body}"
        );
    }
    assert!(put.url.path().ends_with(&format!("{}.ics", event.uid)));
}

#[tokio::test]
async fn an_update_is_guarded_by_if_match_and_a_stale_etag_is_a_conflict() {
    let server = server_with(&[
        "20-report-calendar-query-time-range",
        "18-put-event-stale-if-match-412",
    ])
    .await;
    let patch = EventPatch {
        title: Some("Dentist (rescheduled)".into()),
        ..EventPatch::default()
    };
    let stale = "\"543f3c79de09bef0ceb5046e5596ea77\"".to_string();
    let err = session(&server)
        .update_event(
            "fixture-events",
            "fixture-simple-0001",
            Some(stale.clone()),
            &patch,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, NextcloudError::Conflict(_)), "{err:?}");
    let put = sent(&server, "PUT").await.remove(0);
    assert_eq!(header(&put, "if-match"), Some(stale));
    assert_eq!(
        put.url.path(),
        load("caldav", "18-put-event-stale-if-match-412")
            .request
            .path
    );

    let server = server_with(&[
        "20-report-calendar-query-time-range",
        "17-put-event-update-if-match",
    ])
    .await;
    let updated = session(&server)
        .update_event("fixture-events", "fixture-simple-0001", None, &patch)
        .await
        .unwrap();
    assert_eq!(
        updated.etag.as_deref(),
        Some("\"091fceacc3a0e354112a5d503ce3250c\"")
    );
    let put = sent(&server, "PUT").await.remove(0);
    assert_eq!(
        header(&put, "if-match").as_deref(),
        Some("\"091fceacc3a0e354112a5d503ce3250c\""),
        "the ETag just read"
    );
}

#[tokio::test]
async fn a_missing_event_is_not_found_and_delete_uses_if_match() {
    let server = server_with(&["20-report-calendar-query-time-range"]).await;
    let err = session(&server)
        .get_event("fixture-events", "nope")
        .await
        .unwrap_err();
    assert_eq!(
        err,
        NextcloudError::NotFound("event 'nope' in calendar 'fixture-events'".into())
    );
    let query = xml_of(&sent_to(&server, "REPORT", EVENTS).await);
    assert!(query.contains(r#"<c:comp-filter name="VEVENT"><c:prop-filter name="UID"><c:text-match collation="i;octet">nope</c:text-match></c:prop-filter></c:comp-filter>"#), "{query}");

    let server = server_with(&["24-report-multiget"]).await;
    let capture = load("caldav", "25-delete-event");
    serve(&server, &capture).await;
    session(&server)
        .delete_event("fixture-events", "fixture-allday-0001", None)
        .await
        .unwrap();
    let delete = sent_to(&server, "DELETE", &capture.request.path).await;
    assert_eq!(
        header(&delete, "if-match").as_deref(),
        Some("\"00225b7d6f8e830f767c68ce848db40b\"")
    );
}

#[tokio::test]
async fn a_task_in_an_event_only_calendar_is_refused_with_the_servers_reason() {
    let server = fresh_server().await;
    caldav_discovery(&server).await;
    let capture = load("caldav", "13-put-todo-into-event-calendar-403");
    wiremock::Mock::given(wiremock::matchers::method("PUT"))
        .respond_with(capture.response.template())
        .mount(&server)
        .await;
    let draft = nextcloud_mcp::domain::todos::TodoDraft {
        summary: "File taxes".into(),
        description: None,
        status: None,
        priority: Some(1),
        due: None,
        dtstart: None,
        categories: vec![],
        reminders: vec![],
    };
    let err = session(&server)
        .create_todo("fixture-events", &draft)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        NextcloudError::Forbidden(Some(
            "iCalendar objects must at least have a component of type VEVENT".into()
        ))
    );
}

#[tokio::test]
async fn open_tasks_query_matches_capture_23_and_completion_is_written_in_place() {
    let server = server_with(&["23-report-todos-open", "15-put-todo-completed"]).await;
    let nc = session(&server);
    let open = TodoFilter {
        status: Some("OPEN".into()),
        ..TodoFilter::default()
    };
    let todos = nc.list_todos("fixture-tasks", &open).await.unwrap();
    assert_same_xml(
        &sent_to(&server, "REPORT", TASKS).await,
        &load("caldav", "23-report-todos-open"),
    );
    assert_eq!(todos.len(), 1);
    assert_eq!(todos[0].summary, "File taxes");
    assert_eq!(todos[0].priority, Some(1));
    assert_eq!(todos[0].due.unwrap().iso(), "2026-12-15T17:00:00Z");
    assert_eq!(todos[0].status, "NEEDS-ACTION");

    let server = fresh_server().await;
    caldav_discovery(&server).await;
    let mut query = load("caldav", "23-report-todos-open");
    query.request.path = TASKS.into();
    serve(&server, &query).await;
    let mut put = load("caldav", "15-put-todo-completed");
    put.request.path = format!("{TASKS}fixture-todo-0001.ics");
    serve(&server, &put).await;
    let done = EventTime::Utc(Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap());
    let todo = session(&server)
        .update_todo(
            "fixture-tasks",
            "fixture-todo-0001",
            None,
            &TodoPatch::complete(done),
        )
        .await
        .unwrap();
    assert_eq!(todo.status, "COMPLETED");
    assert_eq!(todo.percent_complete, Some(100));
    let sent_put = sent(&server, "PUT").await.remove(0);
    assert_eq!(
        header(&sent_put, "if-match").as_deref(),
        Some("\"5704e5fad0bf5bc17a3091051ff9a91e\"")
    );
    let body = String::from_utf8(sent_put.body.clone()).unwrap();
    for line in [
        "STATUS:COMPLETED",
        "PERCENT-COMPLETE:100",
        "COMPLETED:20261201T120000Z",
        "DUE:20261215T170000Z",
        "PRIORITY:1",
    ] {
        assert!(
            body.contains(&format!("{line}\r\n")),
            "{line} missing in\n{body}"
        );
    }
}
