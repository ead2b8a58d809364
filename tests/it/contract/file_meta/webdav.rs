//! Favorites, the trash bin, versions and search (captures webdav/24, 30-38).

use super::*;
use nextcloud_mcp::domain::file_meta::query::{FileQuery, MimeFilter};
use nextcloud_mcp::domain::files::EntryKind;
use nextcloud_mcp::ports::nextcloud::{FileMetaApi, NextcloudError};
use wiremock::ResponseTemplate;
use wiremock::matchers::{method, path};

/// A mock that knows `Fixtures/hello.txt` (file id 228, capture webdav/24).
async fn with_hello(server: &MockServer) {
    let info = load("webdav", "24-propfind-file-depth0");
    Mock::given(method("PROPFIND"))
        .and(path("/remote.php/dav/files/admin/Fixtures/hello.txt"))
        .respond_with(info.response.template())
        .mount(server)
        .await;
}

#[tokio::test]
async fn lists_favorites_with_a_filter_files_report() {
    let (server, captures, session) = nextcloud_with(&[("webdav", "31-report-favorites")]).await;
    let favorites = session.list_favorites(&UserPath::root()).await.unwrap();
    let received = received_for(&server, &captures[0]).await;
    let sent = xml_body(&received.body);
    assert!(
        sent.contains("<oc:filter-rules><oc:favorite>1</oc:favorite></oc:filter-rules>"),
        "{sent}"
    );
    let paths: Vec<String> = favorites.iter().map(|e| e.path.to_string()).collect();
    assert_eq!(
        paths,
        [
            "/Notes/Home/Shopping/Groceries (weekly).md",
            "/Notes/Work/Planning/Q1 plan.md",
            "/Fixtures/hello.txt"
        ]
    );
    assert!(favorites.iter().all(|e| e.favorite));
    assert_eq!(favorites[2].file_id, Some(228));
}

#[tokio::test]
async fn favorites_of_a_folder_ask_that_folder() {
    let server = MockServer::start().await;
    let reply = load("webdav", "31-report-favorites");
    Mock::given(method("REPORT"))
        .and(path("/remote.php/dav/files/admin/Fixtures/"))
        .respond_with(reply.response.template())
        .expect(1)
        .mount(&server)
        .await;
    let session = admin_session(&server);
    assert_eq!(
        session.list_favorites(&p("Fixtures")).await.unwrap().len(),
        3
    );
}

#[tokio::test]
async fn sets_a_favorite_with_proppatch_as_captured() {
    let (server, captures, session) = nextcloud_with(&[("webdav", "30-proppatch-favorite")]).await;
    session
        .set_favorite(&p("Fixtures/hello.txt"), true)
        .await
        .unwrap();
    let received = received_for(&server, &captures[0]).await;
    assert_same_xml(&received, &captures[0]);
}

#[tokio::test]
async fn lists_the_trash_bin_with_restorable_ids() {
    let (server, captures, session) = nextcloud_with(&[("webdav", "37-trashbin-list")]).await;
    let entries = session.list_trash().await.unwrap();
    let received = received_for(&server, &captures[0]).await;
    assert_same_xml(&received, &captures[0]);
    assert_eq!(header(&received, "depth").as_deref(), Some("1"));

    assert_eq!(entries.len(), 2, "the trash folder itself is left out");
    let first = &entries[0];
    assert_eq!(first.entry_id, "hello-moved.txt.d1795423109");
    assert_eq!(first.name, "hello-moved.txt");
    assert_eq!(
        first.original_location.as_deref(),
        Some("Fixtures/Archive/hello-moved.txt")
    );
    assert_eq!(first.deleted_at, Some(1_795_423_109));
    assert_eq!(first.deleted_by.as_deref(), Some("admin"));
    assert_eq!(first.kind, EntryKind::File);
    assert_eq!(first.size, Some(29));
    assert_eq!(first.file_id, Some(235));
    assert_eq!(entries[1].entry_id, "New note.md.d1795423106", "decoded");
}

#[tokio::test]
async fn a_trash_href_outside_the_trash_is_refused() {
    let server = MockServer::start().await;
    let body = r#"<?xml version="1.0"?>
<d:multistatus xmlns:d="DAV:"><d:response><d:href>/remote.php/dav/trashbin/bob/trash/x.d1</d:href>
<d:propstat><d:prop><d:getcontentlength>1</d:getcontentlength></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>"#;
    Mock::given(method("PROPFIND"))
        .and(path("/remote.php/dav/trashbin/admin/trash/"))
        .respond_with(ResponseTemplate::new(207).set_body_string(body))
        .mount(&server)
        .await;
    let err = admin_session(&server).list_trash().await.unwrap_err();
    assert!(matches!(err, NextcloudError::Protocol(_)), "{err:?}");

    let elsewhere = body.replace(
        "/remote.php/dav/trashbin/bob/",
        "http://elsewhere.example/remote.php/dav/trashbin/admin/",
    );
    let server = MockServer::start().await;
    Mock::given(method("PROPFIND"))
        .and(path("/remote.php/dav/trashbin/admin/trash/"))
        .respond_with(ResponseTemplate::new(207).set_body_string(elsewhere))
        .mount(&server)
        .await;
    let err = admin_session(&server).list_trash().await.unwrap_err();
    assert!(matches!(err, NextcloudError::Protocol(_)), "{err:?}");
}

#[tokio::test]
async fn a_disabled_app_is_named_instead_of_a_missing_path() {
    // Nothing mocked: every DAV tree answers 404, as when its app is off.
    let server = MockServer::start().await;
    with_hello(&server).await;
    let session = admin_session(&server);
    let trash = session.list_trash().await.unwrap_err().to_string();
    assert!(
        trash.contains("'files_trashbin' app may be disabled"),
        "{trash}"
    );
    let versions = session
        .list_versions(&p("Fixtures/hello.txt"))
        .await
        .unwrap_err()
        .to_string();
    assert!(versions.contains("'files_versions' app"), "{versions}");
    let tags = session.list_system_tags().await.unwrap_err().to_string();
    assert!(tags.contains("'systemtags' app"), "{tags}");
    let comments = session
        .list_file_comments(&p("Fixtures/hello.txt"), 5, 0)
        .await
        .unwrap_err()
        .to_string();
    assert!(comments.contains("'comments' app"), "{comments}");
}

#[tokio::test]
async fn restores_from_the_trash_with_a_move_into_restore() {
    let (server, captures, session) = nextcloud_with(&[("webdav", "38-trashbin-restore")]).await;
    session
        .restore_from_trash("hello-moved.txt.d1795423109")
        .await
        .unwrap();
    let received = received_for(&server, &captures[0]).await;
    let destination = header(&received, "destination").unwrap();
    let captured = captures[0].request.header("Destination").unwrap();
    assert_eq!(
        url::Url::parse(&destination).unwrap().path(),
        url::Url::parse(captured).unwrap().path()
    );
    assert_eq!(
        url::Url::parse(&destination).unwrap().origin(),
        url::Url::parse(&server.uri()).unwrap().origin(),
        "the destination stays on this Nextcloud"
    );
}

#[tokio::test]
async fn restoring_an_unknown_trash_entry_is_not_found() {
    let server = MockServer::start().await;
    let err = admin_session(&server)
        .restore_from_trash("gone.txt.d1")
        .await
        .unwrap_err();
    assert_eq!(
        err,
        NextcloudError::NotFound("trash entry 'gone.txt.d1'".into())
    );
}

#[tokio::test]
async fn lists_versions_by_file_id() {
    let server = MockServer::start().await;
    with_hello(&server).await;
    let versions = load("webdav", "34-versions-list");
    versions.mount(&server).await;
    let session = admin_session(&server);
    let list = session
        .list_versions(&p("Fixtures/hello.txt"))
        .await
        .unwrap();
    let received = received_for(&server, &versions).await;
    assert_same_xml(&received, &versions);

    let ids: Vec<&str> = list.iter().map(|v| v.version_id.as_str()).collect();
    assert_eq!(ids, ["1795423106", "1795423107"]);
    assert_eq!(list[0].size, Some(32));
    assert_eq!(list[0].author.as_deref(), Some("admin"));
    assert_eq!(list[0].label, None, "a 404 propstat is no label");
    assert_eq!(
        list[1].modified.as_deref(),
        Some("Mon, 23 Nov 2026 08:38:27 GMT")
    );
}

#[tokio::test]
async fn restores_a_version_by_moving_it_onto_restore_target() {
    let server = MockServer::start().await;
    with_hello(&server).await;
    Mock::given(method("MOVE"))
        .and(path(
            "/remote.php/dav/versions/admin/versions/228/1795423106",
        ))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let session = admin_session(&server);
    session
        .restore_version(&p("Fixtures/hello.txt"), "1795423106")
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    let moved = requests
        .iter()
        .find(|r| r.method.as_str() == "MOVE")
        .unwrap();
    let destination = header(moved, "destination").unwrap();
    assert_eq!(
        url::Url::parse(&destination).unwrap().path(),
        "/remote.php/dav/versions/admin/restore/target"
    );

    let err = session
        .restore_version(&p("Fixtures/hello.txt"), "1")
        .await
        .unwrap_err();
    assert_eq!(
        err,
        NextcloudError::NotFound("version 1 of /Fixtures/hello.txt".into())
    );
}

#[tokio::test]
async fn searches_by_mime_family_and_size_as_captured() {
    let (server, captures, session) =
        nextcloud_with(&[("webdav", "33-search-mimetype-and-size")]).await;
    let mut query = FileQuery::new(p("Fixtures"), 10);
    query.mime = Some(MimeFilter::Family("text/".into()));
    query.min_size = Some(21);
    let found = session.search_files(&query).await.unwrap();
    let received = received_for(&server, &captures[0]).await;
    assert_eq!(
        header(&received, "content-type").as_deref(),
        Some("text/xml; charset=utf-8")
    );
    // The adapter also selects d:resourcetype so folders can be told apart.
    let captured = std::str::from_utf8(&captures[0].request.body)
        .unwrap()
        .replace("<oc:favorite/>", "<oc:favorite/><d:resourcetype/>");
    assert_eq!(xml_body(&received.body), xml_body(captured.as_bytes()));

    let names: Vec<&str> = found.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "same-second.txt",
            "hello.txt",
            "hello-moved.txt",
            "report-2026.md"
        ]
    );
    assert_eq!(found[3].path, p("Fixtures/Archive/report-2026.md"));
    assert_eq!(found[0].size, Some(52));
}
