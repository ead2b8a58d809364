//! End-to-end through rmcp's client over Streamable HTTP: every Deck tool
//! against real Nextcloud 34 / Deck 1.18 captures, and its error paths.

use crate::support::e2e::*;
use serde_json::{Value, json};
use wiremock::MockServer;

const DECK: &str = "^/index.php/apps/deck/api/v1.0/boards";
const CARD: &str = "^/index.php/apps/deck/api/v1.0/boards/6/stacks/1[12]/cards/11";

#[tokio::test]
async fn deck_tools_against_real_captures() {
    let nc = MockServer::start().await;
    for (verb, pattern, name) in [
        ("GET", format!("{DECK}$"), "36-boards-list-after-delete"),
        ("POST", format!("{DECK}$"), "02-board-create"),
        ("GET", format!("{DECK}/6$"), "03-board-get"),
        ("PUT", format!("{DECK}/6$"), "06-board-update"),
        ("DELETE", format!("{DECK}/6$"), "35-board-delete"),
        (
            "POST",
            format!("{DECK}/6/undo_delete$"),
            "37-board-undo-delete",
        ),
        ("GET", format!("{DECK}/999999$"), "38-board-get-missing"),
        ("GET", format!("{DECK}/6/stacks$"), "14-stacks-list"),
        (
            "GET",
            format!("{DECK}/6/stacks/archived$"),
            "32-stacks-archived",
        ),
        ("GET", format!("{DECK}/6/stacks/11$"), "15-stack-get"),
        ("POST", format!("{DECK}/6/stacks$"), "09-stack-create"),
        ("PUT", format!("{DECK}/6/stacks/11$"), "11-stack-update"),
        ("DELETE", format!("{DECK}/6/stacks/12$"), "34-stack-delete"),
        ("POST", format!("{DECK}/6/labels$"), "08-label-create"),
        (
            "POST",
            format!("{DECK}/6/stacks/11/cards$"),
            "12-card-create",
        ),
        ("GET", format!("{CARD}$"), "16-card-get"),
        ("PUT", format!("{CARD}$"), "17-card-update"),
        ("DELETE", format!("{CARD}$"), "33-card-delete"),
        ("PUT", format!("{CARD}/reorder$"), "20-card-move"),
        ("PUT", format!("{CARD}/archive$"), "31-card-archive"),
        ("PUT", format!("{CARD}/unarchive$"), "16-card-get"),
        (
            "PUT",
            format!("{CARD}/assignLabel$"),
            "18-card-assign-label",
        ),
        (
            "PUT",
            format!("{CARD}/removeLabel$"),
            "22-card-remove-label",
        ),
        ("PUT", format!("{CARD}/assignUser$"), "19-card-assign-user"),
        (
            "PUT",
            format!("{CARD}/unassignUser$"),
            "23-card-unassign-user",
        ),
        (
            "POST",
            "^/ocs/v2.php/apps/deck/api/v1.0/cards/12/comments$".into(),
            "28-ocs-comment-create",
        ),
        (
            "GET",
            "^/ocs/v2.php/apps/deck/api/v1.0/cards/12/comments$".into(),
            "29-ocs-comments-list",
        ),
    ] {
        serve_capture(&nc, verb, &pattern, "deck", name).await;
    }
    let (server, client) = start_app_server(&nc).await;
    let card = json!({"board_id": 6, "stack_id": 11, "card_id": 11});
    let with = |extra: Value| merged(&card, extra);

    let listed = expect_tool_ok(&client, "deck_get_boards", json!({}), "Boards: 1").await;
    assert_eq!(
        listed["boards"][0]["id"], 1,
        "the deleted board 6 is hidden"
    );
    expect_tool_ok(
        &client,
        "deck_get_boards",
        json!({"include_deleted": true}),
        "deleted (can be restored)",
    )
    .await;
    expect_tool_ok(
        &client,
        "deck_get_board",
        json!({"board_id": 6}),
        "labels: Finished",
    )
    .await;
    expect_tool_ok(
        &client,
        "deck_create_board",
        json!({"title": "Fixture board", "color": "#0082C9"}),
        "id 6",
    )
    .await;
    expect_tool_ok(
        &client,
        "deck_update_board",
        json!({"board_id": 6, "title": "Fixture board (renamed)"}),
        "renamed",
    )
    .await;
    expect_tool_ok(
        &client,
        "deck_archive_board",
        json!({"board_id": 6}),
        "Archived board",
    )
    .await;
    expect_tool_ok(
        &client,
        "deck_unarchive_board",
        json!({"board_id": 6}),
        "Unarchived board",
    )
    .await;
    expect_tool_ok(
        &client,
        "deck_delete_board",
        json!({"board_id": 6}),
        "deck_restore_board",
    )
    .await;
    expect_tool_ok(
        &client,
        "deck_restore_board",
        json!({"board_id": 6}),
        "Restored board",
    )
    .await;
    expect_tool_ok(
        &client,
        "deck_get_stacks",
        json!({"board_id": 6}),
        "Write release notes",
    )
    .await;
    expect_tool_ok(
        &client,
        "deck_get_archived_stacks",
        json!({"board_id": 6}),
        "archived",
    )
    .await;
    expect_tool_ok(
        &client,
        "deck_get_stack",
        json!({"board_id": 6, "stack_id": 11}),
        "Backlog",
    )
    .await;
    expect_tool_ok(
        &client,
        "deck_create_stack",
        json!({"board_id": 6, "title": "To do", "order": 1}),
        "id 11",
    )
    .await;
    expect_tool_ok(
        &client,
        "deck_update_stack",
        json!({"board_id": 6, "stack_id": 11, "title": "Backlog"}),
        "Backlog",
    )
    .await;
    expect_tool_ok(
        &client,
        "deck_reorder_stack",
        json!({"board_id": 6, "stack_id": 11, "order": 1}),
        "order 1",
    )
    .await;
    expect_tool_ok(
        &client,
        "deck_delete_stack",
        json!({"board_id": 6, "stack_id": 12}),
        "Deleted stack 'Done'",
    )
    .await;
    expect_tool_ok(
        &client,
        "deck_get_labels",
        json!({"board_id": 6}),
        "Later (label 27",
    )
    .await;
    expect_tool_ok(
        &client,
        "deck_create_label",
        json!({"board_id": 6, "title": "Urgent", "color": "e9322d"}),
        "id 28",
    )
    .await;
    expect_tool_ok(
        &client,
        "deck_get_cards",
        json!({"board_id": 6, "stack_id": 11}),
        "card 11",
    )
    .await;
    expect_tool_ok(
        &client,
        "deck_get_card",
        card.clone(),
        "Draft in **markdown**",
    )
    .await;
    let created = json!({"board_id": 6, "stack_id": 11, "title": "Write release notes", "duedate": "2026-12-04 17:00"});
    expect_tool_ok(&client, "deck_create_card", created, "id 11").await;
    expect_tool_ok(
        &client,
        "deck_update_card",
        with(json!({"title": "Write release notes v2", "duedate": "2026-12-05"})),
        "v2",
    )
    .await;
    expect_tool_ok(
        &client,
        "deck_reorder_card",
        with(json!({"order": 0, "target_stack_id": 12})),
        "to stack 12",
    )
    .await;
    let moved = json!({"source_board_id": 6, "source_stack_id": 12, "card_id": 11, "target_board_id": 6, "target_stack_id": 11});
    expect_tool_ok(&client, "deck_move_card_to_board", moved, "on board 6").await;
    expect_tool_ok(&client, "deck_archive_card", card.clone(), "Archived card").await;
    expect_tool_ok(
        &client,
        "deck_unarchive_card",
        card.clone(),
        "Unarchived card",
    )
    .await;
    expect_tool_ok(
        &client,
        "deck_assign_label_to_card",
        with(json!({"label_id": 28})),
        "Label 28 is now on card 11",
    )
    .await;
    expect_tool_ok(
        &client,
        "deck_remove_label_from_card",
        with(json!({"label_id": 28})),
        "no longer",
    )
    .await;
    expect_tool_ok(
        &client,
        "deck_assign_user_to_card",
        with(json!({"user_id": "alice"})),
        "Alice Fixture (alice)",
    )
    .await;
    expect_tool_ok(
        &client,
        "deck_unassign_user_from_card",
        with(json!({"user_id": "alice"})),
        "Unassigned",
    )
    .await;
    expect_tool_ok(
        &client,
        "deck_get_card_comments",
        json!({"card_id": 12}),
        "First comment",
    )
    .await;
    expect_tool_ok(
        &client,
        "deck_create_card_comment",
        json!({"card_id": 12, "message": "First comment"}),
        "comment 4",
    )
    .await;
    expect_tool_ok(&client, "deck_delete_card", card.clone(), "Deleted card").await;

    // Errors: Deck's 403 for a missing board, and input refused before any call.
    expect_tool_error(
        &client,
        "deck_get_board",
        json!({"board_id": 999999}),
        "board 999999 does not exist",
    )
    .await;
    expect_tool_error(
        &client,
        "deck_create_card",
        json!({"board_id": 6, "stack_id": 11, "title": " "}),
        "card title is empty",
    )
    .await;
    expect_tool_error(
        &client,
        "deck_create_board",
        json!({"title": "x", "color": "blue"}),
        "not a hex colour",
    )
    .await;
    expect_tool_error(
        &client,
        "deck_update_card",
        with(json!({"duedate": "next friday"})),
        "due date",
    )
    .await;
    client.cancel().await.unwrap();
    server.shutdown().await;
}

/// The bodies of the PUTs the stand-in received, by path.
async fn puts(nc: &MockServer) -> Vec<(String, Value)> {
    nc.received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.method.as_str() == "PUT")
        .map(|r| {
            let body = serde_json::from_slice(&r.body).unwrap();
            (r.url.path().to_string(), body)
        })
        .collect()
}

#[tokio::test]
async fn deck_real_server_failures_are_fixed() {
    let nc = MockServer::start().await;
    for (verb, pattern, name) in [
        ("GET", format!("{DECK}/6/stacks$"), "14-stacks-list"),
        ("GET", format!("{DECK}/[67]/stacks/11$"), "15-stack-get"),
        // What Deck answers for a deleted stack: the stack, `deletedAt` set.
        ("GET", format!("{DECK}/6/stacks/12$"), "34-stack-delete"),
        ("PUT", format!("{DECK}/6/stacks/1[12]$"), "11-stack-update"),
        (
            "POST",
            format!("{DECK}/6/stacks/11/cards$"),
            "12-card-create",
        ),
    ] {
        serve_capture(&nc, verb, &pattern, "deck", name).await;
    }
    let (server, client) = start_app_server(&nc).await;

    let deleted = expect_tool_ok(
        &client,
        "deck_get_stack",
        json!({"board_id": 6, "stack_id": 12}),
        "deleted",
    )
    .await;
    assert_eq!(deleted["deleted"], true);
    let live = expect_tool_ok(
        &client,
        "deck_get_stack",
        json!({"board_id": 6, "stack_id": 11}),
        "Backlog",
    )
    .await;
    assert_eq!(live["deleted"], false);

    // Stacks 11 (order 1) and 12 (order 2): 12 to order 1 moves 11 to 2.
    expect_tool_ok(
        &client,
        "deck_reorder_stack",
        json!({"board_id": 6, "stack_id": 12, "order": 1}),
        "moved from order 1 to 2",
    )
    .await;
    let sent = puts(&nc).await;
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(sent[0].0.ends_with("/stacks/12") && sent[0].1["order"] == 1);
    assert!(sent[1].0.ends_with("/stacks/11") && sent[1].1["order"] == 2);

    // Stack 11 is on board 6: creating a card "on board 7" with it is refused.
    expect_tool_error(
        &client,
        "deck_create_card",
        json!({"board_id": 7, "stack_id": 11, "title": "Elsewhere"}),
        "belongs to board 6, not board 7",
    )
    .await;
    // A due date with an offset goes out as the same moment in UTC.
    let created = json!({"board_id": 6, "stack_id": 11, "title": "Write release notes",
                         "duedate": "2026-12-04T18:00:00+01:00"});
    expect_tool_ok(&client, "deck_create_card", created, "id 11").await;
    let posted = nc
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .rfind(|r| r.method.as_str() == "POST")
        .unwrap();
    let body: Value = serde_json::from_slice(&posted.body).unwrap();
    assert_eq!(body["duedate"], "2026-12-04T17:00:00+00:00");
    assert_eq!(
        nc.received_requests()
            .await
            .unwrap()
            .iter()
            .filter(|r| r.method.as_str() == "POST")
            .count(),
        1,
        "nothing was created on the wrong board"
    );
    client.cancel().await.unwrap();
    server.shutdown().await;
}
