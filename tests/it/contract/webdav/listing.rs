//! Listing folders and reading one entry's information.

use super::{assert_sent_as_captured, by_name, p, replay, session};

use crate::support::fixtures::{assert_request_matches, load, only_request};
use nextcloud_mcp::domain::files::EntryKind;
use nextcloud_mcp::domain::path::UserPath;
use nextcloud_mcp::ports::nextcloud::{FilesApi, NextcloudError};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

#[tokio::test]
async fn lists_the_home_folder_despite_404_propstats() {
    let (server, exchange, session) = replay("webdav", "01-propfind-home-depth1").await;
    let entries = session.list_folder(&UserPath::root()).await.unwrap();
    assert_sent_as_captured(&server, &exchange, &["depth", "content-type"]).await;

    assert_eq!(entries.len(), 10, "the home folder itself is dropped");
    assert!(entries.iter().all(|e| e.name != "admin"));
    let photos = by_name(&entries, "Photos");
    assert_eq!(photos.kind, EntryKind::Folder);
    assert_eq!(photos.path, p("Photos"));
    assert_eq!(photos.size, Some(5_656_463));
    assert_eq!(photos.etag.as_deref(), Some("\"6b03dc8027e2d\""));
    assert_eq!(photos.file_id, Some(8));
    assert_eq!(photos.content_type, None, "404 propstat is ignored");
    let video = by_name(&entries, "Nextcloud intro.mp4");
    assert_eq!(video.kind, EntryKind::File);
    assert_eq!(video.path, p("Nextcloud intro.mp4"));
    assert_eq!(video.size, Some(3_963_036));
    assert_eq!(video.content_type.as_deref(), Some("video/mp4"));
    assert_eq!(
        video.etag.as_deref(),
        Some("\"6b6eae2e757432e3f1da13cd65c1d938\"")
    );
    assert_eq!(
        video.modified.as_deref(),
        Some("Mon, 23 Nov 2026 06:26:09 GMT")
    );
    assert_eq!(video.file_id, Some(67));
    assert!(!video.favorite);
}

#[tokio::test]
async fn lists_a_folder_with_a_unicode_child() {
    let (server, exchange, session) = replay("webdav", "23-propfind-folder-depth1").await;
    let entries = session.list_folder(&p("Fixtures")).await.unwrap();
    assert_sent_as_captured(&server, &exchange, &["depth", "content-type"]).await;

    let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Archive",
            "hello.txt",
            "report-2026.md",
            "Grüße aus Köln & #more.txt",
            "same-second.txt"
        ]
    );
    let archive = by_name(&entries, "Archive");
    assert_eq!(archive.kind, EntryKind::Folder);
    assert_eq!(archive.size, Some(0));
    let unicode = by_name(&entries, "Grüße aus Köln & #more.txt");
    assert_eq!(unicode.path, p("Fixtures/Grüße aus Köln & #more.txt"));
    assert_eq!(unicode.file_id, Some(232));
    assert_eq!(unicode.size, Some(18));
}

#[tokio::test]
async fn file_info_reads_one_entry() {
    let (server, exchange, session) = replay("webdav", "24-propfind-file-depth0").await;
    let entry = session.file_info(&p("Fixtures/hello.txt")).await.unwrap();
    assert_sent_as_captured(&server, &exchange, &["depth", "content-type"]).await;

    assert_eq!(entry.path, p("Fixtures/hello.txt"));
    assert_eq!(entry.name, "hello.txt");
    assert_eq!(entry.kind, EntryKind::File);
    assert_eq!(entry.size, Some(29));
    assert_eq!(
        entry.etag.as_deref(),
        Some("\"08dac5e67ecb9e21eae9e4dd0532f815\"")
    );
    assert_eq!(entry.file_id, Some(228));
    assert_eq!(entry.content_type.as_deref(), Some("text/plain"));
}

#[tokio::test]
async fn listing_a_missing_folder_is_not_found() {
    let (server, exchange, session) = replay("webdav", "25-propfind-missing-404").await;
    let err = session.list_folder(&p("Fixtures/nope")).await.unwrap_err();
    assert_eq!(err, NextcloudError::NotFound("/Fixtures/nope".into()));
    // The capture probed the folder URL with Depth 0; a listing asks for Depth 1.
    assert_sent_as_captured(&server, &exchange, &["content-type"]).await;
    let received = only_request(&server).await;
    assert_eq!(received.headers.get("depth").unwrap(), "1");
}

#[tokio::test]
async fn file_info_of_a_missing_path_is_not_found() {
    let server = MockServer::start().await;
    let exchange = load("webdav", "25-propfind-missing-404");
    Mock::given(method("PROPFIND"))
        .and(path("/remote.php/dav/files/admin/Fixtures/nope"))
        .respond_with(exchange.response.template())
        .expect(1)
        .mount(&server)
        .await;
    let err = session(&server)
        .file_info(&p("Fixtures/nope"))
        .await
        .unwrap_err();
    assert_eq!(err, NextcloudError::NotFound("/Fixtures/nope".into()));
}

#[tokio::test]
async fn a_rejected_credential_is_reported_as_such() {
    let (server, exchange, session) = replay("errors", "05-dav-bad-credentials").await;
    let err = session.file_info(&UserPath::root()).await.unwrap_err();
    assert_eq!(err, NextcloudError::CredentialRejected);
    assert!(!err.to_string().contains("app-pass"));
    let received = only_request(&server).await;
    assert_request_matches(&received, &exchange.request, &["depth"]);
}
