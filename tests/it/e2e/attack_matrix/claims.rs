//! A valid signature on the wrong claims: expired, not yet valid, another
//! issuer, another audience, an ID token.

use super::{bearer, start};

use crate::support::idp::*;
use crate::support::oauth::NEXTCLOUD_AUDIENCE;
use serde_json::json;

#[tokio::test]
async fn expired_token_is_refused() {
    let world = start().await;
    let token = world.token(json!({"exp": now() - 3600, "iat": now() - 7200}));
    let response = world.call_get_note(Some(&bearer(&token))).await;
    world
        .assert_refused(
            "expired",
            response,
            401,
            Some("invalid_token"),
            Some(&token),
        )
        .await;
}

#[tokio::test]
async fn not_yet_valid_token_is_refused() {
    let world = start().await;
    // Beyond the 30 s leeway.
    let token = world.token(json!({"nbf": now() + 600, "exp": now() + 1200}));
    let response = world.call_get_note(Some(&bearer(&token))).await;
    world
        .assert_refused(
            "not yet valid (nbf in the future)",
            response,
            401,
            Some("invalid_token"),
            Some(&token),
        )
        .await;
}

#[tokio::test]
async fn wrong_issuer_is_refused() {
    let world = start().await;
    let token = world.token(json!({"iss": "https://evil.example/realms/test"}));
    let response = world.call_get_note(Some(&bearer(&token))).await;
    world
        .assert_refused(
            "wrong issuer",
            response,
            401,
            Some("invalid_token"),
            Some(&token),
        )
        .await;
}

#[tokio::test]
async fn wrong_audience_is_refused() {
    let world = start().await;
    // Names Nextcloud but not this server: a token meant for someone else.
    let token = world.token(json!({"aud": ["some-other-service", NEXTCLOUD_AUDIENCE]}));
    let response = world.call_get_note(Some(&bearer(&token))).await;
    world
        .assert_refused(
            "wrong audience",
            response,
            401,
            Some("invalid_token"),
            Some(&token),
        )
        .await;
    let token = world.token(json!({"aud": null}));
    let response = world.call_get_note(Some(&bearer(&token))).await;
    world
        .assert_refused(
            "no audience",
            response,
            401,
            Some("invalid_token"),
            Some(&token),
        )
        .await;
}

#[tokio::test]
async fn an_id_token_is_not_an_access_token() {
    let world = start().await;
    let token = world.token(json!({"typ": "ID"}));
    let response = world.call_get_note(Some(&bearer(&token))).await;
    world
        .assert_refused(
            "ID token",
            response,
            401,
            Some("invalid_token"),
            Some(&token),
        )
        .await;
}
