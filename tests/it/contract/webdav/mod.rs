//! The WebDAV files adapter against real Nextcloud 34 captures: it must send
//! what the real server received and understand what the real server answered.

mod deletes;
mod folders;
mod listing;
mod protocol;
mod reads;
mod search;
mod transfers;
mod writes;

use std::time::Duration;

use crate::support::fixtures::{
    Exchange, assert_request_matches, load, normalize_xml, only_request,
};
use nextcloud_mcp::adapters::nextcloud::{HttpNextcloud, NextcloudSession};
use nextcloud_mcp::domain::credential::{Credential, CredentialSecret};
use nextcloud_mcp::domain::files::FileEntry;
use nextcloud_mcp::domain::path::UserPath;
use percent_encoding::percent_decode_str;
use secrecy::SecretString;
use url::Url;
use wiremock::matchers::method;
use wiremock::{Match, Mock, MockServer, Request};

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
