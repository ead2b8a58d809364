//! A valid token without the tool's scope.

use super::{bearer, start};

use serde_json::json;

#[tokio::test]
async fn missing_scope_is_forbidden_with_the_scope_named() {
    let world = start().await;
    let token = world.token(json!({"scope": "openid profile files:write notes:write"}));
    world.nextcloud_accepts(&token).await;
    let response = world.call_get_note(Some(&bearer(&token))).await;
    let challenge = world
        .assert_refused(
            "missing notes:read",
            response,
            403,
            Some("insufficient_scope"),
            Some(&token),
        )
        .await;
    assert!(
        challenge.contains("scope=\"notes:read\""),
        "[missing scope] the challenge names the scope to ask for: {challenge}"
    );
}
