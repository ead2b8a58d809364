//! Copying and moving files.

use super::{assert_transfer_sent, p, replay, replay_encoded};

use nextcloud_mcp::ports::nextcloud::{FilesApi, NextcloudError};

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
