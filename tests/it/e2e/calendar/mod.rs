//! End-to-end for the calendar, task and contacts tools: the server
//! in-process, rmcp's own client, a wiremock Nextcloud answering with the
//! real CalDAV/CardDAV captures. Every tool's happy path and its error paths.

mod bulk;
mod contacts;
mod events;
mod meetings;
mod refusals;
mod tasks;

use crate::support::dav::{BOOK_HOME, calendars_listed, fresh_server};
use crate::support::e2e::*;
use crate::support::fixtures::load;
use serde_json::Value;
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
    calendars_listed(&nc).await;
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
