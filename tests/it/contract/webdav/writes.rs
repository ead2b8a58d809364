//! Writing files: new, conditional, create-only, under a missing parent.

use super::{p, replay, replay_encoded};

use crate::support::fixtures::{Exchange, assert_request_matches, only_request};
use nextcloud_mcp::adapters::nextcloud::NextcloudSession;
use nextcloud_mcp::domain::files::{WriteCondition, WriteOutcome};
use nextcloud_mcp::ports::nextcloud::{FilesApi, NextcloudError};
use wiremock::MockServer;

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
