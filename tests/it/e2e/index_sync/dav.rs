//! The index sync end to end in basic mode (app password) over calendars,
//! tasks, contacts and Deck: a stand-in Nextcloud shaped like the Nextcloud
//! 34 captures, whose calendars and address books answer sync-collection
//! from tokens. Everything is indexed and searchable with its modification
//! time; a change then reaches the index through a webhook delivery, which
//! wakes a targeted pass long before the scan interval, and that pass asks
//! only for what changed.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{eventually, found};
use crate::support::dav::{caldav_discovery, carddav_discovery, serve};
use crate::support::e2e::*;
use crate::support::fixtures::load;
use crate::support::webhooks::received;
use chrono::{TimeZone, Utc};
use nextcloud_mcp::app::config::{SyncConfig, WebhookConfig};
use nextcloud_mcp::domain::index::DocApp;
use secrecy::SecretString;
use serde_json::json;
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const SECRET: &str = "e2e-index-webhook-secret-0123";
const EVENTS: &str = "/remote.php/dav/calendars/admin/fixture-events/";
const TASKS: &str = "/remote.php/dav/calendars/admin/fixture-tasks/";
const BOOK: &str = "/remote.php/dav/addressbooks/users/admin/fixture-contacts/";

/// One DAV collection: each object with the version it last changed at,
/// and the deletions with theirs; the sync token is the latest version.
#[derive(Default)]
struct Collection {
    version: u64,
    objects: BTreeMap<String, (u64, String)>,
    deleted: Vec<(String, u64)>,
}

/// Calendars and address books by path, answering sync-collection and
/// multiget REPORTs; records how many hrefs each multiget asked for.
#[derive(Clone, Default)]
struct FakeDav {
    collections: Arc<Mutex<BTreeMap<String, Collection>>>,
    multigets: Arc<Mutex<Vec<usize>>>,
}

impl FakeDav {
    fn put(&self, collection: &str, name: &str, data: &str) {
        let mut all = self.collections.lock().unwrap();
        let c = all.entry(collection.to_string()).or_default();
        c.version += 1;
        c.objects
            .insert(name.to_string(), (c.version, data.to_string()));
    }

    fn remove(&self, collection: &str, name: &str) {
        let mut all = self.collections.lock().unwrap();
        let c = all.entry(collection.to_string()).or_default();
        c.version += 1;
        c.objects.remove(name);
        c.deleted.push((name.to_string(), c.version));
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn multistatus(inner: &str) -> ResponseTemplate {
    ResponseTemplate::new(207).set_body_raw(
        format!(
            r#"<?xml version="1.0"?><d:multistatus xmlns:d="DAV:" xmlns:cal="urn:ietf:params:xml:ns:caldav" xmlns:card="urn:ietf:params:xml:ns:carddav">{inner}</d:multistatus>"#
        ),
        "application/xml; charset=utf-8",
    )
}

fn token(version: u64) -> String {
    format!("http://sabre.io/ns/sync/{version}")
}

impl Respond for FakeDav {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body = String::from_utf8_lossy(&request.body).to_string();
        let at = request.url.path().to_string();
        let all = self.collections.lock().unwrap();
        let empty = Collection::default();
        let c = all.get(&at).unwrap_or(&empty);
        if body.contains("sync-collection") {
            let since = body
                .split_once("<d:sync-token>http://sabre.io/ns/sync/")
                .and_then(|(_, rest)| rest.split_once('<'))
                .and_then(|(n, _)| n.parse::<u64>().ok());
            if since.is_some_and(|n| n > c.version) {
                // Nextcloud's answer to a token it never issued (capture 28).
                return multistatus(&format!(
                    "<d:sync-token>{}</d:sync-token>",
                    token(c.version)
                ));
            }
            let since = since.unwrap_or(0);
            let mut inner = String::new();
            for (name, (changed, _)) in c.objects.iter().filter(|(_, (v, _))| *v > since) {
                inner.push_str(&format!(
                    r#"<d:response><d:href>{at}{name}</d:href><d:propstat><d:prop><d:getetag>"{name}-{changed}"</d:getetag></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"#
                ));
            }
            if since > 0 {
                for (name, _) in c.deleted.iter().filter(|(_, v)| *v > since) {
                    inner.push_str(&format!(
                        "<d:response><d:href>{at}{name}</d:href><d:status>HTTP/1.1 404 Not Found</d:status></d:response>"
                    ));
                }
            }
            inner.push_str(&format!(
                "<d:sync-token>{}</d:sync-token>",
                token(c.version)
            ));
            return multistatus(&inner);
        }
        let data = if body.contains("calendar-multiget") {
            "cal:calendar-data"
        } else if body.contains("addressbook-multiget") {
            "card:address-data"
        } else {
            return ResponseTemplate::new(400);
        };
        let hrefs: Vec<&str> = body
            .split("<d:href>")
            .skip(1)
            .filter_map(|h| h.split_once("</d:href>").map(|(h, _)| h))
            .collect();
        self.multigets.lock().unwrap().push(hrefs.len());
        let mut inner = String::new();
        for href in hrefs {
            let name = href.rsplit('/').next().unwrap_or("");
            match c.objects.get(name) {
                Some((changed, text)) => inner.push_str(&format!(
                    r#"<d:response><d:href>{href}</d:href><d:propstat><d:prop><d:getetag>"{name}-{changed}"</d:getetag><{data}>{}</{data}></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"#,
                    escape(text)
                )),
                None => inner.push_str(&format!(
                    "<d:response><d:href>{href}</d:href><d:status>HTTP/1.1 404 Not Found</d:status></d:response>"
                )),
            }
        }
        multistatus(&inner)
    }
}

fn event(uid: &str, summary: &str, stamp: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Fixture Capture//EN\nBEGIN:VEVENT\nUID:{uid}\nDTSTAMP:{stamp}\nDTSTART:20261203T100000Z\nDTEND:20261203T103000Z\nSUMMARY:{summary}\nLOCATION:Main Street 1\nEND:VEVENT\nEND:VCALENDAR\n"
    )
}

const TODO: &str = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Fixture Capture//EN\nBEGIN:VTODO\nUID:fixture-todo-0001\nDTSTAMP:20261120T090000Z\nLAST-MODIFIED:20261121T080000Z\nSUMMARY:Buy paint\nDESCRIPTION:For the garden shed\nEND:VTODO\nEND:VCALENDAR\n";

const CARD: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Fixture Capture//EN\r\nUID:fixture-card-0001\r\nFN:Bob Builder\r\nN:Builder;Bob;;;\r\nEMAIL;TYPE=WORK:bob@example.test\r\nORG:Example BV\r\nREV:20261122T073000Z\r\nEND:VCARD\r\n";

async fn deck(server: &MockServer) {
    serve(server, &load("deck", "04-boards-list-details")).await;
    serve(server, &load("deck", "14-stacks-list")).await;
    Mock::given(method("GET"))
        .and(path("/index.php/apps/deck/api/v1.0/boards/1/stacks"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(server)
        .await;
}

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .unwrap()
        .timestamp()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn basic_mode_indexes_calendars_tasks_contacts_and_deck_and_a_webhook_wakes_a_targeted_pass()
{
    let dav = FakeDav::default();
    dav.put(
        EVENTS,
        "dentist.ics",
        &event("dentist-1", "Dentist", "20261120T090000Z"),
    );
    dav.put(
        EVENTS,
        "lunch.ics",
        &event("lunch-1", "Lunch with Carol", "20261120T090000Z"),
    );
    dav.put(TASKS, "paint.ics", TODO);
    dav.put(BOOK, "bob.vcf", CARD);

    let nextcloud = MockServer::builder().start().await;
    // Both discoveries ask the same principal; the address book home is
    // what a PROPFIND naming it gets.
    let books = load("carddav", "02-principal-addressbook-home-set");
    Mock::given(method("PROPFIND"))
        .and(path(books.request.path.as_str()))
        .and(body_string_contains("addressbook-home-set"))
        .respond_with(books.response.template())
        .with_priority(1)
        .mount(&nextcloud)
        .await;
    caldav_discovery(&nextcloud).await;
    carddav_discovery(&nextcloud).await;
    serve(&nextcloud, &load("caldav", "08-list-calendars")).await;
    serve(&nextcloud, &load("carddav", "04-list-addressbooks")).await;
    deck(&nextcloud).await;
    Mock::given(method("REPORT"))
        .respond_with(dav.clone())
        .mount(&nextcloud)
        .await;

    let mut config = basic_config(&nextcloud.uri(), Duration::from_secs(5));
    config.sync = SyncConfig {
        enabled: true,
        // Far beyond the test: only the first pass and a webhook's run.
        interval: Duration::from_secs(3600),
        apps: vec![DocApp::Calendar, DocApp::Contacts, DocApp::Deck],
        embeddings: None,
        model_dir: None,
    };
    config.webhooks = WebhookConfig {
        secret: Some(SecretString::from(SECRET)),
        receiver_url: Some(url::Url::parse("http://mcp.test/webhooks/nextcloud").unwrap()),
        reconcile_on_start: false,
        queue_capacity: 16,
    };
    let server = start_server(config).await;
    let client = connect(&server).await;

    let dentist = eventually(&client, "dentist", &["calendar:Dentist"]).await;
    // The event's own DTSTAMP, the task's LAST-MODIFIED, the card's REV.
    assert_eq!(dentist[0]["modified"], at(2026, 11, 20, 9, 0));
    let paint = eventually(&client, "paint", &["calendar:Buy paint"]).await;
    assert_eq!(paint[0]["modified"], at(2026, 11, 21, 8, 0));
    assert!(
        paint[0]["link"]
            .as_str()
            .unwrap()
            .ends_with("/index.php/apps/tasks")
    );
    let bob = eventually(&client, "builder", &["contacts:Bob Builder"]).await;
    assert_eq!(bob[0]["modified"], at(2026, 11, 22, 7, 30));
    eventually(&client, "release notes", &["deck:Write release notes"]).await;
    assert_eq!(found(&client, "carol").await, ["calendar:Lunch with Carol"]);
    let first_pass: usize = dav.multigets.lock().unwrap().iter().sum();
    assert_eq!(first_pass, 4, "every object fetched once");

    // A change, then a delivery for the user: searchable without waiting
    // for the hour-long scan interval.
    dav.put(
        EVENTS,
        "dentist.ics",
        &event("dentist-1", "Orthodontist", "20261124T100000Z"),
    );
    dav.remove(BOOK, "bob.vcf");
    let delivery = received("12-delivered-node-created").body;
    let status = reqwest::Client::new()
        .post(format!("{}/webhooks/nextcloud", server.base_url))
        .header("Authorization", format!("Bearer {SECRET}"))
        .body(delivery)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 202);
    let changed = eventually(&client, "orthodontist", &["calendar:Orthodontist"]).await;
    assert_eq!(changed[0]["modified"], at(2026, 11, 24, 10, 0));
    eventually(&client, "builder", &[]).await;
    assert!(found(&client, "dentist").await.is_empty());
    assert_eq!(found(&client, "carol").await, ["calendar:Lunch with Carol"]);
    // The second pass went by token: only the changed event was fetched.
    let fetched: Vec<usize> = dav.multigets.lock().unwrap().clone();
    assert_eq!(fetched.iter().sum::<usize>(), first_pass + 1, "{fetched:?}");
    server.shutdown().await;
}
