//! End-to-end through rmcp's client: `nc_notes_get_attachment` finds the
//! file next to the note (real Notes 6.0.2 capture for the note), returns
//! an image as image content, text as text, and refuses the rest.

use crate::support::e2e::*;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const FOLDER: &str = "/remote.php/dav/files/admin/Notes/Home/.attachments.213";

/// A 1x1 PNG, made here rather than stored.
fn tiny_png() -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(&[0, 0, 0, 13]);
    png.extend_from_slice(b"IHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0");
    png
}

async fn serve_file(nc: &MockServer, name: &str, body: Vec<u8>, content_type: &str) {
    Mock::given(method("GET"))
        .and(path(format!("{FOLDER}/{name}")))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, content_type))
        .mount(nc)
        .await;
}

#[tokio::test]
async fn attachments_come_back_as_images_or_text_and_are_bounded() {
    let nc = MockServer::start().await;
    serve_capture(
        &nc,
        "GET",
        "^/index.php/apps/notes/api/v1/notes/213$",
        "notes",
        "07-get",
    )
    .await;
    // The server's Content-Type follows the name; the bytes decide.
    serve_file(&nc, "photo.png", tiny_png(), "application/octet-stream").await;
    serve_file(&nc, "list.txt", b"milk\nbread\n".to_vec(), "text/plain").await;
    serve_file(
        &nc,
        "doc.pdf",
        b"%PDF-1.7\n\0\x01\x02".to_vec(),
        "application/pdf",
    )
    .await;
    let too_big = vec![b'a'; 5 * 1024 * 1024 + 1];
    serve_file(&nc, "huge.txt", too_big, "text/plain").await;
    let (server, client) = start_app_server(&nc).await;

    let args = |name: &str| json!({"note_id": 213, "attachment_filename": name});
    let result = call(&client, "nc_notes_get_attachment", args("photo.png")).await;
    let structured = assert_ok("nc_notes_get_attachment", &result);
    assert_eq!(structured["mime_type"], "image/png");
    assert_eq!(
        structured["path"],
        format!("/Notes/Home/.attachments.213/photo.png")
    );
    let image = result
        .content
        .iter()
        .find_map(|c| c.as_image())
        .expect("image content");
    assert_eq!(image.mime_type, "image/png");
    use base64::Engine;
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(&image.data)
            .unwrap(),
        tiny_png()
    );

    // As the note's Markdown links it.
    expect_tool_ok(
        &client,
        "nc_notes_get_attachment",
        args(".attachments.213/list.txt"),
        "milk\nbread",
    )
    .await;
    expect_tool_error(
        &client,
        "nc_notes_get_attachment",
        args("doc.pdf"),
        "neither an image (PNG, JPEG, GIF, WebP) nor text",
    )
    .await;
    expect_tool_error(
        &client,
        "nc_notes_get_attachment",
        args("huge.txt"),
        "larger than the 5242880-byte limit",
    )
    .await;
    expect_tool_error(
        &client,
        "nc_notes_get_attachment",
        args("../Groceries.md"),
        "without folders or '..'",
    )
    .await;
    expect_tool_error(
        &client,
        "nc_notes_get_attachment",
        args("missing.png"),
        "does not exist",
    )
    .await;
    server.shutdown().await;
}
