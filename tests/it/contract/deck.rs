//! The Deck adapter against real Nextcloud 34 / Deck 1.18 captures: it must
//! send what the real server received and understand what it answered.

use crate::support::fixtures::{admin_session, assert_sent_like_capture, load, replay_capture};
use nextcloud_mcp::domain::deck::{
    BoardFields, CardDraft, CardFields, CardRef, parse_due_date, renumber_for_move,
};
use nextcloud_mcp::ports::nextcloud::{DeckApi, NextcloudError};
use wiremock::MockServer;

const FOLDER: &str = "deck";

fn card(board_id: u64, stack_id: u64, card_id: u64) -> CardRef {
    CardRef {
        board_id,
        stack_id,
        card_id,
    }
}

#[tokio::test]
async fn boards_list_get_create_update() {
    let (server, exchange, session) = replay_capture(FOLDER, "01-boards-list-initial").await;
    let boards = session.list_boards(None).await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!(boards.len(), 1);
    assert_eq!(boards[0].title, "Welcome to Nextcloud Deck!");
    assert_eq!(boards[0].owner, "admin");
    assert!(boards[0].can_edit && boards[0].can_manage && boards[0].deleted_at == 0);

    let (server, exchange, session) = replay_capture(FOLDER, "02-board-create").await;
    let board = session
        .create_board("Fixture board", "0082c9")
        .await
        .unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!((board.id, board.labels.len()), (6, 4));
    assert_eq!(board.labels[0].title, "Finished");

    let (server, exchange, session) = replay_capture(FOLDER, "03-board-get").await;
    let board = session.get_board(6).await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!(board.users, vec!["admin"]);
    assert_eq!(board.etag, "86d3b8cebfee45693bc5013c42739f41");

    let (server, exchange, session) = replay_capture(FOLDER, "06-board-update").await;
    let fields = BoardFields {
        title: "Fixture board (renamed)".into(),
        color: "ff7a66".into(),
        archived: false,
    };
    let board = session.update_board(6, &fields).await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!(board.title, "Fixture board (renamed)");
}

#[tokio::test]
async fn if_modified_since_is_sent_as_an_http_date() {
    let (server, exchange, session) =
        replay_capture(FOLDER, "05-boards-list-if-modified-since").await;
    // Mon, 23 Nov 2026 08:38:30 GMT
    let boards = session.list_boards(Some(1_795_423_110)).await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!(boards.iter().map(|b| b.id).collect::<Vec<_>>(), vec![6]);
}

#[tokio::test]
async fn labels_and_stacks() {
    let (server, exchange, session) = replay_capture(FOLDER, "08-label-create").await;
    let label = session.create_label(6, "Urgent", "e9322d").await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!((label.id, label.title.as_str()), (28, "Urgent"));

    for (name, title, order, id) in [
        ("09-stack-create", "To do", 1, 11),
        ("10-stack-create-2", "Done", 2, 12),
    ] {
        let (server, exchange, session) = replay_capture(FOLDER, name).await;
        let stack = session.create_stack(6, title, order).await.unwrap();
        assert_sent_like_capture(&server, &exchange).await;
        assert_eq!((stack.id, stack.board_id, stack.order), (id, 6, order));
    }

    let (server, exchange, session) = replay_capture(FOLDER, "11-stack-update").await;
    let stack = session.update_stack(6, 11, "Backlog", 1).await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!(stack.title, "Backlog");

    let (server, exchange, session) = replay_capture(FOLDER, "14-stacks-list").await;
    let stacks = session.list_stacks(6, false).await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!(stacks.len(), 2);
    // Moving "Done" (order 2) to order 1 must move "Backlog" (order 1) on.
    assert_eq!(renumber_for_move(&stacks, 12, 1), vec![(11, 2)]);
    assert!(!stacks[0].is_deleted());
    assert_eq!(stacks[0].cards[0].title, "Write release notes");
    assert_eq!(stacks[0].cards[0].owner, "admin");
    assert!(stacks[1].cards.is_empty());

    // Stack details send the card owner as a bare id and labels as null.
    let (server, exchange, session) = replay_capture(FOLDER, "15-stack-get").await;
    let stack = session.get_stack(6, 11).await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!(stack.cards[0].owner, "admin");
    assert!(stack.cards[0].labels.is_empty());

    let (server, exchange, session) = replay_capture(FOLDER, "32-stacks-archived").await;
    let stacks = session.list_stacks(6, true).await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert!(stacks[1].cards[0].archived);

    let (server, exchange, session) = replay_capture(FOLDER, "34-stack-delete").await;
    let stack = session.delete_stack(6, 12).await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert!(stack.deleted_at > 0);
    assert!(stack.is_deleted());
}

#[tokio::test]
async fn cards_create_get_update() {
    let (server, exchange, session) = replay_capture(FOLDER, "12-card-create").await;
    // Deck drops an offset it is sent: 18:00+01:00 must go out as 17:00 UTC,
    // which is what the captured request carries.
    let draft = CardDraft {
        title: "Write release notes".into(),
        description: Some("Draft in **markdown**\n\n- [ ] intro\n- [ ] changes".into()),
        duedate: Some(parse_due_date("2026-12-04T18:00:00+01:00").unwrap()),
        order: 1,
    };
    let created = session.create_card(6, 11, &draft).await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!((created.id, created.stack_id), (11, 11));
    assert_eq!(
        created.duedate.as_deref(),
        Some("2026-12-04T17:00:00+00:00")
    );

    let (server, exchange, session) = replay_capture(FOLDER, "16-card-get").await;
    let got = session.get_card(card(6, 11, 11)).await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!(got.card_type, "plain");

    let (server, exchange, session) = replay_capture(FOLDER, "17-card-update").await;
    let fields = CardFields {
        title: "Write release notes v2".into(),
        description: "Second draft".into(),
        duedate: Some("2026-12-05T12:00:00+00:00".into()),
        ..CardFields::of(&got)
    };
    let updated = session.update_card(card(6, 11, 11), &fields).await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!(updated.title, "Write release notes v2");
}

#[tokio::test]
async fn card_labels_users_and_moves() {
    let (server, exchange, session) = replay_capture(FOLDER, "18-card-assign-label").await;
    session.assign_label(card(6, 11, 11), 28).await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;

    let (server, exchange, session) = replay_capture(FOLDER, "19-card-assign-user").await;
    let assignment = session.assign_user(card(6, 11, 11), "alice").await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!(
        (
            assignment.user_id.as_str(),
            assignment.display_name.as_str()
        ),
        ("alice", "Alice Fixture")
    );

    let (server, exchange, session) = replay_capture(FOLDER, "20-card-move").await;
    let cards = session.move_card(card(6, 11, 11), 12, 0).await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!((cards[0].id, cards[0].stack_id), (11, 12));

    let (server, exchange, session) = replay_capture(FOLDER, "21-card-get-after-move").await;
    let moved = session.get_card(card(6, 12, 11)).await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!(moved.labels[0].title, "Urgent");
    assert_eq!(moved.assigned_users, vec!["alice"]);

    let (server, exchange, session) = replay_capture(FOLDER, "22-card-remove-label").await;
    session.remove_label(card(6, 12, 11), 28).await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;

    let (server, exchange, session) = replay_capture(FOLDER, "23-card-unassign-user").await;
    session
        .unassign_user(card(6, 12, 11), "alice")
        .await
        .unwrap();
    assert_sent_like_capture(&server, &exchange).await;
}

#[tokio::test]
async fn comments_go_through_ocs() {
    let (server, exchange, session) = replay_capture(FOLDER, "28-ocs-comment-create").await;
    let comment = session
        .add_comment(12, "First comment", None)
        .await
        .unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!((comment.id, comment.card_id), (4, 12));
    assert_eq!(comment.created, "2026-11-23T08:38:33+00:00");

    // Default paging stays off the wire, as in the capture.
    let (server, exchange, session) = replay_capture(FOLDER, "29-ocs-comments-list").await;
    let comments = session.list_comments(12, 20, 0).await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!(comments[0].message, "First comment");
    assert_eq!(comments[0].actor_display_name, "admin");
}

#[tokio::test]
async fn archive_delete_and_restore() {
    let (server, exchange, session) = replay_capture(FOLDER, "31-card-archive").await;
    let archived = session
        .set_card_archived(card(6, 12, 11), true)
        .await
        .unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert!(archived.archived);

    let (server, exchange, session) = replay_capture(FOLDER, "33-card-delete").await;
    let deleted = session.delete_card(card(6, 12, 11)).await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert!(deleted.deleted_at > 0);

    let (server, exchange, session) = replay_capture(FOLDER, "35-board-delete").await;
    let board = session.delete_board(6).await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!(board.deleted_at, 1_795_423_113);

    // A soft-deleted board is still listed, marked deleted.
    let (server, exchange, session) = replay_capture(FOLDER, "36-boards-list-after-delete").await;
    let boards = session.list_boards(None).await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert!(boards.iter().any(|b| b.id == 6 && b.deleted_at > 0));

    let (server, exchange, session) = replay_capture(FOLDER, "37-board-undo-delete").await;
    let board = session.restore_board(6).await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!(board.deleted_at, 0);
}

#[tokio::test]
async fn errors_say_what_went_wrong() {
    let (_server, _exchange, session) = replay_capture(FOLDER, "38-board-get-missing").await;
    let err = session.get_board(999999).await.unwrap_err();
    assert_eq!(
        err,
        NextcloudError::Forbidden(Some(
            "board 999999 does not exist, or you may not do this with it".into()
        ))
    );

    let server = MockServer::start().await;
    load("errors", "10-deck-bad-credentials")
        .mount(&server)
        .await;
    let err = admin_session(&server).list_boards(None).await.unwrap_err();
    assert_eq!(err, NextcloudError::CredentialRejected);

    // A Deck 500 (here: its answer to a card without title) is "unavailable",
    // and its request id does not leak into the message.
    let server = MockServer::start().await;
    let exchange = load(FOLDER, "13-card-create-missing-title-500");
    wiremock::Mock::given(wiremock::matchers::method("POST"))
        .respond_with(exchange.response.template())
        .mount(&server)
        .await;
    let draft = CardDraft {
        title: "x".into(),
        description: None,
        duedate: None,
        order: 0,
    };
    let err = admin_session(&server)
        .create_card(6, 11, &draft)
        .await
        .unwrap_err();
    assert_eq!(err, NextcloudError::Unavailable("HTTP 500".into()));
}
