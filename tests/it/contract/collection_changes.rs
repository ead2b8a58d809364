//! The changes of a calendar or an address book since a token the index sync
//! keeps, against the Nextcloud 34 captures: without a token every member is
//! listed (sync-collection of capture 16 / carddav 10) and fetched with a
//! multiget (captures 24 / carddav 13); with one only what changed (capture
//! 27); a token the server does not know (capture 28) or refuses (403,
//! DAV:valid-sync-token) lists in full. Each object carries the time it last
//! changed: LAST-MODIFIED, DTSTAMP or REV, else getlastmodified.

use crate::support::dav::*;
use crate::support::fixtures::{Exchange, load};
use chrono::{TimeZone, Utc};
use nextcloud_mcp::domain::changes::{CalendarObject, CollectionChanges};
use nextcloud_mcp::ports::nextcloud::{CalendarApi, ContactsApi};
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const EVENTS: &str = "/remote.php/dav/calendars/admin/fixture-events/";
const BOOK: &str = "/remote.php/dav/addressbooks/users/admin/fixture-contacts/";

fn body(exchange: &Exchange) -> String {
    String::from_utf8(exchange.response.body.clone()).unwrap()
}

fn xml(body: String) -> ResponseTemplate {
    ResponseTemplate::new(207).set_body_raw(body, "application/xml; charset=utf-8")
}

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .unwrap()
        .timestamp()
}

/// Answers REPORTs to `collection` whose body contains `marker`.
async fn report(server: &MockServer, collection: &str, marker: &str, reply: ResponseTemplate) {
    Mock::given(method("REPORT"))
        .and(path(collection))
        .and(body_string_contains(marker))
        .respond_with(reply)
        .mount(server)
        .await;
}

async fn reports(server: &MockServer, marker: &str) -> Vec<wiremock::Request> {
    sent(server, "REPORT")
        .await
        .into_iter()
        .filter(|r| String::from_utf8_lossy(&r.body).contains(marker))
        .collect()
}

/// A calendar server: the initial sync-collection of capture 16, the
/// multiget reply of capture 24 (the simple event given a LAST-MODIFIED),
/// and `incremental` for sync-collections from a token.
async fn calendar_server(incremental: Option<(&str, ResponseTemplate)>) -> MockServer {
    let server = fresh_server().await;
    caldav_discovery(&server).await;
    report(
        &server,
        EVENTS,
        "<d:sync-token/>",
        load("caldav", "16-sync-collection-initial")
            .response
            .template(),
    )
    .await;
    if let Some((token, reply)) = incremental {
        report(&server, EVENTS, &format!("<d:sync-token>{token}"), reply).await;
    }
    let multiget = body(&load("caldav", "24-report-multiget")).replace(
        "UID:fixture-simple-0001\n",
        "UID:fixture-simple-0001\nLAST-MODIFIED:20261125T120000Z\n",
    );
    report(&server, EVENTS, "calendar-multiget", xml(multiget)).await;
    server
}

fn names(changes: &CollectionChanges<CalendarObject>) -> Vec<&str> {
    changes.changed.iter().map(|o| o.name.as_str()).collect()
}

#[tokio::test]
async fn without_a_token_every_object_is_listed_and_fetched() {
    let server = calendar_server(None).await;
    let changes = session(&server)
        .calendar_changes("fixture-events", None)
        .await
        .unwrap();
    assert!(changes.full);
    assert_eq!(changes.token.as_deref(), Some("http://sabre.io/ns/sync/4"));
    assert!(changes.deleted.is_empty());
    // Capture 24 answers two of the three members asked for.
    assert_eq!(
        names(&changes),
        ["fixture-allday-0001.ics", "fixture-simple-0001.ics"]
    );
    let allday = &changes.changed[0];
    assert_eq!(allday.content.events[0].title, "Holidays");
    assert_eq!(
        allday.etag.as_deref(),
        Some("\"00225b7d6f8e830f767c68ce848db40b\"")
    );
    // DTSTAMP, without LAST-MODIFIED; LAST-MODIFIED wins when present.
    assert_eq!(allday.modified, at(2026, 11, 20, 9, 0));
    assert_eq!(changes.changed[1].modified, at(2026, 11, 25, 12, 0));

    let sync = reports(&server, "sync-collection").await;
    assert_eq!(sync.len(), 1);
    assert_same_xml(&sync[0], &load("caldav", "16-sync-collection-initial"));
    let multiget =
        String::from_utf8(reports(&server, "calendar-multiget").await[0].body.clone()).unwrap();
    assert_eq!(multiget.matches("<d:href>").count(), 3, "{multiget}");
    assert!(multiget.contains("<d:getlastmodified/>"), "{multiget}");
}

#[tokio::test]
async fn with_a_token_only_what_changed_is_fetched() {
    let incremental = load("caldav", "27-sync-collection-incremental");
    let server = calendar_server(Some((
        "http://sabre.io/ns/sync/4",
        incremental.response.template(),
    )))
    .await;
    let changes = session(&server)
        .calendar_changes("fixture-events", Some("http://sabre.io/ns/sync/4".into()))
        .await
        .unwrap();
    assert!(!changes.full);
    assert_eq!(changes.token.as_deref(), Some("http://sabre.io/ns/sync/6"));
    assert_eq!(changes.deleted, ["fixture-allday-0001.ics"]);
    // The multiget reply also carries the all-day event; only what was
    // asked for counts.
    assert_eq!(names(&changes), ["fixture-simple-0001.ics"]);
    let simple = &changes.changed[0];
    assert_eq!(simple.content.events[0].title, "Dentist (rescheduled)");
    assert_eq!(
        simple.etag.as_deref(),
        Some("\"091fceacc3a0e354112a5d503ce3250c\"")
    );

    let sync = reports(&server, "sync-collection").await;
    assert_eq!(sync.len(), 1, "no full listing");
    assert_same_xml(&sync[0], &incremental);
    let multiget =
        String::from_utf8(reports(&server, "calendar-multiget").await[0].body.clone()).unwrap();
    assert_eq!(multiget.matches("<d:href>").count(), 1, "{multiget}");
    assert!(multiget.contains("fixture-simple-0001.ics"), "{multiget}");
}

#[tokio::test]
async fn a_token_the_server_does_not_know_lists_in_full() {
    let unknown = load("caldav", "28-sync-collection-invalid-token");
    let server = calendar_server(Some((
        "http://sabre.io/ns/sync/999999",
        unknown.response.template(),
    )))
    .await;
    let changes = session(&server)
        .calendar_changes(
            "fixture-events",
            Some("http://sabre.io/ns/sync/999999".into()),
        )
        .await
        .unwrap();
    assert!(changes.full);
    assert_eq!(changes.token.as_deref(), Some("http://sabre.io/ns/sync/4"));
    assert_eq!(changes.changed.len(), 2);
    let sync = reports(&server, "sync-collection").await;
    assert_eq!(sync.len(), 2);
    assert_same_xml(&sync[0], &unknown);
}

#[tokio::test]
async fn a_refused_token_lists_in_full() {
    let refused = ResponseTemplate::new(403).set_body_raw(
        r#"<?xml version="1.0" encoding="utf-8"?><d:error xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns"><d:valid-sync-token/><s:message>Invalid or unknown sync token</s:message></d:error>"#,
        "application/xml; charset=utf-8",
    );
    let server = calendar_server(Some(("http://sabre.io/ns/sync/1", refused))).await;
    let changes = session(&server)
        .calendar_changes("fixture-events", Some("http://sabre.io/ns/sync/1".into()))
        .await
        .unwrap();
    assert!(changes.full);
    assert_eq!(changes.token.as_deref(), Some("http://sabre.io/ns/sync/4"));
    assert_eq!(changes.changed.len(), 2);
}

#[tokio::test]
async fn an_address_book_lists_its_cards_with_rev_or_getlastmodified() {
    let server = fresh_server().await;
    carddav_discovery(&server).await;
    report(
        &server,
        BOOK,
        "<d:sync-token/>",
        load("carddav", "10-sync-collection-initial")
            .response
            .template(),
    )
    .await;
    // Card 1 gets a getlastmodified, card 2 a REV (the captures carry neither).
    let multiget = body(&load("carddav", "13-report-multiget"))
        .replacen(
            "</d:getetag>",
            "</d:getetag><d:getlastmodified>Mon, 23 Nov 2026 08:38:26 GMT</d:getlastmodified>",
            1,
        )
        .replace(
            "NOTE:vCard 4.0 fixture",
            "REV:20261122T073000Z&#13;\nNOTE:vCard 4.0 fixture",
        );
    report(&server, BOOK, "addressbook-multiget", xml(multiget)).await;

    let changes = session(&server)
        .addressbook_changes("fixture-contacts", None)
        .await
        .unwrap();
    assert!(changes.full);
    assert_eq!(changes.token.as_deref(), Some("http://sabre.io/ns/sync/3"));
    let got: Vec<(&str, &str, i64)> = changes
        .changed
        .iter()
        .map(|o| (o.name.as_str(), o.content.full_name.as_str(), o.modified))
        .collect();
    assert_eq!(
        got,
        [
            (
                "fixture-card-0001.vcf",
                "Bob Builder",
                at(2026, 11, 23, 8, 38) + 26
            ),
            (
                "fixture-card-0002.vcf",
                "Carol Exämple",
                at(2026, 11, 22, 7, 30)
            ),
        ]
    );
    let sync = reports(&server, "sync-collection").await;
    assert_same_xml(&sync[0], &load("carddav", "10-sync-collection-initial"));
    let multiget = String::from_utf8(
        reports(&server, "addressbook-multiget").await[0]
            .body
            .clone(),
    )
    .unwrap();
    assert!(multiget.contains("<d:getlastmodified/>"), "{multiget}");
}
