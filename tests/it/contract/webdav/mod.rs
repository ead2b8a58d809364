//! The WebDAV files adapter against real Nextcloud 34 captures: it must send
//! what the real server received and understand what the real server answered.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::fixtures::{
    Exchange, assert_request_matches, load, normalize_xml, only_request,
};
use nextcloud_mcp::adapters::nextcloud::{HttpNextcloud, NextcloudSession};
use nextcloud_mcp::domain::credential::{Credential, CredentialSecret};
use nextcloud_mcp::domain::files::{EntryKind, FileEntry, WriteCondition, WriteOutcome};
use nextcloud_mcp::domain::path::{PathError, UserPath};
use nextcloud_mcp::ports::nextcloud::{FilesApi, NextcloudError};
use percent_encoding::percent_decode_str;
use secrecy::SecretString;
use url::Url;
use wiremock::matchers::{method, path};
use wiremock::{Match, Mock, MockServer, Request, ResponseTemplate};

fn session(server: &MockServer) -> NextcloudSession {
    session_at(&server.uri())
}

fn session_at(base: &str) -> NextcloudSession {
    HttpNextcloud::new(Url::parse(base).unwrap(), Duration::from_secs(5))
        .unwrap()
        .session(Credential {
            user_id: "admin".into(),
            secret: CredentialSecret::AppPassword(SecretString::from("app-pass")),
        })
}

/// A server that answers one capture, the capture, and a session toward it.
async fn replay(folder: &str, name: &str) -> (MockServer, Exchange, NextcloudSession) {
    let server = MockServer::start().await;
    let exchange = load(folder, name);
    exchange.mount(&server).await;
    let session = session(&server);
    (server, exchange, session)
}

fn decoded(path: &str) -> String {
    percent_decode_str(path).decode_utf8().unwrap().into_owned()
}

/// wiremock's `path` matcher compares the raw (encoded) request path, while
/// `Exchange::mock` hands it the decoded fixture path; captures whose path has
/// encoded characters (13, 28) therefore need a decoding matcher.
struct DecodedPath(String);

impl Match for DecodedPath {
    fn matches(&self, request: &Request) -> bool {
        decoded(request.url.path()) == self.0
    }
}

async fn replay_encoded(folder: &str, name: &str) -> (MockServer, Exchange, NextcloudSession) {
    let server = MockServer::start().await;
    let exchange = load(folder, name);
    Mock::given(method(exchange.request.method.as_str()))
        .and(DecodedPath(decoded(&exchange.request.path)))
        .respond_with(exchange.response.template())
        .expect(1)
        .mount(&server)
        .await;
    let session = session(&server);
    (server, exchange, session)
}

fn p(raw: &str) -> UserPath {
    UserPath::parse(raw).unwrap()
}

fn xml(bytes: &[u8]) -> String {
    normalize_xml(std::str::from_utf8(bytes).unwrap())
}

/// Method, path, the named headers, and the body (XML normalised) as captured.
async fn assert_sent_as_captured(server: &MockServer, exchange: &Exchange, headers: &[&str]) {
    let received = only_request(server).await;
    assert_request_matches(&received, &exchange.request, headers);
    assert!(
        received
            .headers
            .get("authorization")
            .is_some_and(|v| v.to_str().unwrap().starts_with("Basic ")),
        "credential attached"
    );
    assert_eq!(xml(&received.body), xml(&exchange.request.body), "body");
}

/// The path part of a Destination header, decoded (the host differs).
fn destination_path(value: &str) -> String {
    decoded(Url::parse(value).unwrap().path())
}

async fn assert_transfer_sent(server: &MockServer, exchange: &Exchange, overwrite: &str) {
    let received = only_request(server).await;
    assert_request_matches(&received, &exchange.request, &[]);
    let header = |name: &str| {
        received
            .headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    };
    assert_eq!(
        destination_path(&header("destination").unwrap()),
        destination_path(exchange.request.header("Destination").unwrap())
    );
    assert_eq!(header("overwrite").as_deref(), Some(overwrite));
    if let Some(captured) = exchange.request.header("Overwrite") {
        assert_eq!(captured, overwrite);
    }
}

fn by_name<'a>(entries: &'a [FileEntry], name: &str) -> &'a FileEntry {
    entries
        .iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("{name} not listed"))
}

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

#[tokio::test]
async fn creates_a_folder() {
    let (server, exchange, session) = replay("webdav", "04-mkcol").await;
    session.create_folder(&p("Fixtures")).await.unwrap();
    assert_sent_as_captured(&server, &exchange, &[]).await;
}

#[tokio::test]
async fn creating_an_existing_folder_is_already_exists() {
    let (server, exchange, session) = replay("webdav", "05-mkcol-exists-405").await;
    let err = session.create_folder(&p("Fixtures")).await.unwrap_err();
    assert_eq!(err, NextcloudError::AlreadyExists("/Fixtures".into()));
    assert_sent_as_captured(&server, &exchange, &[]).await;
}

#[tokio::test]
async fn creating_a_folder_under_a_missing_parent_is_parent_missing() {
    let (server, exchange, session) = replay("webdav", "06-mkcol-missing-parent-409").await;
    let err = session
        .create_folder(&p("No/Such/Parent"))
        .await
        .unwrap_err();
    assert_eq!(err, NextcloudError::ParentMissing("/No/Such/Parent".into()));
    assert_sent_as_captured(&server, &exchange, &[]).await;
}

const PUT_HEADERS: &[&str] = &["content-type", "if-match", "if-none-match"];

async fn put(
    session: &NextcloudSession,
    exchange: &Exchange,
    target: &str,
    condition: WriteCondition,
) -> Result<WriteOutcome, NextcloudError> {
    let content_type = exchange.request.header("Content-Type").map(str::to_string);
    session
        .write_file(
            &p(target),
            exchange.request.body.clone(),
            content_type,
            condition,
        )
        .await
}

async fn assert_put_sent(server: &MockServer, exchange: &Exchange) {
    let received = only_request(server).await;
    assert_request_matches(&received, &exchange.request, PUT_HEADERS);
    assert_eq!(received.body, exchange.request.body, "body");
}

#[tokio::test]
async fn writes_a_new_file() {
    let (server, exchange, session) = replay("webdav", "08-put-new").await;
    let outcome = put(
        &session,
        &exchange,
        "Fixtures/hello.txt",
        WriteCondition::Any,
    )
    .await
    .unwrap();
    assert_put_sent(&server, &exchange).await;
    assert_eq!(
        outcome,
        WriteOutcome {
            created: true,
            etag: Some("\"cee0deb8c0421ccd4c464eee07868994\"".into()),
        }
    );
}

#[tokio::test]
async fn overwrites_with_if_match() {
    let (server, exchange, session) = replay("webdav", "09-put-overwrite-if-match").await;
    let condition = WriteCondition::IfMatch("\"cee0deb8c0421ccd4c464eee07868994\"".into());
    let outcome = put(&session, &exchange, "Fixtures/hello.txt", condition)
        .await
        .unwrap();
    assert_put_sent(&server, &exchange).await;
    assert_eq!(
        outcome,
        WriteOutcome {
            created: false,
            etag: Some("\"08dac5e67ecb9e21eae9e4dd0532f815\"".into()),
        }
    );
}

#[tokio::test]
async fn a_stale_if_match_is_a_conflict() {
    let (server, exchange, session) = replay("webdav", "10-put-stale-if-match-412").await;
    let condition = WriteCondition::IfMatch("\"cee0deb8c0421ccd4c464eee07868994\"".into());
    let err = put(&session, &exchange, "Fixtures/hello.txt", condition)
        .await
        .unwrap_err();
    assert_put_sent(&server, &exchange).await;
    assert_eq!(err, NextcloudError::Conflict("/Fixtures/hello.txt".into()));
}

#[tokio::test]
async fn create_only_onto_an_existing_file_is_already_exists() {
    let (server, exchange, session) = replay("webdav", "11-put-if-none-match-star-412").await;
    let err = put(
        &session,
        &exchange,
        "Fixtures/hello.txt",
        WriteCondition::MustNotExist,
    )
    .await
    .unwrap_err();
    assert_put_sent(&server, &exchange).await;
    assert_eq!(
        err,
        NextcloudError::AlreadyExists("/Fixtures/hello.txt".into())
    );
}

#[tokio::test]
async fn writes_a_file_with_a_unicode_name() {
    let (server, exchange, session) = replay_encoded("webdav", "13-put-unicode-name").await;
    let outcome = put(
        &session,
        &exchange,
        "Fixtures/Grüße aus Köln & #more.txt",
        WriteCondition::Any,
    )
    .await
    .unwrap();
    assert_put_sent(&server, &exchange).await;
    let received = only_request(&server).await;
    // Every reserved character is encoded, so `&` and `#` stay in the name.
    assert_eq!(
        received.url.path(),
        "/remote.php/dav/files/admin/Fixtures/Gr%C3%BC%C3%9Fe%20aus%20K%C3%B6ln%20%26%20%23more.txt"
    );
    assert!(outcome.created);
    assert_eq!(
        outcome.etag.as_deref(),
        Some("\"bf9cc5d78eeac8412860d3bc7d607347\"")
    );
}

#[tokio::test]
async fn writing_under_a_missing_parent_is_parent_missing() {
    let (server, exchange, session) = replay("webdav", "14-put-missing-parent-404").await;
    let err = put(&session, &exchange, "No/Such/file.txt", WriteCondition::Any)
        .await
        .unwrap_err();
    assert_put_sent(&server, &exchange).await;
    assert_eq!(
        err,
        NextcloudError::ParentMissing("/No/Such/file.txt".into())
    );
}

#[tokio::test]
async fn reads_a_file() {
    let (server, exchange, session) = replay("webdav", "18-get").await;
    let content = session
        .read_file(&p("Fixtures/hello.txt"), 1024)
        .await
        .unwrap();
    assert_sent_as_captured(&server, &exchange, &[]).await;
    assert_eq!(content.bytes, b"Hello again, second version.\n");
    assert_eq!(
        content.content_type.as_deref(),
        Some("text/plain;charset=UTF-8")
    );
    assert_eq!(
        content.etag.as_deref(),
        Some("\"08dac5e67ecb9e21eae9e4dd0532f815\"")
    );
}

#[tokio::test]
async fn reading_a_missing_file_is_not_found() {
    let (server, exchange, session) = replay("webdav", "22-get-missing-404").await;
    let err = session
        .read_file(&p("Fixtures/none.txt"), 1024)
        .await
        .unwrap_err();
    assert_sent_as_captured(&server, &exchange, &[]).await;
    assert_eq!(err, NextcloudError::NotFound("/Fixtures/none.txt".into()));
}

#[tokio::test]
async fn reading_past_the_limit_is_refused() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/remote.php/dav/files/admin/big.bin"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(vec![b'x'; 4096]))
        .mount(&server)
        .await;
    let err = session(&server)
        .read_file(&p("big.bin"), 1000)
        .await
        .unwrap_err();
    assert_eq!(err, NextcloudError::TooLarge("/big.bin".into(), 1000));
    // Exactly at the limit is fine.
    let content = session(&server)
        .read_file(&p("big.bin"), 4096)
        .await
        .unwrap();
    assert_eq!(content.bytes.len(), 4096);
}

/// A one-shot server that streams `len` bytes chunked, without Content-Length,
/// so only the adapter's running count can stop the download.
async fn chunked_server(len: usize) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut head = Vec::new();
        let mut buf = [0u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = socket.read(&mut buf).await.unwrap();
            if n == 0 {
                return;
            }
            head.extend_from_slice(&buf[..n]);
        }
        let mut reply = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        for chunk in vec![b'x'; len].chunks(512) {
            reply.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
            reply.extend_from_slice(chunk);
            reply.extend_from_slice(b"\r\n");
        }
        reply.extend_from_slice(b"0\r\n\r\n");
        let _ = socket.write_all(&reply).await;
    });
    format!("http://{address}/")
}

#[tokio::test]
async fn a_stream_without_length_is_cut_off_at_the_limit() {
    let session = session_at(&chunked_server(8192).await);
    let err = session.read_file(&p("big.bin"), 1000).await.unwrap_err();
    assert_eq!(err, NextcloudError::TooLarge("/big.bin".into(), 1000));

    let session = session_at(&chunked_server(8192).await);
    let content = session.read_file(&p("big.bin"), 8192).await.unwrap();
    assert_eq!(content.bytes.len(), 8192);
}

#[tokio::test]
async fn copies_a_file() {
    let (server, exchange, session) = replay("webdav", "26-copy").await;
    session
        .copy_entry(
            &p("Fixtures/hello.txt"),
            &p("Fixtures/hello (copy).txt"),
            true,
        )
        .await
        .unwrap();
    // The capture left Overwrite out, which RFC 4918 defines as T.
    assert_transfer_sent(&server, &exchange, "T").await;
}

#[tokio::test]
async fn copying_onto_an_existing_file_without_overwrite_is_already_exists() {
    let (server, exchange, session) =
        replay("webdav", "27-copy-onto-existing-no-overwrite-412").await;
    let err = session
        .copy_entry(
            &p("Fixtures/hello.txt"),
            &p("Fixtures/hello (copy).txt"),
            false,
        )
        .await
        .unwrap_err();
    assert_transfer_sent(&server, &exchange, "F").await;
    assert_eq!(
        err,
        NextcloudError::AlreadyExists("/Fixtures/hello (copy).txt".into())
    );
}

#[tokio::test]
async fn moves_a_file() {
    let (server, exchange, session) = replay_encoded("webdav", "28-move").await;
    session
        .move_entry(
            &p("Fixtures/hello (copy).txt"),
            &p("Fixtures/Archive/hello-moved.txt"),
            false,
        )
        .await
        .unwrap();
    assert_transfer_sent(&server, &exchange, "F").await;
}

#[tokio::test]
async fn moves_a_file_over_another() {
    let (server, exchange, session) = replay("webdav", "29-move-overwrite").await;
    session
        .move_entry(
            &p("Fixtures/report-2026.md"),
            &p("Fixtures/Archive/report-2026.md"),
            true,
        )
        .await
        .unwrap();
    assert_transfer_sent(&server, &exchange, "T").await;
}

#[tokio::test]
async fn searches_by_name() {
    let (server, exchange, session) = replay("webdav", "32-search-by-name").await;
    let entries = session
        .search_by_name(&UserPath::root(), "%hello%", 10)
        .await
        .unwrap();
    let received = only_request(&server).await;
    assert_request_matches(&received, &exchange.request, &["content-type"]);
    // The adapter also selects d:resourcetype so folders can be told apart.
    let captured = std::str::from_utf8(&exchange.request.body)
        .unwrap()
        .replace("<oc:favorite/>", "<oc:favorite/><d:resourcetype/>");
    assert_eq!(xml(&received.body), normalize_xml(&captured));

    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].path, p("Fixtures/hello.txt"));
    assert_eq!(entries[0].file_id, Some(228));
    assert_eq!(entries[0].size, Some(29));
    assert!(entries[0].favorite);
    assert_eq!(
        entries[0].etag.as_deref(),
        Some("\"08dac5e67ecb9e21eae9e4dd0532f815\"")
    );
    assert_eq!(entries[1].path, p("Fixtures/Archive/hello-moved.txt"));
    assert_eq!(entries[1].name, "hello-moved.txt");
    assert_eq!(entries[1].file_id, Some(235));
    assert!(!entries[1].favorite);
}

#[tokio::test]
async fn search_scope_and_literal_are_escaped() {
    let server = MockServer::start().await;
    Mock::given(method("SEARCH"))
        .and(path("/remote.php/dav/"))
        .respond_with(
            ResponseTemplate::new(207)
                .set_body_string(r#"<?xml version="1.0"?><d:multistatus xmlns:d="DAV:"/>"#),
        )
        .mount(&server)
        .await;
    let entries = session(&server)
        .search_by_name(&p("R&D <x>"), "%a<b>&c%", 5)
        .await
        .unwrap();
    assert!(entries.is_empty());
    let body = String::from_utf8(only_request(&server).await.body).unwrap();
    assert!(
        body.contains("<d:href>/files/admin/R&amp;D &lt;x&gt;</d:href>"),
        "{body}"
    );
    assert!(
        body.contains("<d:literal>%a&lt;b&gt;&amp;c%</d:literal>"),
        "{body}"
    );
    assert!(body.contains("<d:nresults>5</d:nresults>"), "{body}");
}

#[tokio::test]
async fn deletes_a_file() {
    let (server, exchange, session) = replay("webdav", "35-delete-file").await;
    session
        .delete_entry(&p("Fixtures/Archive/hello-moved.txt"))
        .await
        .unwrap();
    assert_sent_as_captured(&server, &exchange, &[]).await;
}

#[tokio::test]
async fn deleting_a_missing_file_is_not_found() {
    let (server, exchange, session) = replay("webdav", "36-delete-missing-404").await;
    let err = session
        .delete_entry(&p("Fixtures/Archive/hello-moved.txt"))
        .await
        .unwrap_err();
    assert_sent_as_captured(&server, &exchange, &[]).await;
    assert_eq!(
        err,
        NextcloudError::NotFound("/Fixtures/Archive/hello-moved.txt".into())
    );
}

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
