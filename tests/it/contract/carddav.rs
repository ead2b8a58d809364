//! The CardDAV adapter against real Nextcloud 34 captures.

use crate::support::dav::*;
use crate::support::fixtures::{Exchange, load};
use nextcloud_mcp::domain::contacts::{ContactPatch, Typed};
use nextcloud_mcp::ports::nextcloud::{ContactsApi, NextcloudError};
use wiremock::MockServer;

const BOOK: &str = "/remote.php/dav/addressbooks/users/admin/fixture-contacts/";

async fn server_with(captures: &[Exchange]) -> MockServer {
    let server = fresh_server().await;
    carddav_discovery(&server).await;
    for capture in captures {
        serve(&server, capture).await;
    }
    server
}

/// A capture's reply served for the address book REPORT whatever the body.
fn report_reply(name: &str) -> Exchange {
    let mut exchange = load("carddav", name);
    exchange.request.path = BOOK.into();
    exchange
}

#[tokio::test]
async fn discovers_the_addressbook_home_and_lists_addressbooks() {
    let server = server_with(&[load("carddav", "04-list-addressbooks")]).await;
    let books = session(&server).list_addressbooks().await.unwrap();

    let well_known = sent_to(&server, "PROPFIND", "/.well-known/carddav").await;
    assert_eq!(header(&well_known, "depth").as_deref(), Some("0"));
    assert_same_xml(
        &sent_to(
            &server,
            "PROPFIND",
            "/remote.php/dav/principals/users/admin/",
        )
        .await,
        &load("carddav", "02-principal-addressbook-home-set"),
    );
    assert_same_xml(
        &sent_to(&server, "PROPFIND", BOOK_HOME).await,
        &load("carddav", "04-list-addressbooks"),
    );

    let names: Vec<&str> = books.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "contacts",
            "fixture-contacts",
            "z-server-generated--system",
            "z-app-generated--contactsinteraction--recent"
        ]
    );
    assert_eq!(books[0].display_name, "Contacts");
    assert_eq!(books[0].description, None, "empty 404 description");
    assert_eq!(
        books[0].sync_token.as_deref(),
        Some("http://sabre.io/ns/sync/6")
    );
    assert_eq!(
        books[1].description.as_deref(),
        Some("created by the fixture capture")
    );
    assert_eq!(
        books[3].sync_token.as_deref(),
        Some("http://sabre.io/ns/sync/1795423109"),
        "getctag (x1: prefix) when no sync-token"
    );
}

#[tokio::test]
async fn creates_and_deletes_an_addressbook_as_captured() {
    let server = server_with(&[
        load("carddav", "03-mkcol-addressbook"),
        load("carddav", "18-delete-addressbook"),
    ])
    .await;
    let nc = session(&server);
    nc.create_addressbook(
        "fixture-contacts",
        "Fixture contacts",
        Some("created by the fixture capture".into()),
    )
    .await
    .unwrap();
    let mkcol = sent_to(&server, "MKCOL", BOOK).await;
    assert_eq!(
        xml_of(&mkcol),
        captured_xml(&load("carddav", "03-mkcol-addressbook"))
    );
    nc.delete_addressbook("fixture-contacts").await.unwrap();
    sent_to(&server, "DELETE", BOOK).await;
}

#[tokio::test]
async fn a_one_field_search_matches_capture_11_and_reads_the_3_0_conversion() {
    let server = server_with(&[report_reply("11-report-query-fn")]).await;
    let nc = session(&server);
    // The adapter searches several fields at once (anyof), each shaped like capture 11.
    let contacts = nc
        .list_contacts("fixture-contacts", Some("carol".into()))
        .await
        .unwrap();
    let sent_body = xml_of(&sent_to(&server, "REPORT", BOOK).await);
    assert!(sent_body.contains(r#"<card:prop-filter name="FN"><card:text-match collation="i;unicode-casemap" match-type="contains">carol</card:text-match></card:prop-filter>"#), "{sent_body}");
    assert!(
        sent_body.contains(r#"<card:filter test="anyof">"#)
            && sent_body.contains(r#"<card:prop-filter name="EMAIL">"#)
    );
    assert_eq!(
        header(&sent_to(&server, "REPORT", BOOK).await, "depth").as_deref(),
        Some("1")
    );

    assert_eq!(contacts.len(), 1);
    let carol = &contacts[0];
    assert_eq!(carol.full_name, "Carol Exämple");
    assert_eq!(carol.family_name.as_deref(), Some("Exämple"));
    assert_eq!(carol.given_name.as_deref(), Some("Carol"));
    assert_eq!(
        carol.emails,
        vec![Typed {
            value: "carol@example.test".into(),
            types: vec!["home".into(), "pref".into()]
        }]
    );
    assert_eq!(carol.phones[0].value, "+1-555-0100");
    assert_eq!(carol.version, "3.0");
    assert_eq!(
        carol.etag.as_deref(),
        Some("\"ae920cfd7ea1b439475a965571f59c8b\"")
    );
}

#[tokio::test]
async fn reads_partial_address_data_and_vcard_4_0() {
    let server = server_with(&[report_reply("12-report-query-email")]).await;
    let contacts = session(&server)
        .list_contacts("fixture-contacts", Some("bob@".into()))
        .await
        .unwrap();
    assert_eq!(contacts[0].full_name, "Bob Builder");
    assert_eq!(contacts[0].emails[0].types, vec!["work"]);
    assert!(
        contacts[0].phones.is_empty(),
        "only FN, EMAIL and UID were sent"
    );

    let server = server_with(&[report_reply("14-report-multiget-as-v4")]).await;
    let bob = session(&server)
        .get_contact("fixture-contacts", "fixture-card-0001")
        .await
        .unwrap();
    assert_eq!(bob.version, "4.0");
    assert_eq!(bob.organization.as_deref(), Some("Example BV"));
    assert_eq!(bob.addresses[0].city, "Amsterdam");
    assert_eq!(bob.addresses[0].postal_code, "1011AA");
    // Sabre's 4.0 conversion keeps the 3.0 form 1980-04-01, which vCard 4.0
    // reads as the reduced-accuracy 1980-04; the adapter reads 3.0 by default.
    assert!(
        bob.birthday
            .as_deref()
            .is_some_and(|b| b.starts_with("1980-04"))
    );
    let query = xml_of(&sent_to(&server, "REPORT", BOOK).await);
    assert!(query.contains(r#"<card:prop-filter name="UID"><card:text-match collation="i;octet" match-type="equals">fixture-card-0001</card:text-match></card:prop-filter>"#), "{query}");
}

#[tokio::test]
async fn creates_a_vcard_3_with_if_none_match() {
    let capture = load("carddav", "05-put-vcard3");
    let server = server_with(std::slice::from_ref(&capture)).await;
    let patch = ContactPatch::from_json(
        serde_json::json!({
            "fn": "Bob Builder", "given_name": "Bob", "family_name": "Builder",
            "email": [{"value": "bob@example.test", "type": "work"}], "tel": [{"value": "+31 6 1234 5678", "type": "cell"}],
            "org": "Example BV", "bday": "1980-04-01", "note": "vCard 3.0 fixture",
            "adr": {"street": "Main Street 1", "city": "Amsterdam", "postal_code": "1011AA", "country": "Netherlands", "type": "work"}
        })
        .as_object()
        .unwrap(),
    )
    .unwrap();
    let contact = session(&server)
        .create_contact("fixture-contacts", "fixture-card-0001", &patch)
        .await
        .unwrap();
    assert_eq!(
        contact.etag.as_deref(),
        Some("\"175c59955242470900cf88dfea8b9b5b\"")
    );
    let put = sent_to(&server, "PUT", &capture.request.path).await;
    assert_eq!(header(&put, "if-none-match").as_deref(), Some("*"));
    assert_eq!(
        header(&put, "content-type").as_deref(),
        capture.request.header("Content-Type")
    );
    let body = String::from_utf8(put.body.clone()).unwrap();
    for line in [
        "VERSION:3.0",
        "UID:fixture-card-0001",
        "FN:Bob Builder",
        "N:Builder;Bob;;;",
        "EMAIL;TYPE=WORK:bob@example.test",
        "TEL;TYPE=CELL:+31 6 1234 5678",
        "ORG:Example BV",
        "ADR;TYPE=WORK:;;Main Street 1;Amsterdam;;1011AA;Netherlands",
        "NOTE:vCard 3.0 fixture",
    ] {
        assert!(
            body.contains(&format!("{line}\r\n")),
            "{line} missing in\n{body}"
        );
    }
}

#[tokio::test]
async fn a_missing_contact_is_not_found_and_delete_uses_if_match() {
    let mut empty = report_reply("11-report-query-fn");
    empty.response.body = br#"<?xml version="1.0"?><d:multistatus xmlns:d="DAV:"/>"#.to_vec();
    let server = server_with(&[empty]).await;
    let err = session(&server)
        .get_contact("fixture-contacts", "fixture-card-0002")
        .await
        .unwrap_err();
    assert_eq!(
        err,
        NextcloudError::NotFound(
            "contact 'fixture-card-0002' in address book 'fixture-contacts'".into()
        )
    );

    let capture = load("carddav", "16-delete-vcard");
    let server = server_with(&[report_reply("13-report-multiget"), capture.clone()]).await;
    session(&server)
        .delete_contact(
            "fixture-contacts",
            "urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1",
            None,
        )
        .await
        .unwrap();
    let delete = sent_to(&server, "DELETE", &capture.request.path).await;
    assert_eq!(
        header(&delete, "if-match").as_deref(),
        Some("\"ae920cfd7ea1b439475a965571f59c8b\"")
    );
}
