//! Deleting files.

use super::{assert_sent_as_captured, p, replay};

use nextcloud_mcp::ports::nextcloud::{FilesApi, NextcloudError};

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
