//! What is never sent, and multistatus answers the adapter refuses or reads
//! by namespace.

use super::{p, session};

use crate::support::fixtures::load;
use nextcloud_mcp::domain::files::EntryKind;
use nextcloud_mcp::domain::path::{PathError, UserPath};
use nextcloud_mcp::ports::nextcloud::{FilesApi, NextcloudError};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn a_path_above_the_root_cannot_be_built_so_nothing_is_sent() {
    let server = MockServer::start().await;
    for raw in ["../x", "a/../../x", "..\\x"] {
        assert!(matches!(
            UserPath::parse(raw),
            Err(PathError::EscapesRoot(_))
        ));
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn garbage_instead_of_multistatus_is_a_protocol_error() {
    let server = MockServer::start().await;
    Mock::given(method("PROPFIND"))
        .respond_with(ResponseTemplate::new(207).set_body_string("<html>oops"))
        .mount(&server)
        .await;
    let err = session(&server).list_folder(&p("a")).await.unwrap_err();
    assert!(matches!(err, NextcloudError::Protocol(_)), "{err:?}");
}

#[tokio::test]
async fn listing_a_file_is_refused() {
    let server = MockServer::start().await;
    let exchange = load("webdav", "24-propfind-file-depth0");
    Mock::given(method("PROPFIND"))
        .respond_with(exchange.response.template())
        .mount(&server)
        .await;
    let err = session(&server)
        .list_folder(&p("Fixtures/hello.txt"))
        .await
        .unwrap_err();
    assert!(matches!(err, NextcloudError::BadRequest(_)), "{err:?}");
}

/// Other DAV servers (and proxies) pick other prefixes; only namespaces count.
#[tokio::test]
async fn parsing_follows_namespaces_not_prefixes() {
    let server = MockServer::start().await;
    // An absolute href of the server's own origin is as good as a path.
    let body = r#"<?xml version="1.0"?>
<multistatus xmlns="DAV:" xmlns:own="http://owncloud.org/ns" xmlns:o="urn:other">
 <response><href>/remote.php/dav/files/admin/a/</href>
  <propstat><prop><displayname>a</displayname><resourcetype><collection/></resourcetype></prop>
   <status>HTTP/1.1 200 OK</status></propstat></response>
 <response><href>http://elsewhere/remote.php/dav/files/admin/a/b%20c.txt</href>
  <propstat><prop><getetag>&#34;e1&#34;</getetag><own:fileid>9</own:fileid><o:fileid>1</o:fileid>
   <own:favorite>1</own:favorite><getcontentlength>5</getcontentlength><o:size>77</o:size>
   <resourcetype/></prop><status>HTTP/1.1 200 OK</status></propstat>
  <propstat><prop><own:size/><o:collection/></prop><status>HTTP/1.1 404 Not Found</status></propstat>
 </response>
</multistatus>"#
        .replace("http://elsewhere", &server.uri());
    Mock::given(method("PROPFIND"))
        .and(path("/remote.php/dav/files/admin/a/"))
        .respond_with(ResponseTemplate::new(207).set_body_string(body))
        .mount(&server)
        .await;
    let entries = session(&server).list_folder(&p("a")).await.unwrap();
    assert_eq!(entries.len(), 1);
    let file = &entries[0];
    assert_eq!(file.path, p("a/b c.txt"));
    assert_eq!(file.kind, EntryKind::File);
    assert_eq!(file.etag.as_deref(), Some("\"e1\""));
    assert_eq!(file.file_id, Some(9));
    assert_eq!(file.size, Some(5), "falls back to getcontentlength");
    assert!(file.favorite);
}

#[tokio::test]
async fn an_href_outside_the_files_root_is_a_protocol_error() {
    let body = r#"<d:multistatus xmlns:d="DAV:"><d:response>
<d:href>/remote.php/dav/files/alice/secret.txt</d:href></d:response></d:multistatus>"#;
    let server = MockServer::start().await;
    Mock::given(method("PROPFIND"))
        .respond_with(ResponseTemplate::new(207).set_body_string(body))
        .mount(&server)
        .await;
    let err = session(&server).file_info(&p("x")).await.unwrap_err();
    assert!(matches!(err, NextcloudError::Protocol(_)), "{err:?}");
}
