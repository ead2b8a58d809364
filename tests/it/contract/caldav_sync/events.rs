//! Repeated event listings through sync-collection, against the Nextcloud
//! 34 captures: the first listing is the server-filtered calendar-query (with
//! the collection's sync-token read first, capture 29), the same listing
//! again is a sync-collection from that token (captures 27, 28) plus a
//! calendar-multiget of what changed (capture 24). An unknown token, an error
//! or a write through this server lists in full again. Default listings (no
//! explicit start) within one minute are the same listing.

use crate::support::dav::*;
use crate::support::e2e::{assert_ok, basic_config, call, connect, start_server};
use crate::support::fixtures::{Exchange, load};
use chrono::{TimeZone, Utc};
use nextcloud_mcp::domain::calendar::{Event, EventDraft};
use nextcloud_mcp::domain::caltime::{EventTime, TimeRange};
use nextcloud_mcp::domain::recurrence::occurrences;
use nextcloud_mcp::ports::nextcloud::CalendarApi;
use serde_json::json;
use wiremock::matchers::{body_string_contains, method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

const EVENTS: &str = "/remote.php/dav/calendars/admin/fixture-events/";
const SIMPLE: &str = "/remote.php/dav/calendars/admin/fixture-events/fixture-simple-0001.ics";

fn december() -> TimeRange {
    TimeRange::new(
        Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap(),
    )
    .unwrap()
}

fn body(exchange: &Exchange) -> String {
    String::from_utf8(exchange.response.body.clone()).unwrap()
}

/// The calendar as it was at sync token 4 (capture 16): the all-day event,
/// the simple event before its update, the weekly series; taken from the
/// replies of captures 20 and 24.
fn listing_at_token_4() -> String {
    let multiget = body(&load("caldav", "24-report-multiget"));
    let start = multiget
        .find("<d:response><d:href>/remote.php/dav/calendars/admin/fixture-events/fixture-allday")
        .unwrap();
    let end = start + multiget[start..].find("</d:response>").unwrap() + "</d:response>".len();
    let allday = &multiget[start..end];
    let query = body(&load("caldav", "20-report-calendar-query-time-range"))
        .replace(
            "091fceacc3a0e354112a5d503ce3250c",
            "543f3c79de09bef0ceb5046e5596ea77",
        )
        .replace("SUMMARY:Dentist (rescheduled)", "SUMMARY:Dentist");
    let open = query.find("<d:response>").unwrap();
    format!("{}{allday}{}", &query[..open], &query[open..])
}

fn with_body(mut exchange: Exchange, body: String) -> Exchange {
    exchange.response.body = body.into_bytes();
    exchange
}

async fn report(server: &MockServer, kind: &str, reply: ResponseTemplate) {
    Mock::given(method("REPORT"))
        .and(path(EVENTS))
        .and(body_string_contains(kind))
        .respond_with(reply)
        .mount(server)
        .await;
}

/// A server whose calendar is at `token`, listing `listing` for any
/// calendar-query, answering sync-collection with `sync` and multigets with
/// capture 24.
async fn server(token: &str, listing: String, sync: ResponseTemplate) -> MockServer {
    let server = fresh_server().await;
    caldav_discovery(&server).await;
    let propfind = load("caldav", "29-propfind-calendar-depth0");
    let at_token = body(&propfind).replace("http://sabre.io/ns/sync/6", token);
    serve(&server, &with_body(propfind, at_token)).await;
    let query = load("caldav", "20-report-calendar-query-time-range");
    report(
        &server,
        "calendar-query",
        with_body(query, listing).response.template(),
    )
    .await;
    report(&server, "sync-collection", sync).await;
    report(
        &server,
        "calendar-multiget",
        load("caldav", "24-report-multiget").response.template(),
    )
    .await;
    server
}

async fn reports(server: &MockServer, kind: &str) -> Vec<wiremock::Request> {
    sent(server, "REPORT")
        .await
        .into_iter()
        .filter(|r| String::from_utf8_lossy(&r.body).contains(kind))
        .collect()
}

fn uids_and_titles(events: &[Event]) -> Vec<(String, String)> {
    let mut out: Vec<_> = events
        .iter()
        .map(|e| (e.uid.clone(), e.title.clone()))
        .collect();
    out.sort();
    out
}

fn instances(events: &[Event]) -> Vec<String> {
    let mut out: Vec<String> = events
        .iter()
        .flat_map(|e| occurrences(e, &december()).unwrap())
        .map(|e| format!("{} {}", e.start.iso(), e.title))
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn a_second_listing_syncs_and_reflects_a_changed_and_a_deleted_event() {
    let sync = load("caldav", "27-sync-collection-incremental");
    let server = server(
        "http://sabre.io/ns/sync/4",
        listing_at_token_4(),
        sync.response.template(),
    )
    .await;
    let nc = session(&server);

    let first = nc
        .events_in_range("fixture-events", &december(), None)
        .await
        .unwrap();
    assert_eq!(
        uids_and_titles(&first),
        vec![
            ("fixture-allday-0001".into(), "Holidays".into()),
            ("fixture-simple-0001".into(), "Dentist".into()),
            ("fixture-weekly-0001".into(), "Team sync".into()),
        ]
    );
    let propfind = sent_to(&server, "PROPFIND", EVENTS).await;
    assert_eq!(header(&propfind, "depth").as_deref(), Some("0"));

    let second = nc
        .events_in_range("fixture-events", &december(), None)
        .await
        .unwrap();
    assert_eq!(
        reports(&server, "calendar-query").await.len(),
        1,
        "no second query"
    );
    let syncs = reports(&server, "sync-collection").await;
    assert_eq!(syncs.len(), 1);
    assert_same_xml(&syncs[0], &sync);
    let multigets = reports(&server, "calendar-multiget").await;
    assert_eq!(multigets.len(), 1, "only the changed object is fetched");
    assert_eq!(header(&multigets[0], "depth").as_deref(), Some("1"));
    let asked = xml_of(&multigets[0]);
    assert!(
        asked.contains(&format!("<d:href>{SIMPLE}</d:href>")),
        "{asked}"
    );
    assert!(!asked.contains("fixture-allday"), "{asked}");
    assert!(
        asked.contains("<d:prop><d:getetag/><c:calendar-data/></d:prop>"),
        "{asked}"
    );

    assert_eq!(
        uids_and_titles(&second),
        vec![
            ("fixture-simple-0001".into(), "Dentist (rescheduled)".into()),
            ("fixture-weekly-0001".into(), "Team sync".into()),
        ]
    );
    let simple = second
        .iter()
        .find(|e| e.uid == "fixture-simple-0001")
        .unwrap();
    assert_eq!(
        simple.etag.as_deref(),
        Some("\"091fceacc3a0e354112a5d503ce3250c\"")
    );
    // The unchanged series still expands as before, override included.
    let weekly = |events: &[Event]| {
        instances(
            &events
                .iter()
                .filter(|e| e.uid == "fixture-weekly-0001")
                .cloned()
                .collect::<Vec<_>>(),
        )
    };
    assert_eq!(weekly(&second), weekly(&first));
    assert!(
        weekly(&second)
            .iter()
            .any(|i| i.ends_with("Team sync (moved)"))
    );

    // A third listing continues from token 6.
    nc.events_in_range("fixture-events", &december(), None)
        .await
        .unwrap();
    let syncs = reports(&server, "sync-collection").await;
    assert!(xml_of(&syncs[1]).contains("<d:sync-token>http://sabre.io/ns/sync/6</d:sync-token>"));
}

#[tokio::test]
async fn nothing_changed_answers_from_the_cache() {
    // Capture 28's reply carries token 6 and no changes: at token 6, that is "unchanged".
    let unchanged = load("caldav", "28-sync-collection-invalid-token");
    let server = server(
        "http://sabre.io/ns/sync/6",
        body(&load("caldav", "20-report-calendar-query-time-range")),
        unchanged.response.template(),
    )
    .await;
    let nc = session(&server);
    let first = nc
        .events_in_range("fixture-events", &december(), None)
        .await
        .unwrap();
    let second = nc
        .events_in_range("fixture-events", &december(), None)
        .await
        .unwrap();
    assert_eq!(uids_and_titles(&first), uids_and_titles(&second));
    assert_eq!(instances(&first), instances(&second));
    assert_eq!(reports(&server, "calendar-query").await.len(), 1);
    assert_eq!(reports(&server, "sync-collection").await.len(), 1);
    assert!(reports(&server, "calendar-multiget").await.is_empty());
}

#[tokio::test]
async fn an_unknown_token_lists_in_full_again() {
    let unknown = load("caldav", "28-sync-collection-invalid-token");
    let server = server(
        "http://sabre.io/ns/sync/999999",
        body(&load("caldav", "20-report-calendar-query-time-range")),
        unknown.response.template(),
    )
    .await;
    let nc = session(&server);
    let first = nc
        .events_in_range("fixture-events", &december(), None)
        .await
        .unwrap();
    let second = nc
        .events_in_range("fixture-events", &december(), None)
        .await
        .unwrap();
    let syncs = reports(&server, "sync-collection").await;
    assert_eq!(syncs.len(), 1);
    assert_same_xml(&syncs[0], &unknown);
    assert_eq!(
        reports(&server, "calendar-query").await.len(),
        2,
        "full listing"
    );
    assert_eq!(uids_and_titles(&first), uids_and_titles(&second));
}

#[tokio::test]
async fn a_sync_error_lists_in_full_again() {
    let invalid = ResponseTemplate::new(403).set_body_raw(
        r#"<?xml version="1.0"?><d:error xmlns:d="DAV:"><d:valid-sync-token/></d:error>"#,
        "application/xml; charset=utf-8",
    );
    for reply in [
        invalid,
        ResponseTemplate::new(500),
        ResponseTemplate::new(409),
    ] {
        let server = server(
            "http://sabre.io/ns/sync/6",
            body(&load("caldav", "20-report-calendar-query-time-range")),
            reply,
        )
        .await;
        let nc = session(&server);
        let first = nc
            .events_in_range("fixture-events", &december(), None)
            .await
            .unwrap();
        let second = nc
            .events_in_range("fixture-events", &december(), None)
            .await
            .unwrap();
        assert_eq!(uids_and_titles(&first), uids_and_titles(&second));
        assert_eq!(reports(&server, "sync-collection").await.len(), 1);
        assert_eq!(reports(&server, "calendar-query").await.len(), 2);
        // The failed entry was dropped: the third listing syncs from the new one.
        nc.events_in_range("fixture-events", &december(), None)
            .await
            .unwrap();
        assert_eq!(reports(&server, "sync-collection").await.len(), 2);
        assert_eq!(reports(&server, "calendar-query").await.len(), 3);
    }
}

#[tokio::test]
async fn another_query_or_a_write_lists_in_full_again() {
    let unchanged = load("caldav", "28-sync-collection-invalid-token");
    let server = server(
        "http://sabre.io/ns/sync/6",
        body(&load("caldav", "20-report-calendar-query-time-range")),
        unchanged.response.template(),
    )
    .await;
    Mock::given(method("PUT"))
        .and(path_regex(format!("^{EVENTS}[^/]+\\.ics$")))
        .respond_with(load("caldav", "09-put-event").response.template())
        .mount(&server)
        .await;
    let nc = session(&server);
    nc.events_in_range("fixture-events", &december(), None)
        .await
        .unwrap();
    nc.events_in_range("fixture-events", &december(), Some("dentist".into()))
        .await
        .unwrap();
    assert!(reports(&server, "sync-collection").await.is_empty());
    assert_eq!(reports(&server, "calendar-query").await.len(), 2);

    let draft = EventDraft {
        title: "Dentist".into(),
        start: EventTime::Utc(Utc.with_ymd_and_hms(2026, 12, 3, 9, 0, 0).unwrap()),
        end: Some(EventTime::Utc(
            Utc.with_ymd_and_hms(2026, 12, 3, 9, 30, 0).unwrap(),
        )),
        description: None,
        location: None,
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
    nc.create_event("fixture-events", &draft).await.unwrap();
    nc.events_in_range("fixture-events", &december(), Some("dentist".into()))
        .await
        .unwrap();
    assert!(
        reports(&server, "sync-collection").await.is_empty(),
        "the write dropped the listing"
    );
    assert_eq!(reports(&server, "calendar-query").await.len(), 3);
}

#[tokio::test]
async fn two_default_event_listings_query_once_then_sync() {
    let unchanged = load("caldav", "28-sync-collection-invalid-token");
    let server = server(
        "http://sabre.io/ns/sync/6",
        body(&load("caldav", "20-report-calendar-query-time-range")),
        unchanged.response.template(),
    )
    .await;
    serve(&server, &load("caldav", "08-list-calendars")).await;
    let mcp = start_server(basic_config(
        &server.uri(),
        std::time::Duration::from_secs(5),
    ))
    .await;
    let client = connect(&mcp).await;
    // Both listings must fall in one minute; keep clear of its end.
    let second = chrono::Timelike::second(&Utc::now());
    if second >= 50 {
        tokio::time::sleep(std::time::Duration::from_secs(u64::from(61 - second))).await;
    }
    let args = json!({"calendar_name": "fixture-events"});
    let first = assert_ok(
        "nc_calendar_list_events",
        &call(&client, "nc_calendar_list_events", args.clone()).await,
    );
    let again = assert_ok(
        "nc_calendar_list_events",
        &call(&client, "nc_calendar_list_events", args).await,
    );
    assert_eq!(first, again);
    let queries = reports(&server, "calendar-query").await;
    assert_eq!(queries.len(), 1, "one calendar-query");
    assert_eq!(
        reports(&server, "sync-collection").await.len(),
        1,
        "then a sync"
    );
    // The default start is a whole minute.
    let asked = xml_of(&queries[0]);
    let at = asked.find("start=\"").unwrap() + "start=\"".len();
    assert_eq!(&asked[at + 13..at + 16], "00Z", "{asked}");
    drop(client);
    mcp.shutdown().await;
}
