//! The Deck adapter's attachment uploads against the real Nextcloud 34 /
//! Deck 1.18.3 captures (deck-extras/14 and 15): the same multipart parts
//! in the same order, a length instead of chunked encoding, and the
//! captured answers read; its error answers said as sentences. Card
//! dependencies have no capture: their requests follow Deck 1.18.3's
//! routes, and the replies are the captured card with `dependentCards` set.

use crate::support::fixtures::{
    admin_session, assert_request_matches, load, only_request, replay_capture,
};
use nextcloud_mcp::domain::deck::{
    AttachmentName, AttachmentType, AttachmentUpload, CardRef, UploadContent,
};
use nextcloud_mcp::ports::nextcloud::{DeckApi, NextcloudError};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const FOLDER: &str = "deck-extras";
const CARD: CardRef = CardRef {
    board_id: 16,
    stack_id: 34,
    card_id: 16,
};
const CARD_WHAT: &str = "card 16 (board 16, stack 34)";

fn upload(name: &str, content: UploadContent) -> AttachmentUpload {
    AttachmentUpload {
        name: AttachmentName::parse(name).unwrap(),
        content,
    }
}

/// One multipart part: its field name, file name and body.
#[derive(Debug, PartialEq)]
struct Part {
    name: String,
    filename: Option<String>,
    body: Vec<u8>,
}

fn disposition_param(headers: &str, param: &str) -> Option<String> {
    let needle = format!("{param}=\"");
    let start = headers.find(&needle)? + needle.len();
    let end = headers[start..].find('"')? + start;
    Some(headers[start..end].to_string())
}

/// Splits a multipart body at its boundary (taken from the Content-Type).
fn parts(content_type: &str, body: &[u8]) -> Vec<Part> {
    let boundary = content_type
        .split_once("boundary=")
        .expect("a multipart boundary")
        .1;
    let delimiter = format!("--{boundary}").into_bytes();
    let mut pieces = Vec::new();
    let mut rest = body;
    while let Some(at) = rest.windows(delimiter.len()).position(|w| w == delimiter) {
        pieces.push(&rest[..at]);
        rest = &rest[at + delimiter.len()..];
    }
    assert!(
        rest.starts_with(b"--"),
        "the body ends with the closing delimiter"
    );
    pieces
        .into_iter()
        .skip(1)
        .map(|piece| {
            let piece = piece
                .strip_prefix(b"\r\n")
                .expect("CRLF after the delimiter");
            let piece = piece
                .strip_suffix(b"\r\n")
                .expect("CRLF before the delimiter");
            let split = piece
                .windows(4)
                .position(|w| w == b"\r\n\r\n")
                .expect("a blank line after the part headers");
            let headers = String::from_utf8(piece[..split].to_vec()).unwrap();
            Part {
                name: disposition_param(&headers, "name").expect("a field name"),
                filename: disposition_param(&headers, "filename"),
                body: piece[split + 4..].to_vec(),
            }
        })
        .collect()
}

/// What was received is the capture: method, path, headers, credentials,
/// and the same parts (the boundary and the file part's type may differ).
async fn assert_sent_like_upload(server: &MockServer, name: &str) {
    let exchange = load(FOLDER, name);
    let received = only_request(server).await;
    assert_request_matches(&received, &exchange.request, &["accept", "ocs-apirequest"]);
    assert!(
        received.headers.get("authorization").is_some(),
        "credentials"
    );
    let content_type = received
        .headers
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        content_type.starts_with("multipart/form-data; boundary="),
        "{content_type}"
    );
    // A length, not chunked encoding: some PHP set-ups read a chunked body as empty.
    let length: usize = received
        .headers
        .get("content-length")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(length, received.body.len());
    assert!(received.headers.get("transfer-encoding").is_none());
    assert_eq!(
        parts(content_type, &received.body),
        parts(
            exchange.request.header("content-type").unwrap(),
            &exchange.request.body
        ),
        "{name}: parts"
    );
}

#[tokio::test]
async fn a_deck_file_is_uploaded_on_v1_0_as_captured() {
    let (server, _exchange, session) =
        replay_capture(FOLDER, "14-attachment-upload-v1.0-deck-file").await;
    let content = UploadContent::text("deck attachment body\n".into()).unwrap();
    let attachment = session
        .upload_attachment(
            CARD,
            AttachmentType::DeckFile,
            upload("fx-notes.txt", content),
        )
        .await
        .unwrap();
    assert_sent_like_upload(&server, "14-attachment-upload-v1.0-deck-file").await;
    assert_eq!(
        (
            attachment.id,
            attachment.attachment_type,
            attachment.name.as_str()
        ),
        (1, AttachmentType::DeckFile, "fx-notes.txt")
    );
    assert_eq!(attachment.size, Some(21));
}

#[tokio::test]
async fn a_file_is_uploaded_on_v1_1_from_base64_as_captured() {
    let (server, _exchange, session) =
        replay_capture(FOLDER, "15-attachment-upload-v1.1-file").await;
    // "files-app attachment\n", base64 with a line break in it.
    let content = UploadContent::base64("ZmlsZXMtYXBwIGF0\ndGFjaG1lbnQK".into()).unwrap();
    let attachment = session
        .upload_attachment(CARD, AttachmentType::File, upload("fx-photo.txt", content))
        .await
        .unwrap();
    assert_sent_like_upload(&server, "15-attachment-upload-v1.1-file").await;
    assert_eq!(attachment.attachment_type, AttachmentType::File);
    assert_eq!(attachment.path.as_deref(), Some("/Deck/fx-photo.txt"));
}

/// Answers the upload route of `kind` with `status` and `body`.
async fn refusing(status: u16, body: &[u8]) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(
            "/index.php/apps/deck/api/v1.1/boards/16/stacks/34/cards/16/attachments",
        ))
        .respond_with(ResponseTemplate::new(status).set_body_raw(body.to_vec(), "application/json"))
        .mount(&server)
        .await;
    server
}

async fn refused(status: u16, body: &[u8]) -> NextcloudError {
    let server = refusing(status, body).await;
    let content = UploadContent::text("abc".into()).unwrap();
    admin_session(&server)
        .upload_attachment(CARD, AttachmentType::File, upload("a.txt", content))
        .await
        .unwrap_err()
}

#[tokio::test]
async fn upload_errors_are_sentences() {
    // Deck's 403 for what does not exist (deck-extras/13's answer).
    let forbidden = load(FOLDER, "13-attachment-download-unknown").response.body;
    assert_eq!(
        refused(403, &forbidden).await,
        NextcloudError::Forbidden(Some(format!(
            "{CARD_WHAT} does not exist, or you may not do this with it"
        )))
    );

    let too_large = refused(413, b"<html>413 Request Entity Too Large</html>")
        .await
        .to_string();
    assert!(
        too_large.contains("'a.txt' (3 bytes) is larger than this Nextcloud accepts"),
        "{too_large}"
    );
    assert!(too_large.contains("HTTP 413"), "{too_large}");

    // PHP's upload limit, as Deck's FileService words it (a StatusException).
    let php_limit = json!({"status": 500, "message": "The uploaded file exceeds the upload_max_filesize directive in php.ini"});
    let over = refused(500, php_limit.to_string().as_bytes())
        .await
        .to_string();
    assert!(
        over.contains(
            "'a.txt' (3 bytes) is over this Nextcloud's upload limit: The uploaded file exceeds"
        ),
        "{over}"
    );

    // A deck_file whose name is taken: Deck's ConflictException.
    let conflict = json!({"status": 409, "message": "File already exists.", "data": {"id": 1}});
    assert_eq!(
        refused(409, conflict.to_string().as_bytes()).await,
        NextcloudError::AlreadyExists(format!("an attachment named 'a.txt' on {CARD_WHAT}"))
    );

    // Any other Deck refusal keeps its reason; a crash (with a requestId) stays unavailable.
    let reason = json!({"status": 500, "message": "Operation not allowed. This card is archived."});
    assert!(
        refused(500, reason.to_string().as_bytes())
            .await
            .to_string()
            .contains("This card is archived.")
    );
    let crash = json!({"status": 500, "message": "boom", "requestId": "r1"});
    assert!(matches!(
        refused(500, crash.to_string().as_bytes()).await,
        NextcloudError::Unavailable(_)
    ));
}

/// The captured card (deck-extras/03) with `dependentCards` set.
fn card_with_dependents(ids: &[u64]) -> serde_json::Value {
    let mut card = load(FOLDER, "03-card-create").response.body_json();
    card["dependentCards"] = json!(ids);
    card
}

async fn dependency_server(verb: &str, status: u16, body: serde_json::Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method(verb))
        .and(path(
            "/index.php/apps/deck/api/v1.0/boards/16/stacks/34/cards/16/dependentCards/17",
        ))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .expect(1)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn dependencies_are_added_and_removed_on_the_card_route() {
    let server = dependency_server("POST", 200, card_with_dependents(&[17, 20])).await;
    let ids = admin_session(&server)
        .assign_dependent_card(CARD, 17)
        .await
        .unwrap();
    assert_eq!(ids, [17, 20]);
    let received = only_request(&server).await;
    assert_eq!(received.headers.get("ocs-apirequest").unwrap(), "true");
    assert!(received.body.is_empty());

    let server = dependency_server("DELETE", 200, card_with_dependents(&[])).await;
    let ids = admin_session(&server)
        .remove_dependent_card(CARD, 17)
        .await
        .unwrap();
    assert!(ids.is_empty());
    server.verify().await;

    // A card reply with `dependentCards: null` (as in deck/15) is no dependents.
    let mut card = card_with_dependents(&[]);
    card["dependentCards"] = serde_json::Value::Null;
    let server = dependency_server("DELETE", 200, card).await;
    assert!(
        admin_session(&server)
            .remove_dependent_card(CARD, 17)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn dependency_errors_name_both_cards_and_keep_decks_reason() {
    let forbidden = load(FOLDER, "13-attachment-download-unknown")
        .response
        .body_json();
    let server = dependency_server("POST", 403, forbidden).await;
    let err = admin_session(&server)
        .assign_dependent_card(CARD, 17)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        NextcloudError::Forbidden(Some(format!(
            "{CARD_WHAT} or card 17 does not exist, or you may not do this with it"
        )))
    );

    let archived =
        json!({"status": 500, "message": "Operation not allowed. This card is archived."});
    let server = dependency_server("POST", 500, archived).await;
    let err = admin_session(&server)
        .assign_dependent_card(CARD, 17)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, NextcloudError::BadRequest(m) if m.ends_with("This card is archived.")),
        "{err}"
    );
}
