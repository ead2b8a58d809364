//! Creating folders.

use super::{assert_sent_as_captured, p, replay};

use nextcloud_mcp::ports::nextcloud::{FilesApi, NextcloudError};

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
