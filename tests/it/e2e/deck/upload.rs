//! End-to-end through rmcp's client: `deck_attach_file` uploading content
//! through Deck's attachment API (captures deck-extras/14, 15) next to its
//! linking of a Files path, and the card dependency tools; the refusals
//! made before any request reach no Nextcloud.

use super::{CARD16, shares_are_created};
use crate::support::e2e::*;
use serde_json::{Value, json};
use wiremock::MockServer;

/// The app requests Nextcloud received, as (method, path); the server's
/// own probes (capabilities, status) are left out.
async fn received(nc: &MockServer) -> Vec<(String, String)> {
    nc.received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path().contains("/apps/"))
        .map(|r| (r.method.to_string(), r.url.path().to_string()))
        .collect()
}

/// The body of the one POST to `path`.
async fn body_of_post(nc: &MockServer, path: &str) -> Vec<u8> {
    let mut posts: Vec<_> = nc
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.method.as_str() == "POST" && r.url.path() == path)
        .collect();
    assert_eq!(posts.len(), 1, "one upload to {path}");
    posts.remove(0).body
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn content_is_uploaded_and_a_path_is_still_linked() {
    let nc = MockServer::start().await;
    let v10 = format!("/index.php/apps/deck/api/v1.0{CARD16}/attachments");
    let v11 = format!("/index.php/apps/deck/api/v1.1{CARD16}/attachments");
    serve_capture(
        &nc,
        "POST",
        &format!("^{v10}$"),
        "deck-extras",
        "14-attachment-upload-v1.0-deck-file",
    )
    .await;
    serve_capture(
        &nc,
        "POST",
        &format!("^{v11}$"),
        "deck-extras",
        "15-attachment-upload-v1.1-file",
    )
    .await;
    shares_are_created(&nc).await;
    let (server, client) = start_app_server(&nc).await;
    let card = json!({"card_id": 16, "board_id": 16, "stack_id": 34});
    let with = |extra: Value| merged(&card, extra);

    // Text, named by file_name: a "file" attachment by default, on v1.1.
    let uploaded = expect_tool_ok(
        &client,
        "deck_attach_file",
        with(json!({"file_name": "fx-photo.txt", "content": "files-app attachment\n"})),
        "Uploaded 'fx-photo.txt' (21 bytes) to card 16 as file attachment 24",
    )
    .await;
    assert_eq!(uploaded["attachment"]["path"], "/Deck/fx-photo.txt");
    let sent = body_of_post(&nc, &v11).await;
    assert!(contains(&sent, b"\r\n\r\nfiles-app attachment\n\r\n--"));
    assert!(contains(&sent, b"name=\"data\"\r\n\r\nfx-photo.txt\r\n"));

    // Base64, named by the path's last part, into Deck's own storage on v1.0.
    expect_tool_ok(
        &client,
        "deck_attach_file",
        with(json!({
            "path": "/Some/Folder/fx-notes.txt",
            "content_base64": "ZGVjayBhdHRhY2htZW50IGJvZHkK",
            "attachment_type": "deck_file",
        })),
        "Uploaded 'fx-notes.txt' (21 bytes) to card 16 as deck_file attachment 1",
    )
    .await;
    let sent = body_of_post(&nc, &v10).await;
    assert!(contains(&sent, b"\r\n\r\ndeck attachment body\n\r\n--"));
    assert!(contains(&sent, b"name=\"type\"\r\n\r\ndeck_file\r\n"));

    // A path alone still links the file of Files (no upload).
    expect_tool_ok(
        &client,
        "deck_attach_file",
        json!({"card_id": 16, "path": "Documents/spec.pdf"}),
        "Attached /Documents/spec.pdf to card 16",
    )
    .await;
    assert_eq!(received(&nc).await.len(), 3);
    server.shutdown().await;
}

#[tokio::test]
async fn bad_uploads_are_refused_before_any_request() {
    let nc = MockServer::start().await;
    catch_all(&nc).await;
    let (server, client) = start_app_server(&nc).await;
    let card = json!({"card_id": 16, "board_id": 16, "stack_id": 34, "file_name": "a.txt"});
    let with = |extra: Value| merged(&card, extra);
    for (args, needle) in [
        (
            json!({"card_id": 16, "content": "x", "file_name": "a.txt"}),
            "needs the card's board_id and stack_id",
        ),
        (
            with(json!({"content": "x", "content_base64": "eA=="})),
            "content or content_base64, not both",
        ),
        (
            with(json!({"content_base64": "not base64!"})),
            "content_base64 is not valid base64",
        ),
        (
            with(json!({"content": "x", "file_name": "../a.txt"})),
            "is not a plain file name",
        ),
        (
            json!({"card_id": 16, "board_id": 16, "stack_id": 34, "content": "x"}),
            "name the uploaded file with file_name",
        ),
        (
            with(json!({"content": "x", "attachment_type": "folder"})),
            "is not \"deck_file\" or \"file\"",
        ),
        (json!({"card_id": 16}), "give path"),
    ] {
        expect_tool_error(&client, "deck_attach_file", args, needle).await;
    }
    assert!(received(&nc).await.is_empty(), "{:?}", received(&nc).await);
    server.shutdown().await;
}

#[tokio::test]
async fn upload_refusals_from_nextcloud_are_sentences() {
    let nc = MockServer::start().await;
    let v11 = format!("^/index.php/apps/deck/api/v1.1{CARD16}/attachments$");
    mount_json_reply(&nc, "POST", &v11, 413, json!({})).await;
    let (server, client) = start_app_server(&nc).await;
    expect_tool_error(
        &client,
        "deck_attach_file",
        json!({"card_id": 16, "board_id": 16, "stack_id": 34, "file_name": "big.bin", "content_base64": "AAAA"}),
        "'big.bin' (3 bytes) is larger than this Nextcloud accepts in one request (HTTP 413",
    )
    .await;
    server.shutdown().await;

    let nc = MockServer::start().await;
    serve_capture(
        &nc,
        "POST",
        &v11,
        "deck-extras",
        "13-attachment-download-unknown",
    )
    .await;
    let (server, client) = start_app_server(&nc).await;
    expect_tool_error(
        &client,
        "deck_attach_file",
        json!({"card_id": 16, "board_id": 16, "stack_id": 34, "file_name": "a.txt", "content": "x"}),
        "card 16 (board 16, stack 34) does not exist, or you may not do this with it",
    )
    .await;
    server.shutdown().await;
}

/// The captured card (deck-extras/03) with `dependentCards` set.
fn card_with_dependents(ids: &[u64]) -> Value {
    let mut card = crate::support::fixtures::load("deck-extras", "03-card-create")
        .response
        .body_json();
    card["dependentCards"] = json!(ids);
    card
}

#[tokio::test]
async fn dependent_cards_are_assigned_and_removed() {
    let nc = MockServer::start().await;
    let route = format!("^/index.php/apps/deck/api/v1.0{CARD16}/dependentCards/17$");
    mount_json_reply(&nc, "POST", &route, 200, card_with_dependents(&[17])).await;
    mount_json_reply(&nc, "DELETE", &route, 200, card_with_dependents(&[])).await;
    let (server, client) = start_app_server(&nc).await;
    let args = json!({"board_id": 16, "stack_id": 34, "card_id": 16, "dependent_card_id": 17});

    let added = expect_tool_ok(
        &client,
        "deck_assign_dependent_card",
        args.clone(),
        "Card 16 now has card 17 as a dependent card (dependent cards: 17)",
    )
    .await;
    assert_eq!(added["dependent_cards"], json!([17]));
    expect_tool_ok(
        &client,
        "deck_remove_dependent_card",
        args,
        "no longer has card 17 as a dependent card (dependent cards: none)",
    )
    .await;
    expect_tool_error(
        &client,
        "deck_assign_dependent_card",
        json!({"board_id": 16, "stack_id": 34, "card_id": 16, "dependent_card_id": 16}),
        "card 16 cannot depend on itself",
    )
    .await;
    assert_eq!(
        received(&nc).await,
        [
            (
                "POST".into(),
                format!("/index.php/apps/deck/api/v1.0{CARD16}/dependentCards/17")
            ),
            (
                "DELETE".into(),
                format!("/index.php/apps/deck/api/v1.0{CARD16}/dependentCards/17")
            ),
        ]
    );
    server.shutdown().await;
}
