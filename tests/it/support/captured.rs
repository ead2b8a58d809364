//! A wiremock Nextcloud that answers every foundation tool's happy path (and a
//! few error paths) with the real Nextcloud 34 captures.

use wiremock::matchers::{header, method, path_regex};
use wiremock::{Mock, MockServer};

use super::e2e::serve_capture;
use super::fixtures::load;

pub const NOTES: &str = "^/index.php/apps/notes/api/v1/notes";
pub const DAV: &str = "^/remote.php/dav/files/admin";

/// A Nextcloud that answers every tool's happy path with real captures.
pub async fn nextcloud_with_captures() -> MockServer {
    let nc = MockServer::start().await;
    serve_capture(&nc, "GET", &format!("{NOTES}$"), "notes", "12-list").await;
    serve_capture(&nc, "GET", &format!("{NOTES}/213$"), "notes", "07-get").await;
    serve_capture(
        &nc,
        "GET",
        &format!("{NOTES}/999999$"),
        "notes",
        "20-get-missing-404",
    )
    .await;
    serve_capture(&nc, "POST", &format!("{NOTES}$"), "notes", "03-create").await;
    serve_capture(
        &nc,
        "PUT",
        &format!("{NOTES}/213$"),
        "notes",
        "08-update-if-match",
    )
    .await;
    // A stale etag gets the real 412, whatever else is mounted for that note.
    Mock::given(method("PUT"))
        .and(path_regex(format!("{NOTES}/213$")))
        .and(header("If-Match", "\"stale-etag\""))
        .respond_with(
            load("notes", "09-update-stale-if-match-412")
                .response
                .template(),
        )
        .with_priority(1)
        .mount(&nc)
        .await;
    serve_capture(
        &nc,
        "DELETE",
        &format!("{NOTES}/218$"),
        "notes",
        "21-delete",
    )
    .await;

    serve_capture(
        &nc,
        "PROPFIND",
        &format!("{DAV}/Fixtures/?$"),
        "webdav",
        "23-propfind-folder-depth1",
    )
    .await;
    serve_capture(
        &nc,
        "PROPFIND",
        &format!("{DAV}/Fixtures/hello.txt$"),
        "webdav",
        "24-propfind-file-depth0",
    )
    .await;
    serve_capture(
        &nc,
        "GET",
        &format!("{DAV}/Fixtures/hello.txt$"),
        "webdav",
        "18-get",
    )
    .await;
    serve_capture(
        &nc,
        "GET",
        &format!("{DAV}/Fixtures/none.txt$"),
        "webdav",
        "22-get-missing-404",
    )
    .await;
    serve_capture(
        &nc,
        "PUT",
        &format!("{DAV}/Fixtures/hello.txt$"),
        "webdav",
        "08-put-new",
    )
    .await;
    serve_capture(
        &nc,
        "MKCOL",
        &format!("{DAV}/Fixtures/Archive/?$"),
        "webdav",
        "07-mkcol-archive",
    )
    .await;
    // The adapter may percent-encode the parentheses; either spelling is the same file.
    serve_capture(
        &nc,
        "MOVE",
        &format!("{DAV}/Fixtures/hello%20(\\(|%28)copy(\\)|%29).txt$"),
        "webdav",
        "28-move",
    )
    .await;
    serve_capture(
        &nc,
        "COPY",
        &format!("{DAV}/Fixtures/hello.txt$"),
        "webdav",
        "26-copy",
    )
    .await;
    serve_capture(
        &nc,
        "DELETE",
        &format!("{DAV}/Fixtures/Archive/hello-moved.txt$"),
        "webdav",
        "35-delete-file",
    )
    .await;
    serve_capture(
        &nc,
        "SEARCH",
        "^/remote.php/dav/?$",
        "webdav",
        "32-search-by-name",
    )
    .await;
    nc
}
