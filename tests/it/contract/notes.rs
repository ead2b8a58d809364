//! The Notes adapter against real Nextcloud 34 captures: it must send what the
//! real server received and understand what the real server answered.

use std::time::Duration;

use crate::support::fixtures::{Exchange, assert_request_matches, load, only_request};
use base64::Engine;
use nextcloud_mcp::adapters::nextcloud::{HttpNextcloud, NextcloudSession};
use nextcloud_mcp::domain::credential::{Credential, CredentialSecret};
use nextcloud_mcp::domain::notes::{NoteDraft, NotePatch};
use nextcloud_mcp::ports::nextcloud::{NextcloudError, NotesApi};
use secrecy::SecretString;
use serde_json::Value;
use url::Url;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const NOTES: &str = "/index.php/apps/notes/api/v1/notes";

fn session_with_timeout(server: &MockServer, timeout: Duration) -> NextcloudSession {
    HttpNextcloud::new(Url::parse(&server.uri()).unwrap(), timeout)
        .unwrap()
        .session(Credential {
            user_id: "admin".into(),
            secret: CredentialSecret::AppPassword(SecretString::from("app-pass")),
        })
}

fn session(server: &MockServer) -> NextcloudSession {
    session_with_timeout(server, Duration::from_secs(5))
}

/// A server that answers one capture, the capture, and a session toward it.
async fn replay(folder: &str, name: &str) -> (MockServer, Exchange, NextcloudSession) {
    let server = MockServer::start().await;
    let exchange = load(folder, name);
    exchange.mount(&server).await;
    let session = session(&server);
    (server, exchange, session)
}

/// The single request matches the capture: method, path, query, the headers
/// the real server saw, the credential, and the JSON body if there is one.
async fn assert_sent_as_captured(server: &MockServer, exchange: &Exchange) {
    let received = only_request(server).await;
    assert_request_matches(
        &received,
        &exchange.request,
        &["accept", "content-type", "if-match"],
    );
    let basic = base64::engine::general_purpose::STANDARD.encode("admin:app-pass");
    assert_eq!(
        received.headers.get("authorization").unwrap(),
        format!("Basic {basic}").as_str()
    );
    if exchange.request.body.is_empty() {
        assert!(received.body.is_empty(), "unexpected body");
    } else {
        let got: Value = serde_json::from_slice(&received.body).expect("sent JSON");
        let want: Value = serde_json::from_slice(&exchange.request.body).unwrap();
        assert_eq!(got, want, "body");
    }
}

#[tokio::test]
async fn create_sends_title_content_category_and_reads_the_200() {
    let (server, exchange, session) = replay("notes", "03-create").await;
    let note = session
        .create_note(&NoteDraft {
            title: "Groceries".into(),
            content: "# Groceries\n\n- milk\n- bread\n".into(),
            category: "Home".into(),
        })
        .await
        .unwrap();
    assert_sent_as_captured(&server, &exchange).await;
    assert_eq!(note.id, 213);
    assert_eq!(note.title, "Groceries");
    assert_eq!(note.category, "Home");
    assert_eq!(note.content, "# Groceries\n\n- milk\n- bread\n");
    assert_eq!(note.etag, "82a57beb9712f54b28db3585e000e1d2");
    assert!(!note.favorite && !note.readonly);
    assert_eq!(note.modified, 1795423102);
}

#[tokio::test]
async fn create_without_title_sends_content_only_and_gets_new_note() {
    let (server, exchange, session) = replay("notes", "06-create-content-only").await;
    let note = session
        .create_note(&NoteDraft {
            content: "Idea: first line\nsecond line".into(),
            ..NoteDraft::default()
        })
        .await
        .unwrap();
    assert_sent_as_captured(&server, &exchange).await;
    assert_eq!(note.id, 218);
    assert_eq!(note.title, "New note");
    assert_eq!(note.category, "");
    assert_eq!(note.etag, "e1223662116ed04f64d6f2f0419c4386");
}

#[tokio::test]
async fn get_reads_the_note() {
    let (server, exchange, session) = replay("notes", "07-get").await;
    let note = session.get_note(213).await.unwrap();
    assert_sent_as_captured(&server, &exchange).await;
    assert_eq!(note.id, 213);
    assert_eq!(note.title, "Groceries");
    assert_eq!(note.category, "Home");
    assert_eq!(note.content, "# Groceries\n\n- milk\n- bread\n");
    // The JSON field is unquoted even though the ETag header is quoted.
    assert_eq!(note.etag, "82a57beb9712f54b28db3585e000e1d2");
    assert_eq!(
        exchange.response.header("etag"),
        Some("\"82a57beb9712f54b28db3585e000e1d2\"")
    );
}

#[tokio::test]
async fn update_quotes_if_match_and_sends_only_the_patched_field() {
    let (server, exchange, session) = replay("notes", "08-update-if-match").await;
    let patch = NotePatch {
        content: Some("# Groceries\n\n- milk\n- bread\n- eggs\n".into()),
        ..NotePatch::default()
    };
    let note = session
        .update_note(213, "82a57beb9712f54b28db3585e000e1d2", &patch)
        .await
        .unwrap();
    let received = only_request(&server).await;
    assert_eq!(
        received.headers.get("if-match").unwrap(),
        "\"82a57beb9712f54b28db3585e000e1d2\""
    );
    assert_eq!(
        serde_json::from_slice::<Value>(&received.body).unwrap(),
        serde_json::from_slice::<Value>(&exchange.request.body).unwrap()
    );
    assert_sent_as_captured(&server, &exchange).await;
    assert_eq!(note.id, 213);
    assert_eq!(note.content, "# Groceries\n\n- milk\n- bread\n- eggs\n");
    assert_eq!(note.etag, "05bf7da67b4937debdd24faf2f9c5eeb");
    assert_eq!(note.modified, 1795423105);
}

#[tokio::test]
async fn update_with_a_stale_etag_is_a_conflict() {
    let (server, exchange, session) = replay("notes", "09-update-stale-if-match-412").await;
    let patch = NotePatch {
        content: Some("stale write".into()),
        ..NotePatch::default()
    };
    let err = session
        .update_note(213, "82a57beb9712f54b28db3585e000e1d2", &patch)
        .await
        .unwrap_err();
    assert_sent_as_captured(&server, &exchange).await;
    assert_eq!(err, NextcloudError::Conflict("note 213".into()));
}

#[tokio::test]
async fn update_sends_title_category_and_favorite() {
    // Captured without If-Match; the adapter always sends one, so only the
    // body and the reply are compared here.
    let (server, exchange, session) = replay("notes", "11-update-rename-move-favorite").await;
    let patch = NotePatch {
        title: Some("Groceries (weekly)".into()),
        category: Some("Home/Shopping".into()),
        favorite: Some(true),
        content: None,
    };
    let note = session
        .update_note(213, "05bf7da67b4937debdd24faf2f9c5eeb", &patch)
        .await
        .unwrap();
    let received = only_request(&server).await;
    assert_request_matches(&received, &exchange.request, &["accept", "content-type"]);
    assert_eq!(
        serde_json::from_slice::<Value>(&received.body).unwrap(),
        serde_json::from_slice::<Value>(&exchange.request.body).unwrap()
    );
    assert_eq!(note.title, "Groceries (weekly)");
    assert_eq!(note.category, "Home/Shopping");
    assert!(note.favorite);
    assert_eq!(note.etag, "e8ae0b17e0bdabcbc0ee8296799d68e3");
}

#[tokio::test]
async fn list_reads_every_note() {
    let (server, exchange, session) = replay("notes", "12-list").await;
    let notes = session.list_notes(None).await.unwrap();
    assert_sent_as_captured(&server, &exchange).await;
    let ids: Vec<u64> = notes.iter().map(|n| n.id).collect();
    assert_eq!(ids, vec![216, 217, 218, 213]);
    let q1 = &notes[0];
    assert_eq!(q1.title, "Q1 plan");
    assert_eq!(q1.category, "Work/Planning");
    assert!(q1.favorite);
    assert_eq!(q1.content, "# Q1 plan\n\n1. hire\n2. ship\n");
    assert_eq!(q1.etag, "d11e4477df46e6c20c26405b080e6cb3");
    assert_eq!(notes[3].title, "Groceries (weekly)");
    assert_eq!(notes[3].category, "Home/Shopping");
}

#[tokio::test]
async fn list_by_category_passes_the_exact_filter_through() {
    let (server, exchange, session) = replay("notes", "14-list-category").await;
    let notes = session.list_notes(Some("Work".into())).await.unwrap();
    assert_sent_as_captured(&server, &exchange).await;
    // The server's filter is exact: Work/Planning (216) is not included.
    let ids: Vec<u64> = notes.iter().map(|n| n.id).collect();
    assert_eq!(ids, vec![217]);
    assert_eq!(notes[0].title, "Meeting notes");
    assert_eq!(notes[0].category, "Work");
    assert_eq!(notes[0].etag, "068691925ef5096cc369e2a303aa1e6e");
}

#[tokio::test]
async fn list_skips_id_only_stubs() {
    // list_notes never sends pruneBefore; this feeds the stub-bearing reply of
    // notes/16 to a plain list to prove such entries cannot break parsing.
    let server = MockServer::start().await;
    let exchange = load("notes", "16-list-prune-before");
    Mock::given(method("GET"))
        .and(path(NOTES))
        .respond_with(exchange.response.template())
        .expect(1)
        .mount(&server)
        .await;
    let notes = session(&server).list_notes(None).await.unwrap();
    assert!(only_request(&server).await.url.query().is_none());
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].id, 213);
    assert_eq!(notes[0].etag, "e8ae0b17e0bdabcbc0ee8296799d68e3");
}

#[tokio::test]
async fn get_missing_is_not_found() {
    let (server, exchange, session) = replay("notes", "20-get-missing-404").await;
    let err = session.get_note(999999).await.unwrap_err();
    assert_sent_as_captured(&server, &exchange).await;
    assert_eq!(err, NextcloudError::NotFound("note 999999".into()));
}

#[tokio::test]
async fn delete_accepts_the_empty_array() {
    let (server, exchange, session) = replay("notes", "21-delete").await;
    session.delete_note(218).await.unwrap();
    assert_sent_as_captured(&server, &exchange).await;
}

#[tokio::test]
async fn delete_missing_is_not_found() {
    let (server, exchange, session) = replay("notes", "22-delete-missing-404").await;
    let err = session.delete_note(218).await.unwrap_err();
    assert_sent_as_captured(&server, &exchange).await;
    assert_eq!(err, NextcloudError::NotFound("note 218".into()));
}

#[tokio::test]
async fn bad_credentials_are_rejected() {
    let (server, exchange, session) = replay("errors", "09-notes-bad-credentials").await;
    let err = session.list_notes(None).await.unwrap_err();
    assert_sent_as_captured(&server, &exchange).await;
    assert_eq!(err, NextcloudError::CredentialRejected);
}

#[tokio::test]
async fn a_slow_server_is_a_timeout() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(2)))
        .mount(&server)
        .await;
    let session = session_with_timeout(&server, Duration::from_secs(1));
    let err = session.get_note(213).await.unwrap_err();
    assert_eq!(err, NextcloudError::Timeout(1));
}

#[tokio::test]
async fn a_503_is_unavailable() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let err = session(&server).list_notes(None).await.unwrap_err();
    assert_eq!(err, NextcloudError::Unavailable("HTTP 503".into()));
}

#[tokio::test]
async fn an_unreadable_body_is_a_protocol_error_without_secrets() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>app-pass</html>"))
        .mount(&server)
        .await;
    let err = session(&server).get_note(213).await.unwrap_err();
    let NextcloudError::Protocol(message) = &err else {
        panic!("expected a protocol error, got {err:?}");
    };
    assert!(message.contains("note 213"), "{message}");
    assert!(!message.contains("app-pass"), "{message}");
    assert!(message.len() < 120, "{message}");
}
