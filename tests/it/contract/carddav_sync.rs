//! Repeated contact listings through sync-collection (RFC 6578): request
//! shape of capture 10 with a token, changed cards fetched with the
//! addressbook-multiget of capture 13, deleted cards (a 404 response)
//! dropped; a searched listing with changes, an error or a write lists in
//! full again.

use crate::support::dav::*;
use crate::support::fixtures::{Exchange, load};
use nextcloud_mcp::domain::contacts::ContactPatch;
use nextcloud_mcp::ports::nextcloud::ContactsApi;
use wiremock::matchers::{body_string_contains, method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

const BOOK: &str = "/remote.php/dav/addressbooks/users/admin/fixture-contacts/";
const CARD1: &str =
    "/remote.php/dav/addressbooks/users/admin/fixture-contacts/fixture-card-0001.vcf";
const CARD2: &str =
    "/remote.php/dav/addressbooks/users/admin/fixture-contacts/fixture-card-0002.vcf";
const OLD_ETAG: &str = "175c59955242470900cf88dfea8b9b5b";
const NEW_ETAG: &str = "0123456789abcdef0123456789abcdef";

fn body(exchange: &Exchange) -> String {
    String::from_utf8(exchange.response.body.clone()).unwrap()
}

fn xml(body: String) -> ResponseTemplate {
    ResponseTemplate::new(207).set_body_raw(body, "application/xml; charset=utf-8")
}

/// Capture 10's reply as an incremental one: card 1 changed, card 2 deleted.
fn incremental() -> String {
    let initial = body(&load("carddav", "10-sync-collection-initial"));
    let start = initial
        .find(&format!("<d:response>\n  <d:href>{CARD2}"))
        .unwrap();
    let end = start + initial[start..].find("</d:response>").unwrap() + "</d:response>".len();
    let deleted = format!(
        "<d:response><d:href>{CARD2}</d:href><d:status>HTTP/1.1 404 Not Found</d:status></d:response>"
    );
    format!("{}{deleted}{}", &initial[..start], &initial[end..])
        .replace(OLD_ETAG, NEW_ETAG)
        .replace("sync/3", "sync/5")
}

async fn report(server: &MockServer, kind: &str, reply: ResponseTemplate) {
    Mock::given(method("REPORT"))
        .and(path(BOOK))
        .and(body_string_contains(kind))
        .respond_with(reply)
        .mount(server)
        .await;
}

async fn server(sync: ResponseTemplate) -> MockServer {
    let server = fresh_server().await;
    carddav_discovery(&server).await;
    Mock::given(method("PROPFIND"))
        .and(path(BOOK))
        .respond_with(xml(format!(
            r#"<?xml version="1.0"?><d:multistatus xmlns:d="DAV:"><d:response><d:href>{BOOK}</d:href><d:propstat><d:prop><d:sync-token>http://sabre.io/ns/sync/3</d:sync-token></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>"#
        )))
        .mount(&server)
        .await;
    let multiget = body(&load("carddav", "13-report-multiget"));
    report(&server, "addressbook-query", xml(multiget.clone())).await;
    report(&server, "sync-collection", sync).await;
    let changed = multiget
        .replace(OLD_ETAG, NEW_ETAG)
        .replace("FN:Bob Builder", "FN:Bob the Builder");
    report(&server, "addressbook-multiget", xml(changed)).await;
    server
}

async fn reports(server: &MockServer, kind: &str) -> Vec<wiremock::Request> {
    sent(server, "REPORT")
        .await
        .into_iter()
        .filter(|r| String::from_utf8_lossy(&r.body).contains(kind))
        .collect()
}

fn names(contacts: &[nextcloud_mcp::domain::contacts::Contact]) -> Vec<String> {
    let mut out: Vec<String> = contacts.iter().map(|c| c.full_name.clone()).collect();
    out.sort();
    out
}

#[tokio::test]
async fn a_second_listing_syncs_and_reflects_a_changed_and_a_deleted_card() {
    let server = server(xml(incremental())).await;
    let nc = session(&server);
    let first = nc.list_contacts("fixture-contacts", None).await.unwrap();
    assert_eq!(first.len(), 2);
    let second = nc.list_contacts("fixture-contacts", None).await.unwrap();

    assert_eq!(reports(&server, "addressbook-query").await.len(), 1);
    let syncs = reports(&server, "sync-collection").await;
    assert_eq!(syncs.len(), 1);
    assert_eq!(header(&syncs[0], "depth"), None, "as captured");
    let mut captured = load("carddav", "10-sync-collection-initial");
    let with_token = String::from_utf8(captured.request.body.clone())
        .unwrap()
        .replace(
            "<d:sync-token/>",
            "<d:sync-token>http://sabre.io/ns/sync/3</d:sync-token>",
        );
    captured.request.body = with_token.into_bytes();
    assert_same_xml(&syncs[0], &captured);
    let multigets = reports(&server, "addressbook-multiget").await;
    assert_eq!(multigets.len(), 1);
    assert_eq!(header(&multigets[0], "depth").as_deref(), Some("1"));
    let asked = xml_of(&multigets[0]);
    assert!(
        asked.contains(&format!("<d:href>{CARD1}</d:href>")),
        "{asked}"
    );
    assert!(!asked.contains(CARD2), "{asked}");
    assert!(asked.contains("<d:prop><d:getetag/><card:address-data/></d:prop>"));

    assert_eq!(names(&second), vec!["Bob the Builder"]);
    assert_eq!(
        second[0].etag.as_deref(),
        Some(format!("\"{NEW_ETAG}\"").as_str())
    );
}

#[tokio::test]
async fn a_searched_listing_with_changes_asks_the_server_again() {
    let server = server(xml(incremental())).await;
    let nc = session(&server);
    nc.list_contacts("fixture-contacts", Some("bob".into()))
        .await
        .unwrap();
    nc.list_contacts("fixture-contacts", Some("bob".into()))
        .await
        .unwrap();
    assert_eq!(reports(&server, "sync-collection").await.len(), 1);
    assert_eq!(reports(&server, "addressbook-query").await.len(), 2);
    assert!(reports(&server, "addressbook-multiget").await.is_empty());
}

#[tokio::test]
async fn an_unknown_token_or_an_error_lists_in_full_again() {
    // Nextcloud's answer to a token it does not know: a new token, no changes.
    let unknown = xml(
        r#"<?xml version="1.0"?><d:multistatus xmlns:d="DAV:"><d:sync-token>http://sabre.io/ns/sync/9</d:sync-token></d:multistatus>"#
            .into(),
    );
    for reply in [
        unknown,
        ResponseTemplate::new(403),
        ResponseTemplate::new(500),
    ] {
        let server = server(reply).await;
        let nc = session(&server);
        let first = nc.list_contacts("fixture-contacts", None).await.unwrap();
        let second = nc.list_contacts("fixture-contacts", None).await.unwrap();
        assert_eq!(names(&first), names(&second));
        assert_eq!(reports(&server, "sync-collection").await.len(), 1);
        assert_eq!(reports(&server, "addressbook-query").await.len(), 2);
    }
}

#[tokio::test]
async fn a_write_drops_the_listing() {
    let server = server(xml(incremental())).await;
    let put = load("carddav", "05-put-vcard3");
    Mock::given(method("PUT"))
        .and(path_regex(format!("^{BOOK}[^/]+\\.vcf$")))
        .respond_with(put.response.template())
        .mount(&server)
        .await;
    let nc = session(&server);
    nc.list_contacts("fixture-contacts", None).await.unwrap();
    let patch = ContactPatch {
        full_name: Some(Some("Dana".into())),
        ..ContactPatch::default()
    };
    nc.create_contact("fixture-contacts", "dana-0001", &patch)
        .await
        .unwrap();
    nc.list_contacts("fixture-contacts", None).await.unwrap();
    assert!(reports(&server, "sync-collection").await.is_empty());
    assert_eq!(reports(&server, "addressbook-query").await.len(), 2);
}
