//! Missing, malformed or misplaced credentials.

use super::{bearer, start};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;

#[tokio::test]
async fn no_token_is_challenged_without_an_error_code() {
    let world = start().await;
    let response = world.call_get_note(None).await;
    world
        .assert_refused("no token", response, 401, None, None)
        .await;
}

#[tokio::test]
async fn malformed_token_is_refused() {
    let world = start().await;
    let response = world.call_get_note(Some("Bearer abc.def")).await;
    world
        .assert_refused(
            "malformed token",
            response,
            401,
            Some("invalid_token"),
            Some("abc.def"),
        )
        .await;
    // Not shaped like a JWT, so it went to RFC 7662 introspection (which said
    // `active: false`); nothing else was asked.
    assert_eq!(world.idp.hits("/introspect").await, 1);
}

#[tokio::test]
async fn wrong_scheme_is_refused() {
    let world = start().await;
    let basic = format!("Basic {}", STANDARD.encode("admin:app-pass"));
    let response = world.call_get_note(Some(&basic)).await;
    world
        .assert_refused(
            "Basic instead of Bearer",
            response,
            401,
            Some("invalid_request"),
            None,
        )
        .await;
}

#[tokio::test]
async fn token_in_the_query_string_is_refused_even_when_valid() {
    let world = start().await;
    let token = world.token(json!({}));
    world.nextcloud_accepts(&token).await;
    let url = format!("{}?access_token={token}", world.server.mcp_url());
    let response = world.call_get_note_at(&url, None).await;
    world
        .assert_refused(
            "token in query string",
            response,
            400,
            Some("invalid_request"),
            Some(&token),
        )
        .await;
    // Even with a valid header alongside it: a token in a URL ends up in logs.
    let response = world.call_get_note_at(&url, Some(&bearer(&token))).await;
    world
        .assert_refused(
            "token in query string and header",
            response,
            400,
            Some("invalid_request"),
            Some(&token),
        )
        .await;
}
