//! Credentials go to the configured Nextcloud and nowhere else: hrefs in DAV
//! replies that point at another origin are refused (naming the href) before
//! anything is sent, nothing poisoned is cached, and redirects are not
//! followed. A second listener, the witness, must see zero connections.

use nextcloud_mcp::domain::files::WriteCondition;
use nextcloud_mcp::domain::path::UserPath;
use nextcloud_mcp::ports::nextcloud::{CalendarApi, FilesApi, NextcloudError, NotesApi};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::stand_in::Witness;
use crate::support::dav::{caldav_discovery, fresh_server, sent, session};

fn multistatus(body: &str) -> ResponseTemplate {
    ResponseTemplate::new(207).set_body_raw(
        format!(
            r#"<?xml version="1.0"?><d:multistatus xmlns:d="DAV:" xmlns:cal="urn:ietf:params:xml:ns:caldav" xmlns:oc="http://owncloud.org/ns">{body}</d:multistatus>"#
        ),
        "application/xml; charset=utf-8",
    )
}

fn principal_reply(href: &str) -> ResponseTemplate {
    multistatus(&format!(
        r#"<d:response><d:href>/remote.php/dav/</d:href><d:propstat><d:prop><d:current-user-principal><d:href>{href}</d:href></d:current-user-principal></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"#
    ))
}

fn home_set_reply(href: &str) -> ResponseTemplate {
    multistatus(&format!(
        r#"<d:response><d:href>/remote.php/dav/principals/users/admin/</d:href><d:propstat><d:prop><cal:calendar-home-set><d:href>{href}</d:href></cal:calendar-home-set></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"#
    ))
}

async fn on(server: &MockServer, http_method: &str, at: &str, reply: ResponseTemplate) {
    Mock::given(method(http_method))
        .and(path(at))
        .respond_with(reply)
        .mount(server)
        .await;
}

fn assert_names_href(err: NextcloudError, href: &str) {
    match &err {
        NextcloudError::Protocol(message) => {
            assert!(message.contains(href), "{message}");
            assert!(
                message.contains("outside the configured Nextcloud"),
                "{message}"
            );
        }
        other => panic!("expected the href to be refused, got {other:?}"),
    }
}

#[tokio::test]
async fn a_foreign_principal_or_home_is_refused_and_not_cached() {
    let witness = Witness::start().await;
    let server = fresh_server().await;
    let session = session(&server);

    // Round 1: the well-known URL redirects to the witness (ignored, as
    // always for another origin) and the principal lives there.
    let stolen = format!("{}/remote.php/dav/principals/users/admin/", witness.base);
    Mock::given(method("PROPFIND"))
        .and(path("/.well-known/caldav"))
        .respond_with(
            ResponseTemplate::new(301)
                .insert_header("Location", format!("{}/remote.php/dav/", witness.base)),
        )
        .mount(&server)
        .await;
    on(
        &server,
        "PROPFIND",
        "/remote.php/dav/",
        principal_reply(&stolen),
    )
    .await;
    assert_names_href(session.list_calendars().await.unwrap_err(), &stolen);

    // Round 2: a sound principal whose calendar home is the witness. The
    // principal is asked again: nothing from round 1 was remembered.
    server.reset().await;
    on(
        &server,
        "PROPFIND",
        "/remote.php/dav/",
        principal_reply("/remote.php/dav/principals/users/admin/"),
    )
    .await;
    let home = format!("{}/remote.php/dav/calendars/admin/", witness.base);
    on(
        &server,
        "PROPFIND",
        "/remote.php/dav/principals/users/admin/",
        home_set_reply(&home),
    )
    .await;
    assert_names_href(session.list_calendars().await.unwrap_err(), &home);
    assert_eq!(
        sent(&server, "PROPFIND").await.len(),
        3,
        "discovery ran again"
    );

    // Round 3: a scheme-relative home (`//host:port/...`) is another origin too.
    server.reset().await;
    on(
        &server,
        "PROPFIND",
        "/remote.php/dav/",
        principal_reply("/remote.php/dav/principals/users/admin/"),
    )
    .await;
    let relative = format!(
        "//127.0.0.1:{}/remote.php/dav/calendars/admin/",
        witness.port
    );
    on(
        &server,
        "PROPFIND",
        "/remote.php/dav/principals/users/admin/",
        home_set_reply(&relative),
    )
    .await;
    assert_names_href(session.list_calendars().await.unwrap_err(), &relative);

    assert_eq!(witness.connections(), 0, "a request reached the witness");
}

/// A calendar object the server places on another host would be deleted
/// (with the credential) at that URL; it is refused instead.
#[tokio::test]
async fn a_foreign_object_href_is_never_requested() {
    let witness = Witness::start().await;
    let server = fresh_server().await;
    caldav_discovery(&server).await;
    let href = format!(
        "{}/remote.php/dav/calendars/admin/personal/ev-1.ics",
        witness.base
    );
    let ical = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//x//EN\r\nBEGIN:VEVENT\r\nUID:ev-1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260101T100000Z\r\nSUMMARY:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    on(
        &server,
        "REPORT",
        "/remote.php/dav/calendars/admin/personal/",
        multistatus(&format!(
            r#"<d:response><d:href>{href}</d:href><d:propstat><d:prop><d:getetag>"1"</d:getetag><cal:calendar-data>{ical}</cal:calendar-data></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"#
        )),
    )
    .await;
    let err = session(&server)
        .delete_event("personal", "ev-1", None)
        .await
        .unwrap_err();
    assert_names_href(err, &href);
    assert!(sent(&server, "DELETE").await.is_empty());
    assert_eq!(witness.connections(), 0, "a request reached the witness");
}

#[tokio::test]
async fn a_listing_naming_another_origin_is_refused() {
    let witness = Witness::start().await;
    let server = fresh_server().await;
    let href = format!("{}/remote.php/dav/files/admin/a.txt", witness.base);
    on(
        &server,
        "PROPFIND",
        "/remote.php/dav/files/admin/",
        multistatus(&format!(
            r#"<d:response><d:href>{href}</d:href><d:propstat><d:prop><d:getetag>"1"</d:getetag></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"#
        )),
    )
    .await;
    let err = session(&server)
        .list_folder(&UserPath::root())
        .await
        .unwrap_err();
    assert_names_href(err, &href);
    assert_eq!(witness.connections(), 0);
}

/// reqwest would strip `Authorization` on a cross-origin redirect, but it
/// would still resend the body of a 307/308 and any same-origin hop; the
/// Nextcloud client follows no redirect at all, which this pins down.
#[tokio::test]
async fn redirects_are_not_followed() {
    let witness = Witness::start().await;
    let server = fresh_server().await;
    for (status, http_method) in [(302, "GET"), (307, "PUT"), (308, "PROPFIND")] {
        Mock::given(method(http_method))
            .respond_with(
                ResponseTemplate::new(status)
                    .insert_header("Location", format!("{}/steal", witness.base)),
            )
            .mount(&server)
            .await;
    }
    let session = session(&server);
    let redirected = |err: NextcloudError, code: &str| match &err {
        NextcloudError::Protocol(message) => {
            assert!(
                message.contains(code) && message.contains("redirect"),
                "{message}"
            )
        }
        other => panic!("expected a refused redirect, got {other:?}"),
    };
    redirected(session.get_note(1).await.unwrap_err(), "302");
    let write = session
        .write_file(
            &UserPath::parse("a.txt").unwrap(),
            b"secret".to_vec(),
            None,
            WriteCondition::Any,
        )
        .await;
    redirected(write.unwrap_err(), "307");
    redirected(
        session.list_folder(&UserPath::root()).await.unwrap_err(),
        "308",
    );
    assert_eq!(witness.connections(), 0, "a redirect was followed");
}
