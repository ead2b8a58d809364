//! The Deck adapter's labels, comment edits, replies and attachments
//! against real Nextcloud 34 / Deck 1.18.3 captures (deck-extras): it must
//! send what the real server received and read what it answered, 403s for
//! unknown labels and attachments included.

use crate::support::fixtures::{assert_sent_like_capture, replay_capture};
use nextcloud_mcp::domain::deck::{AttachmentType, CardRef};
use nextcloud_mcp::ports::nextcloud::{DeckApi, NextcloudError};

const FOLDER: &str = "deck-extras";
const CARD: CardRef = CardRef {
    board_id: 16,
    stack_id: 34,
    card_id: 16,
};

fn forbidden(what: &str) -> NextcloudError {
    NextcloudError::Forbidden(Some(format!(
        "{what} does not exist, or you may not do this with it"
    )))
}

#[tokio::test]
async fn labels_get_update_delete() {
    let (server, exchange, session) = replay_capture(FOLDER, "04-label-get").await;
    let label = session.get_label(16, 69).await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!(
        (label.id, label.title.as_str(), label.color.as_str()),
        (69, "Finished", "31CC7C")
    );

    let (server, exchange, session) = replay_capture(FOLDER, "05-label-update").await;
    let label = session
        .update_label(16, 69, "fx-Done", "00ff00")
        .await
        .unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!(label.title, "fx-Done");

    let (server, exchange, session) = replay_capture(FOLDER, "39-label-delete").await;
    let label = session.delete_label(16, 69).await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!(label.id, 69);
}

#[tokio::test]
async fn unknown_and_deleted_labels_are_403_and_named() {
    let (_server, _exchange, session) = replay_capture(FOLDER, "06-label-get-unknown").await;
    let err = session.get_label(16, 999999).await.unwrap_err();
    assert_eq!(err, forbidden("label 999999 of board 16"));

    let (_server, _exchange, session) = replay_capture(FOLDER, "40-label-delete-again").await;
    let err = session.delete_label(16, 69).await.unwrap_err();
    assert_eq!(err, forbidden("label 69 of board 16"));
}

#[tokio::test]
async fn comments_replies_edits_and_deletes() {
    let (server, exchange, session) = replay_capture(FOLDER, "28-ocs-comment-reply").await;
    let reply = session.add_comment(16, "fx reply", Some(11)).await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!((reply.id, reply.reply_to), (12, Some(11)));

    let (server, exchange, session) = replay_capture(FOLDER, "29-ocs-comment-update").await;
    let edited = session
        .update_comment(16, 11, "fx deck comment (edited)")
        .await
        .unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!(edited.message, "fx deck comment (edited)");
    assert_eq!(edited.reply_to, None);

    let (server, exchange, session) = replay_capture(FOLDER, "32-ocs-comments-list").await;
    let listed = session.list_comments(16, 20, 0).await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!(
        listed.iter().map(|c| c.reply_to).collect::<Vec<_>>(),
        [Some(11), None]
    );

    for (name, id) in [
        ("33-ocs-comment-delete-reply", 12),
        ("34-ocs-comment-delete", 11),
    ] {
        let (server, exchange, session) = replay_capture(FOLDER, name).await;
        session.delete_comment(16, id).await.unwrap();
        assert_sent_like_capture(&server, &exchange).await;
    }
}

#[tokio::test]
async fn comment_errors_name_the_comment_not_the_server_text() {
    // Another user's comment: 403 in an OCS envelope.
    let (_server, _exchange, session) =
        replay_capture(FOLDER, "30-ocs-comment-update-as-bob").await;
    let err = session.update_comment(16, 11, "hijack").await.unwrap_err();
    assert_eq!(err, forbidden("comment 11 on card 16"));

    // "No comment found." is a missing comment, not a bad request.
    let (_server, _exchange, session) = replay_capture(FOLDER, "35-ocs-comment-delete-again").await;
    let err = session.delete_comment(16, 11).await.unwrap_err();
    assert_eq!(
        err,
        NextcloudError::NotFound("comment 11 on card 16".into())
    );
}

#[tokio::test]
async fn attachments_list_both_kinds_on_v1_1() {
    let (server, exchange, session) =
        replay_capture(FOLDER, "17-attachments-list-v1.1-after-upload").await;
    let attachments = session.list_attachments(CARD).await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!(attachments.len(), 2);
    let (upload, file) = (&attachments[0], &attachments[1]);
    assert_eq!(upload.attachment_type, AttachmentType::DeckFile);
    assert_eq!(
        (upload.name.as_str(), upload.size, upload.path.as_deref()),
        ("fx-notes.txt", Some(21), None)
    );
    assert_eq!(upload.mimetype.as_deref(), Some("text/plain"));
    assert_eq!(file.attachment_type, AttachmentType::File);
    assert_eq!(file.path.as_deref(), Some("/Deck/fx-photo.txt"));
    assert_eq!(file.created_by.as_deref(), Some("admin"));

    let (server, exchange, session) = replay_capture(FOLDER, "11-attachments-list-v1.1").await;
    assert!(session.list_attachments(CARD).await.unwrap().is_empty());
    assert_sent_like_capture(&server, &exchange).await;
}

#[tokio::test]
async fn attachments_delete_by_kind() {
    // A deck_file delete is soft, on v1.0, and its reply has `extendedData: []`.
    let (server, exchange, session) = replay_capture(FOLDER, "21-attachment-delete-v1.0").await;
    let gone = session
        .delete_attachment(CARD, 1, AttachmentType::DeckFile)
        .await
        .unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert!(gone.deleted_at > 0);
    assert_eq!(gone.size, None);

    let (server, exchange, session) =
        replay_capture(FOLDER, "25-attachment-delete-v1.1-file").await;
    let gone = session
        .delete_attachment(CARD, 24, AttachmentType::File)
        .await
        .unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!(gone.path.as_deref(), Some("/Deck/fx-photo.txt"));

    // Twice: 403 with Deck's own sentence, which is not passed on.
    let (_server, _exchange, session) =
        replay_capture(FOLDER, "26-attachment-delete-v1.1-file-again").await;
    let err = session
        .delete_attachment(CARD, 24, AttachmentType::File)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        forbidden("attachment 24 of card 16 (board 16, stack 34)")
    );
}
