//! Shared by the CalDAV/CardDAV tests: a session toward a mock Nextcloud,
//! discovery replayed from the captures, and access to what was sent.

use std::time::Duration;

use nextcloud_mcp::adapters::nextcloud::{HttpNextcloud, NextcloudSession};
use nextcloud_mcp::domain::credential::{Credential, CredentialSecret};
use secrecy::SecretString;
use url::Url;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request};

use super::fixtures::{Exchange, load, normalize_xml};

pub const CAL_HOME: &str = "/remote.php/dav/calendars/admin/";
pub const BOOK_HOME: &str = "/remote.php/dav/addressbooks/users/admin/";

/// A fresh mock server: not one from wiremock's pool, whose reused address
/// would hit the adapter's discovery cache from an earlier test.
pub async fn fresh_server() -> MockServer {
    MockServer::builder().start().await
}

pub fn session(server: &MockServer) -> NextcloudSession {
    HttpNextcloud::new(Url::parse(&server.uri()).unwrap(), Duration::from_secs(5))
        .unwrap()
        .session(Credential {
            user_id: "admin".into(),
            secret: CredentialSecret::AppPassword(SecretString::from("app-pass")),
        })
}

/// Answers the capture's method and exact path with its response, any number of times.
pub async fn serve(server: &MockServer, exchange: &Exchange) {
    Mock::given(method(exchange.request.method.as_str()))
        .and(path(exchange.request.path.as_str()))
        .respond_with(exchange.response.template())
        .named(exchange.name.clone())
        .mount(server)
        .await;
}

/// well-known 301, current-user-principal, calendar-home-set.
pub async fn caldav_discovery(server: &MockServer) {
    for name in [
        "01-well-known-redirect",
        "03-current-user-principal",
        "04-principal-calendar-home-set",
    ] {
        serve(server, &load("caldav", name)).await;
    }
}

/// well-known 301, current-user-principal, addressbook-home-set.
pub async fn carddav_discovery(server: &MockServer) {
    serve(server, &load("carddav", "01-well-known-redirect")).await;
    serve(server, &load("caldav", "03-current-user-principal")).await;
    serve(
        server,
        &load("carddav", "02-principal-addressbook-home-set"),
    )
    .await;
}

/// Every request with this method, in order.
pub async fn sent(server: &MockServer, http_method: &str) -> Vec<Request> {
    server
        .received_requests()
        .await
        .expect("recording enabled")
        .into_iter()
        .filter(|r| r.method.as_str() == http_method)
        .collect()
}

/// The one request with this method and path.
pub async fn sent_to(server: &MockServer, http_method: &str, to: &str) -> Request {
    let mut matching: Vec<Request> = sent(server, http_method)
        .await
        .into_iter()
        .filter(|r| r.url.path() == to)
        .collect();
    assert_eq!(
        matching.len(),
        1,
        "expected one {http_method} {to}, got {}",
        matching.len()
    );
    matching.remove(0)
}

pub fn xml_of(request: &Request) -> String {
    normalize_xml(std::str::from_utf8(&request.body).unwrap())
}

pub fn header(request: &Request, name: &str) -> Option<String> {
    request
        .headers
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
}

/// The request body of a capture, normalised.
pub fn captured_xml(exchange: &Exchange) -> String {
    normalize_xml(std::str::from_utf8(&exchange.request.body).unwrap())
}

/// Asserts the request sent has the capture's method, path, Depth and XML body.
pub fn assert_same_xml(request: &Request, exchange: &Exchange) {
    assert_eq!(
        request.method.as_str(),
        exchange.request.method,
        "{}: method",
        exchange.name
    );
    assert_eq!(
        request.url.path(),
        exchange.request.path,
        "{}: path",
        exchange.name
    );
    assert_eq!(
        header(request, "depth").as_deref(),
        exchange.request.header("Depth"),
        "{}: depth",
        exchange.name
    );
    assert_eq!(
        xml_of(request),
        captured_xml(exchange),
        "{}: body",
        exchange.name
    );
}

/// The calendar home lists the captured calendars (caldav/08), ahead of any
/// catch-all of lower priority.
pub async fn calendars_listed(server: &MockServer) {
    super::e2e::serve_capture_with_priority(
        server,
        "PROPFIND",
        &format!("^{CAL_HOME}$"),
        "caldav",
        "08-list-calendars",
        5,
    )
    .await;
}
