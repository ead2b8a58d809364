//! Loads `tests/fixtures/nextcloud-34/<folder>/<NN-name>.{request,response}.http`
//! (recorded from a real Nextcloud 34) and turns them into wiremock
//! mocks and request expectations.

use std::collections::BTreeMap;
use std::path::PathBuf;

use wiremock::Match;
use wiremock::matchers::{method, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub fn fixtures_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/nextcloud-34")
}

#[derive(Clone, Debug)]
pub struct FixtureRequest {
    pub method: String,
    /// Path without the query string, as sent (percent-encoded).
    pub path: String,
    pub query: Vec<(String, String)>,
    /// Header names lower-cased.
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
}

#[derive(Clone, Debug)]
pub struct FixtureResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

#[derive(Clone, Debug)]
pub struct Exchange {
    pub name: String,
    pub request: FixtureRequest,
    pub response: FixtureResponse,
}

fn split_head_body(raw: &[u8]) -> (String, Vec<u8>) {
    let sep = raw
        .windows(2)
        .position(|w| w == b"\n\n")
        .expect("fixture has a blank line after its headers");
    let head = String::from_utf8(raw[..sep].to_vec()).expect("fixture head is UTF-8");
    (head, raw[sep + 2..].to_vec())
}

fn parse_headers<'a>(lines: impl Iterator<Item = &'a str>) -> Vec<(String, String)> {
    lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (name, value) = l.split_once(':').expect("header line has a colon");
            (name.trim().to_string(), value.trim().to_string())
        })
        .collect()
}

/// Loads one exchange, e.g. `load("notes", "07-get")`.
pub fn load(folder: &str, name: &str) -> Exchange {
    let dir = fixtures_root().join(folder);
    let request_raw = std::fs::read(dir.join(format!("{name}.request.http")))
        .unwrap_or_else(|e| panic!("missing request fixture {folder}/{name}: {e}"));
    let response_raw = std::fs::read(dir.join(format!("{name}.response.http")))
        .unwrap_or_else(|e| panic!("missing response fixture {folder}/{name}: {e}"));

    let (head, body) = split_head_body(&request_raw);
    let mut lines = head.lines();
    let request_line = lines.next().expect("request line");
    let mut parts = request_line.split(' ');
    let method = parts.next().unwrap().to_string();
    let target = parts.next().unwrap().to_string();
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), parse_query(q)),
        None => (target.clone(), Vec::new()),
    };
    let headers = parse_headers(lines)
        .into_iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v))
        .collect();
    let request = FixtureRequest {
        method,
        path,
        query,
        headers,
        body,
    };

    let (head, body) = split_head_body(&response_raw);
    let mut lines = head.lines();
    let status_line = lines.next().expect("status line");
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status code");
    let response = FixtureResponse {
        status,
        headers: parse_headers(lines),
        body,
    };
    Exchange {
        name: format!("{folder}/{name}"),
        request,
        response,
    }
}

fn parse_query(q: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(q.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

impl FixtureResponse {
    /// The captured reply, byte for byte (wiremock computes Content-Length).
    pub fn template(&self) -> ResponseTemplate {
        let mut template = ResponseTemplate::new(self.status);
        for (name, value) in &self.headers {
            if name.eq_ignore_ascii_case("content-length") {
                continue;
            }
            template = template.append_header(name.as_str(), value.as_str());
        }
        template.set_body_raw(self.body.clone(), self.content_type().unwrap_or(""))
    }

    pub fn content_type(&self) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v.as_str())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn body_json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("response body is JSON")
    }
}

impl FixtureRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
}

impl Exchange {
    /// A mock that answers this exchange's method + path (+ query) with the
    /// captured response, expected exactly once.
    pub fn mock(&self) -> Mock {
        let mut builder = Mock::given(method(self.request.method.as_str()))
            .and(DecodedPath(decoded_path(&self.request.path)));
        for (k, v) in &self.request.query {
            builder = builder.and(query_param(k.as_str(), v.as_str()));
        }
        builder
            .respond_with(self.response.template())
            .named(self.name.clone())
            .expect(1)
    }

    pub async fn mount(&self, server: &MockServer) {
        self.mock().mount(server).await;
    }
}

/// Matches a request whose path, percent-decoded, equals this one: clients
/// may encode a character (`(`, `ü`) differently from the capture.
struct DecodedPath(String);

impl Match for DecodedPath {
    fn matches(&self, request: &wiremock::Request) -> bool {
        decoded_path(request.url.path()) == self.0
    }
}

/// A path with its percent-encoding resolved.
fn decoded_path(path: &str) -> String {
    percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .expect("fixture path is UTF-8")
        .into_owned()
}

/// Collapses whitespace between XML tags so two renderings of the same
/// document compare equal.
pub fn normalize_xml(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len());
    let mut in_tag_gap = false;
    let mut pending_ws = String::new();
    for c in xml.chars() {
        if c == '>' {
            out.push(c);
            in_tag_gap = true;
            pending_ws.clear();
            continue;
        }
        if in_tag_gap && c.is_whitespace() {
            pending_ws.push(c);
            continue;
        }
        if c == '<' {
            pending_ws.clear();
        } else {
            out.push_str(&pending_ws);
            pending_ws.clear();
        }
        in_tag_gap = false;
        out.push(c);
    }
    out.trim().to_string()
}

/// The single request the server received (panics if not exactly one).
pub async fn only_request(server: &MockServer) -> wiremock::Request {
    let mut requests = server.received_requests().await.expect("recording enabled");
    assert_eq!(
        requests.len(),
        1,
        "expected exactly one request, got {}",
        requests.len()
    );
    requests.remove(0)
}

/// Asserts a received request has the fixture's method, path, query and the
/// named headers with the fixture's values.
pub fn assert_request_matches(
    received: &wiremock::Request,
    fixture: &FixtureRequest,
    headers: &[&str],
) {
    assert_eq!(received.method.as_str(), fixture.method, "method");
    assert_eq!(
        decoded_path(received.url.path()),
        decoded_path(&fixture.path),
        "path"
    );
    let mut got: Vec<(String, String)> = received
        .url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut want = fixture.query.clone();
    got.sort();
    want.sort();
    assert_eq!(got, want, "query");
    for name in headers {
        let want = fixture.header(name);
        let got = received
            .headers
            .get(*name)
            .map(|v| v.to_str().unwrap().to_string());
        assert_eq!(got.as_deref(), want, "header {name}");
    }
}

// ----- App contract tests (Deck, sharing, search, Tables, Cookbook) -----

/// A session toward `server` as `admin` with the app password of the captures.
pub fn admin_session(server: &MockServer) -> nextcloud_mcp::adapters::nextcloud::NextcloudSession {
    use nextcloud_mcp::adapters::nextcloud::HttpNextcloud;
    use nextcloud_mcp::domain::credential::{Credential, CredentialSecret};
    HttpNextcloud::new(
        url::Url::parse(&server.uri()).unwrap(),
        std::time::Duration::from_secs(5),
    )
    .unwrap()
    .session(Credential {
        user_id: "admin".into(),
        secret: CredentialSecret::AppPassword(secrecy::SecretString::from("app-pass")),
    })
}

/// A mock Nextcloud answering one capture (expected once), and a session.
pub async fn replay_capture(
    folder: &str,
    name: &str,
) -> (
    MockServer,
    Exchange,
    nextcloud_mcp::adapters::nextcloud::NextcloudSession,
) {
    let server = MockServer::start().await;
    let exchange = load(folder, name);
    exchange.mount(&server).await;
    let session = admin_session(&server);
    (server, exchange, session)
}

/// The one request received is the capture's: method, path, query, the
/// JSON/OCS headers, Basic credentials, and the body compared as JSON.
pub async fn assert_sent_like_capture(server: &MockServer, exchange: &Exchange) {
    use base64::Engine;
    let received = only_request(server).await;
    assert_request_matches(
        &received,
        &exchange.request,
        &[
            "accept",
            "content-type",
            "ocs-apirequest",
            "if-modified-since",
        ],
    );
    let basic = base64::engine::general_purpose::STANDARD.encode("admin:app-pass");
    assert_eq!(
        received.headers.get("authorization").unwrap(),
        format!("Basic {basic}").as_str(),
        "credentials"
    );
    if exchange.request.body.is_empty() {
        assert!(
            received.body.is_empty(),
            "{}: unexpected body",
            exchange.name
        );
    } else {
        let got: serde_json::Value = serde_json::from_slice(&received.body).expect("sent JSON");
        let want: serde_json::Value = serde_json::from_slice(&exchange.request.body).unwrap();
        assert_eq!(got, want, "{}: body", exchange.name);
    }
}
