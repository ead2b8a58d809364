//! System tags, comments, favorites, the trash bin, versions and file search
//! against real Nextcloud 34 captures (systemtags/, comments/, webdav/30-38):
//! each request as the real server received it, each reply understood, and
//! each captured error answered with an error a person can act on.

mod comments;
mod tags;
mod webdav;

use wiremock::{Mock, MockServer, Request};

use crate::support::fixtures::{
    Exchange, admin_session, assert_request_matches, load, normalize_xml,
};
use nextcloud_mcp::adapters::nextcloud::NextcloudSession;
use nextcloud_mcp::domain::path::UserPath;

/// The captured file the tag and comment captures are about (file id 405).
pub const TAGGED: &str = "fx-tagged.txt";

pub fn p(raw: &str) -> UserPath {
    UserPath::parse(raw).unwrap()
}

/// A mock Nextcloud that knows `fx-tagged.txt` (its PROPFIND answered by
/// systemtags/19, which carries `oc:fileid` 405) and answers `captures`
/// (folder, name), each expected once.
pub async fn nextcloud_with(
    captures: &[(&str, &str)],
) -> (MockServer, Vec<Exchange>, NextcloudSession) {
    let server = MockServer::start().await;
    let file = load("systemtags", "19-file-props-with-tags");
    Mock::given(wiremock::matchers::method("PROPFIND"))
        .and(wiremock::matchers::path(format!(
            "/remote.php/dav/files/admin/{TAGGED}"
        )))
        .respond_with(file.response.template())
        .mount(&server)
        .await;
    let mut exchanges = Vec::new();
    for (folder, name) in captures {
        let exchange = load(folder, name);
        exchange.mount(&server).await;
        exchanges.push(exchange);
    }
    let session = admin_session(&server);
    (server, exchanges, session)
}

/// The one request the server received for `exchange` (same method and
/// path), besides the file-id look-ups.
pub async fn received_for(server: &MockServer, exchange: &Exchange) -> Request {
    let requests = server.received_requests().await.expect("recording enabled");
    let mut matching: Vec<Request> = requests
        .into_iter()
        .filter(|r| {
            r.method.as_str() == exchange.request.method
                && percent_encoding::percent_decode_str(r.url.path())
                    .decode_utf8()
                    .unwrap()
                    == percent_encoding::percent_decode_str(&exchange.request.path)
                        .decode_utf8()
                        .unwrap()
        })
        .collect();
    assert_eq!(matching.len(), 1, "{}: requests", exchange.name);
    let received = matching.remove(0);
    assert_request_matches(&received, &exchange.request, &[]);
    received
}

/// XML compared without its declaration (captures differ in its spelling)
/// and with whitespace between tags collapsed.
pub fn xml_body(bytes: &[u8]) -> String {
    let text = std::str::from_utf8(bytes).unwrap().trim();
    let body = match text.strip_prefix("<?xml") {
        Some(rest) => &rest[rest.find("?>").unwrap() + 2..],
        None => text,
    };
    normalize_xml(body)
}

/// The received XML body equals the captured one.
pub fn assert_same_xml(received: &Request, exchange: &Exchange) {
    assert_eq!(
        xml_body(&received.body),
        xml_body(&exchange.request.body),
        "{}: body",
        exchange.name
    );
}

pub fn header(received: &Request, name: &str) -> Option<String> {
    received
        .headers
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
}
