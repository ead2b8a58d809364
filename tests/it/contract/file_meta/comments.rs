//! Comments: a page by REPORT, create, edit, delete, and others' comments.

use super::*;
use nextcloud_mcp::ports::nextcloud::{FileMetaApi, NextcloudError};

#[tokio::test]
async fn lists_a_page_of_comments_newest_first() {
    let (server, captures, session) = nextcloud_with(&[("comments", "08-list-report")]).await;
    let comments = session.list_file_comments(&p(TAGGED), 20, 0).await.unwrap();
    let received = received_for(&server, &captures[0]).await;
    assert_same_xml(&received, &captures[0]);

    let ids: Vec<u64> = comments.iter().map(|c| c.id).collect();
    assert_eq!(ids, [9, 8, 7]);
    assert_eq!(comments[0].message, "", "an empty message stays empty");
    assert_eq!(comments[2].message, "fx first comment, @bob please look");
    assert_eq!(comments[2].author_id, "admin");
    assert_eq!(comments[2].author_name, "admin");
    assert_eq!(
        comments[2].created.as_deref(),
        Some("Sun, 06 Dec 2026 22:30:08 GMT")
    );
    assert!(!comments[2].unread);
}

#[tokio::test]
async fn pages_with_limit_and_offset_as_captured() {
    let (server, captures, session) =
        nextcloud_with(&[("comments", "09-list-report-limit1-offset1")]).await;
    let comments = session.list_file_comments(&p(TAGGED), 1, 1).await.unwrap();
    let received = received_for(&server, &captures[0]).await;
    assert_same_xml(&received, &captures[0]);
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0].id, 8);
}

#[tokio::test]
async fn creates_a_comment_and_reads_its_id_from_content_location() {
    let (server, captures, session) = nextcloud_with(&[("comments", "01-create")]).await;
    let id = session
        .create_file_comment(&p(TAGGED), "fx first comment, @bob please look")
        .await
        .unwrap();
    assert_eq!(id, 7);
    let received = received_for(&server, &captures[0]).await;
    let sent: serde_json::Value = serde_json::from_slice(&received.body).unwrap();
    let captured: serde_json::Value = serde_json::from_slice(&captures[0].request.body).unwrap();
    assert_eq!(sent, captured);
}

#[tokio::test]
async fn edits_a_comment_with_proppatch() {
    let (server, captures, session) = nextcloud_with(&[("comments", "12-edit")]).await;
    session
        .update_file_comment(&p(TAGGED), 7, "fx first comment (edited)")
        .await
        .unwrap();
    let received = received_for(&server, &captures[0]).await;
    assert_same_xml(&received, &captures[0]);
}

#[tokio::test]
async fn deletes_a_comment_and_a_second_delete_is_not_found() {
    let (server, captures, session) = nextcloud_with(&[("comments", "16-delete")]).await;
    session.delete_file_comment(&p(TAGGED), 8).await.unwrap();
    received_for(&server, &captures[0]).await;

    let (_s, _c, session) = nextcloud_with(&[("comments", "17-delete-again-404")]).await;
    assert_eq!(
        session
            .delete_file_comment(&p(TAGGED), 8)
            .await
            .unwrap_err(),
        NextcloudError::NotFound("comment 8 on /fx-tagged.txt".into())
    );
}

#[tokio::test]
async fn others_comments_cannot_be_edited_or_deleted() {
    let only_authors = NextcloudError::Forbidden(Some(
        "Only authors are allowed to edit their comment.".into(),
    ));
    let (_s, _c, session) =
        nextcloud_with(&[("comments", "20-edit-admins-comment-as-bob-403")]).await;
    let edit = session.update_file_comment(&p(TAGGED), 7, "x").await;
    assert_eq!(edit.unwrap_err(), only_authors);
    let (_s, _c, session) =
        nextcloud_with(&[("comments", "21-delete-admins-comment-as-bob-403")]).await;
    let delete = session.delete_file_comment(&p(TAGGED), 7).await;
    assert_eq!(delete.unwrap_err(), only_authors);
}

#[tokio::test]
async fn a_comment_on_an_unknown_file_is_not_found() {
    // The file vanished between the id look-up and the POST (comments/05).
    let (server, _c, session) = nextcloud_with(&[]).await;
    let gone = load("comments", "05-create-unknown-file-404");
    Mock::given(wiremock::matchers::method("POST"))
        .and(wiremock::matchers::path(
            "/remote.php/dav/comments/files/405",
        ))
        .respond_with(gone.response.template())
        .mount(&server)
        .await;
    assert_eq!(
        session
            .create_file_comment(&p(TAGGED), "x")
            .await
            .unwrap_err(),
        NextcloudError::NotFound("/fx-tagged.txt".into())
    );
    // A path that does not exist fails at the look-up, naming the path.
    let missing = session.list_file_comments(&p("nope.txt"), 5, 0).await;
    assert_eq!(
        missing.unwrap_err(),
        NextcloudError::NotFound("/nope.txt".into())
    );
}
