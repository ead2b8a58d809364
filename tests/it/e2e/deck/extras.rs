//! End-to-end through rmcp's client: the Deck label, comment, attachment,
//! overview and card-filter tools against real Nextcloud 34 / Deck 1.18.3
//! captures (deck-extras, deck), and their error paths.

use super::{CARD16, shares_are_created};
use crate::support::e2e::*;
use serde_json::{Value, json};
use wiremock::MockServer;

const BOARD16: &str = "^/index.php/apps/deck/api/v1.0/boards/16";
const COMMENTS: &str = "^/ocs/v2.php/apps/deck/api/v1.0/cards/16/comments";

async fn mount_deck_extras(nc: &MockServer) {
    for (verb, pattern, name) in [
        ("GET", format!("{BOARD16}/labels/69$"), "04-label-get"),
        ("PUT", format!("{BOARD16}/labels/69$"), "05-label-update"),
        ("DELETE", format!("{BOARD16}/labels/69$"), "39-label-delete"),
        (
            "GET",
            format!("{BOARD16}/labels/999999$"),
            "06-label-get-unknown",
        ),
        ("GET", format!("{BOARD16}$"), "36-board-get-with-stacks"),
        (
            "GET",
            format!("{BOARD16}/stacks$"),
            "37-stacks-list-with-cards",
        ),
        (
            "GET",
            format!("^/index.php/apps/deck/api/v1.1{CARD16}/attachments$"),
            "17-attachments-list-v1.1-after-upload",
        ),
        (
            "DELETE",
            format!("^/index.php/apps/deck/api/v1.0{CARD16}/attachments/1$"),
            "21-attachment-delete-v1.0",
        ),
        (
            "DELETE",
            format!("^/index.php/apps/deck/api/v1.1{CARD16}/attachments/file/24$"),
            "26-attachment-delete-v1.1-file-again",
        ),
        ("POST", format!("{COMMENTS}$"), "28-ocs-comment-reply"),
        ("PUT", format!("{COMMENTS}/11$"), "29-ocs-comment-update"),
        (
            "PUT",
            format!("{COMMENTS}/13$"),
            "30-ocs-comment-update-as-bob",
        ),
        (
            "DELETE",
            format!("{COMMENTS}/12$"),
            "33-ocs-comment-delete-reply",
        ),
        (
            "DELETE",
            format!("{COMMENTS}/11$"),
            "35-ocs-comment-delete-again",
        ),
    ] {
        serve_capture(nc, verb, &pattern, "deck-extras", name).await;
    }
}

#[tokio::test]
async fn labels_comments_and_attachments() {
    let nc = MockServer::start().await;
    mount_deck_extras(&nc).await;
    let (server, client) = start_app_server(&nc).await;
    let label = json!({"board_id": 16, "label_id": 69});

    expect_tool_ok(
        &client,
        "deck_get_label",
        label.clone(),
        "Finished (label 69",
    )
    .await;
    let updated = expect_tool_ok(
        &client,
        "deck_update_label",
        json!({"board_id": 16, "label_id": 69, "color": "#00FF00"}),
        "Updated label 'fx-Done'",
    )
    .await;
    assert_eq!(updated["color"], "00ff00");
    expect_tool_ok(&client, "deck_delete_label", label, "Deleted label").await;
    expect_tool_error(
        &client,
        "deck_get_label",
        json!({"board_id": 16, "label_id": 999999}),
        "label 999999 of board 16 does not exist, or you may not",
    )
    .await;
    expect_tool_error(
        &client,
        "deck_update_label",
        json!({"board_id": 16, "label_id": 69}),
        "nothing to change",
    )
    .await;

    let reply = expect_tool_ok(
        &client,
        "deck_create_card_comment",
        json!({"card_id": 16, "message": "fx reply", "parent_id": 11}),
        "comment 12",
    )
    .await;
    assert_eq!(reply["reply_to"], 11);
    expect_tool_ok(
        &client,
        "deck_update_card_comment",
        json!({"card_id": 16, "comment_id": 11, "message": "fx deck comment (edited)"}),
        "Updated comment 11",
    )
    .await;
    expect_tool_ok(
        &client,
        "deck_delete_card_comment",
        json!({"card_id": 16, "comment_id": 12}),
        "Deleted comment 12",
    )
    .await;
    expect_tool_error(
        &client,
        "deck_update_card_comment",
        json!({"card_id": 16, "comment_id": 13, "message": "hijack"}),
        "comment 13 on card 16 does not exist, or you may not",
    )
    .await;
    expect_tool_error(
        &client,
        "deck_delete_card_comment",
        json!({"card_id": 16, "comment_id": 11}),
        "comment 11 on card 16 does not exist",
    )
    .await;
    expect_tool_error(
        &client,
        "deck_update_card_comment",
        json!({"card_id": 16, "comment_id": 11, "message": "  "}),
        "comment is empty",
    )
    .await;

    let card = json!({"board_id": 16, "stack_id": 34, "card_id": 16});
    let listed = expect_tool_ok(
        &client,
        "deck_list_attachments",
        card.clone(),
        "fx-photo.txt (attachment 24, file, 21 bytes)",
    )
    .await;
    assert_eq!(listed["attachments"][0]["type"], "deck_file");
    let with = |extra: Value| merged(&card, extra);
    expect_tool_ok(
        &client,
        "deck_delete_attachment",
        with(json!({"attachment_id": 1})),
        "stays in Deck's trash",
    )
    .await;
    expect_tool_error(
        &client,
        "deck_delete_attachment",
        with(json!({"attachment_id": 24, "attachment_type": "file"})),
        "attachment 24 of card 16 (board 16, stack 34) does not exist, or you may not",
    )
    .await;
    expect_tool_error(
        &client,
        "deck_delete_attachment",
        with(json!({"attachment_id": 24, "attachment_type": "folder"})),
        "is not \"deck_file\" or \"file\"",
    )
    .await;
    server.shutdown().await;
}

/// The JSON bodies of the share creations Nextcloud received.
async fn share_bodies(nc: &MockServer) -> Vec<Value> {
    nc.received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.method.as_str() == "POST" && r.url.path().ends_with("/shares"))
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

#[tokio::test]
async fn attaching_shares_the_file_or_note_with_the_card() {
    let nc = MockServer::start().await;
    shares_are_created(&nc).await;
    serve_capture(
        &nc,
        "GET",
        "^/index.php/apps/notes/api/v1/notes/213$",
        "notes",
        "07-get",
    )
    .await;
    let (server, client) = start_app_server(&nc).await;

    expect_tool_ok(
        &client,
        "deck_attach_file",
        json!({"card_id": 16, "path": "Documents/spec.pdf"}),
        "Attached /Documents/spec.pdf to card 16",
    )
    .await;
    expect_tool_ok(
        &client,
        "deck_attach_note",
        json!({"card_id": 16, "note_id": 213}),
        "Attached /Notes/Home/Groceries.md to card 16",
    )
    .await;
    expect_tool_error(
        &client,
        "deck_attach_file",
        json!({"card_id": 16, "path": "../etc/passwd"}),
        "climbs above your files root",
    )
    .await;
    // Deck's share type, the card as recipient, read-only.
    assert_eq!(
        share_bodies(&nc).await,
        [
            json!({"path": "/Documents/spec.pdf", "shareType": 12, "shareWith": "16", "permissions": 1}),
            json!({"path": "/Notes/Home/Groceries.md", "shareType": 12, "shareWith": "16", "permissions": 1}),
        ]
    );
    server.shutdown().await;
}

#[tokio::test]
async fn overview_and_card_filters() {
    let nc = MockServer::start().await;
    mount_deck_extras(&nc).await;
    let deck6 = "^/index.php/apps/deck/api/v1.0/boards/6";
    serve_capture(
        &nc,
        "GET",
        &format!("{deck6}/stacks/11$"),
        "deck",
        "15-stack-get",
    )
    .await;
    serve_capture(
        &nc,
        "GET",
        &format!("{deck6}/stacks/archived$"),
        "deck",
        "32-stacks-archived",
    )
    .await;
    let (server, client) = start_app_server(&nc).await;

    let overview = expect_tool_ok(
        &client,
        "deck_get_board_overview",
        json!({"board_id": 16}),
        "fx-Todo (stack 34): 1 cards",
    )
    .await;
    let row = &overview["stacks"][0]["cards"][0];
    assert_eq!(row["title"], "fx-card with attachments");
    assert_eq!(row["status"], "open");
    assert_eq!(row["description_preview"], "has files");
    assert_eq!(overview["labels"][0]["title"], "fx-Done");
    let preview = expect_tool_ok(
        &client,
        "deck_get_board_overview",
        json!({"board_id": 16, "description_preview_length": 3}),
        "fx-card",
    )
    .await;
    assert_eq!(
        preview["stacks"][0]["cards"][0]["description_preview"],
        "has"
    );
    let none = expect_tool_ok(
        &client,
        "deck_get_board_overview",
        json!({"board_id": 16, "label": "Later"}),
        "0 cards",
    )
    .await;
    assert_eq!(none["total_cards"], 0);
    expect_tool_error(
        &client,
        "deck_get_board_overview",
        json!({"board_id": 16, "status": "closed"}),
        "status 'closed' is not one of open, done, archived, all",
    )
    .await;

    let open = expect_tool_ok(
        &client,
        "deck_get_cards",
        json!({"board_id": 6, "stack_id": 11, "status": "open", "detail": "summary"}),
        "Write release notes",
    )
    .await;
    assert_eq!(open["cards"][0]["status"], "open");
    assert!(open["cards"][0].get("etag").is_none(), "a summary row");
    let archived = expect_tool_ok(
        &client,
        "deck_get_cards",
        json!({"board_id": 6, "stack_id": 12, "status": "archived"}),
        "Write release notes v2",
    )
    .await;
    assert_eq!(archived["cards"][0]["archived"], true);
    let nobody = expect_tool_ok(
        &client,
        "deck_get_cards",
        json!({"board_id": 6, "stack_id": 11, "assigned_to": "alice"}),
        ": 0",
    )
    .await;
    assert_eq!(nobody["cards"], json!([]));
    let cut = expect_tool_ok(
        &client,
        "deck_get_cards",
        json!({"board_id": 6, "stack_id": 11, "description_max_length": 5}),
        "Write release notes",
    )
    .await;
    assert_eq!(cut["cards"][0]["description"], "Draft");
    expect_tool_error(
        &client,
        "deck_get_cards",
        json!({"board_id": 6, "stack_id": 11, "description_max_length": 0}),
        "description_max_length must be from 1",
    )
    .await;
    let archived_stacks = expect_tool_ok(
        &client,
        "deck_get_archived_stacks",
        json!({"board_id": 6, "detail": "summary"}),
        "Write release notes v2",
    )
    .await;
    assert_eq!(
        archived_stacks["stacks"][1]["cards"][0]["status"],
        "archived"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn archived_only_listing_does_not_read_the_active_stack() {
    let nc = MockServer::start().await;
    serve_capture(
        &nc,
        "GET",
        "^/index.php/apps/deck/api/v1.0/boards/6/stacks/archived$",
        "deck",
        "32-stacks-archived",
    )
    .await;
    let (server, client) = start_app_server(&nc).await;
    expect_tool_ok(
        &client,
        "deck_get_cards",
        json!({"board_id": 6, "stack_id": 12, "status": "archived"}),
        "v2",
    )
    .await;
    let active_reads = requests_to(&nc, |p| p.ends_with("/stacks/12")).await;
    assert_eq!(active_reads, 0);
    server.shutdown().await;
}
