//! Task listings go the way event listings go: the same listing again is a
//! sync-collection, and a write through this server lists in full again.

use crate::support::dav::*;
use crate::support::fixtures::load;
use nextcloud_mcp::domain::todos::{Todo, TodoDraft, TodoFilter};
use nextcloud_mcp::ports::nextcloud::CalendarApi;
use wiremock::matchers::{body_string_contains, method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TASKS: &str = "/remote.php/dav/calendars/admin/fixture-tasks/";

fn multistatus(inner: &str, token: Option<&str>) -> String {
    let token = token
        .map(|t| format!("<d:sync-token>{t}</d:sync-token>"))
        .unwrap_or_default();
    format!(
        r#"<?xml version="1.0"?><d:multistatus xmlns:d="DAV:" xmlns:cal="urn:ietf:params:xml:ns:caldav">{inner}{token}</d:multistatus>"#
    )
}

/// One task object with its data, as a calendar-query or multiget answers it.
fn task(name: &str, etag: &str, summary: &str, completed: bool) -> String {
    let completed = if completed {
        "STATUS:COMPLETED\nCOMPLETED:20261120T100000Z\n"
    } else {
        "STATUS:NEEDS-ACTION\n"
    };
    format!(
        "<d:response><d:href>{TASKS}{name}.ics</d:href><d:propstat><d:prop>\
         <d:getetag>&quot;{etag}&quot;</d:getetag><cal:calendar-data>BEGIN:VCALENDAR\n\
         VERSION:2.0\nPRODID:-//Fixture//EN\nBEGIN:VTODO\nUID:{name}\n\
         DTSTAMP:20261120T090000Z\nSUMMARY:{summary}\n{completed}END:VTODO\n\
         END:VCALENDAR\n</cal:calendar-data></d:prop><d:status>HTTP/1.1 200 OK</d:status>\
         </d:propstat></d:response>"
    )
}

fn multistatus_reply(xml: String) -> ResponseTemplate {
    ResponseTemplate::new(207).set_body_raw(xml, "application/xml; charset=utf-8")
}

async fn task_report(server: &MockServer, kind: &str, xml: String) {
    Mock::given(method("REPORT"))
        .and(path(TASKS))
        .and(body_string_contains(kind))
        .respond_with(multistatus_reply(xml))
        .mount(server)
        .await;
}

/// A task calendar at sync token 4 with two open tasks and one done; since
/// then the first changed, the second was deleted and the done one changed
/// without reopening.
async fn task_server() -> MockServer {
    let server = fresh_server().await;
    caldav_discovery(&server).await;
    let token = format!(
        "<d:response><d:href>{TASKS}</d:href><d:propstat><d:prop>\
         <d:sync-token>http://sabre.io/ns/sync/4</d:sync-token></d:prop>\
         <d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"
    );
    Mock::given(method("PROPFIND"))
        .and(path(TASKS))
        .respond_with(multistatus_reply(multistatus(&token, None)))
        .mount(&server)
        .await;
    let listing =
        task("todo-a", "a1", "File taxes", false) + &task("todo-b", "b1", "Buy milk", false);
    task_report(&server, "calendar-query", multistatus(&listing, None)).await;
    let sync = format!(
        "<d:response><d:href>{TASKS}todo-a.ics</d:href><d:propstat><d:prop>\
         <d:getetag>&quot;a2&quot;</d:getetag></d:prop><d:status>HTTP/1.1 200 OK</d:status>\
         </d:propstat></d:response><d:response><d:href>{TASKS}todo-b.ics</d:href>\
         <d:status>HTTP/1.1 404 Not Found</d:status></d:response>\
         <d:response><d:href>{TASKS}todo-c.ics</d:href><d:propstat><d:prop>\
         <d:getetag>&quot;c2&quot;</d:getetag></d:prop><d:status>HTTP/1.1 200 OK</d:status>\
         </d:propstat></d:response>"
    );
    task_report(
        &server,
        "sync-collection",
        multistatus(&sync, Some("http://sabre.io/ns/sync/6")),
    )
    .await;
    let changed = task("todo-a", "a2", "File taxes (amended)", false)
        + &task("todo-c", "c2", "Old chore", true);
    task_report(&server, "calendar-multiget", multistatus(&changed, None)).await;
    server
}

async fn task_reports(server: &MockServer, kind: &str) -> Vec<wiremock::Request> {
    sent(server, "REPORT")
        .await
        .into_iter()
        .filter(|r| r.url.path() == TASKS && String::from_utf8_lossy(&r.body).contains(kind))
        .collect()
}

fn open_tasks() -> TodoFilter {
    TodoFilter {
        status: Some("OPEN".into()),
        ..TodoFilter::default()
    }
}

fn summaries(todos: &[Todo]) -> Vec<(String, String, Option<String>)> {
    let mut out: Vec<_> = todos
        .iter()
        .map(|t| (t.uid.clone(), t.summary.clone(), t.etag.clone()))
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn a_second_task_listing_syncs_and_reflects_a_changed_and_a_deleted_task() {
    let server = task_server().await;
    let nc = session(&server);
    let first = nc.list_todos("fixture-tasks", &open_tasks()).await.unwrap();
    assert_eq!(
        summaries(&first),
        vec![
            ("todo-a".into(), "File taxes".into(), Some("\"a1\"".into())),
            ("todo-b".into(), "Buy milk".into(), Some("\"b1\"".into())),
        ]
    );
    let query = task_reports(&server, "calendar-query").await;
    assert_eq!(query.len(), 1);
    assert!(
        xml_of(&query[0]).contains("COMPLETED"),
        "open_only sent to the server"
    );
    let propfind = sent_to(&server, "PROPFIND", TASKS).await;
    assert_eq!(header(&propfind, "depth").as_deref(), Some("0"));

    // Another local filter with the same server filter is the same listing.
    let filter = TodoFilter {
        summary_contains: Some("taxes".into()),
        ..open_tasks()
    };
    let second = nc.list_todos("fixture-tasks", &filter).await.unwrap();
    assert_eq!(
        task_reports(&server, "calendar-query").await.len(),
        1,
        "no second query"
    );
    let syncs = task_reports(&server, "sync-collection").await;
    assert_eq!(syncs.len(), 1);
    assert!(xml_of(&syncs[0]).contains("<d:sync-token>http://sabre.io/ns/sync/4</d:sync-token>"));
    let multigets = task_reports(&server, "calendar-multiget").await;
    assert_eq!(multigets.len(), 1);
    let asked = xml_of(&multigets[0]);
    assert!(
        asked.contains(&format!("<d:href>{TASKS}todo-a.ics</d:href>")),
        "{asked}"
    );
    assert!(!asked.contains("todo-b"), "{asked}");
    assert_eq!(
        summaries(&second),
        vec![(
            "todo-a".into(),
            "File taxes (amended)".into(),
            Some("\"a2\"".into())
        )]
    );

    // The completed task fails the server filter re-checked here: not listed.
    let third = nc.list_todos("fixture-tasks", &open_tasks()).await.unwrap();
    assert_eq!(summaries(&third), summaries(&second));
    let syncs = task_reports(&server, "sync-collection").await;
    assert_eq!(syncs.len(), 2);
    assert!(xml_of(&syncs[1]).contains("<d:sync-token>http://sabre.io/ns/sync/6</d:sync-token>"));
    assert_eq!(task_reports(&server, "calendar-query").await.len(), 1);

    // All tasks is another server filter: a full listing.
    nc.list_todos("fixture-tasks", &TodoFilter::default())
        .await
        .unwrap();
    assert_eq!(task_reports(&server, "calendar-query").await.len(), 2);
}

#[tokio::test]
async fn a_task_write_lists_tasks_in_full_again() {
    let server = task_server().await;
    Mock::given(method("PUT"))
        .and(path_regex(format!("^{TASKS}[^/]+\\.ics$")))
        .respond_with(load("caldav", "14-put-todo").response.template())
        .mount(&server)
        .await;
    let nc = session(&server);
    nc.list_todos("fixture-tasks", &open_tasks()).await.unwrap();
    let draft = TodoDraft {
        summary: "Call the bank".into(),
        description: None,
        status: None,
        priority: None,
        due: None,
        dtstart: None,
        categories: vec![],
        reminders: vec![],
    };
    nc.create_todo("fixture-tasks", &draft).await.unwrap();
    nc.list_todos("fixture-tasks", &open_tasks()).await.unwrap();
    assert!(
        task_reports(&server, "sync-collection").await.is_empty(),
        "the write dropped the listing"
    );
    assert_eq!(task_reports(&server, "calendar-query").await.len(), 2);
}
