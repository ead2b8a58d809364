//! An unknown `kid`: refused, accepted once the IdP publishes the rotated
//! key, and its refetch rate-limited.

use super::{bearer, start, start_with};
use std::time::Duration;

use crate::support::idp::*;
use secrecy::ExposeSecret;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

#[tokio::test]
async fn unknown_kid_is_refused_then_accepted_after_rotation() {
    let world = start_with(Duration::ZERO).await;
    let rotated = world
        .next_key
        .sign(&world.claims(json!({})))
        .expose_secret()
        .to_string();

    let response = world.call_get_note(Some(&bearer(&rotated))).await;
    let challenge = world
        .assert_refused(
            "unknown kid (JWKS has key-a only)",
            response,
            401,
            Some("invalid_token"),
            Some(&rotated),
        )
        .await;
    assert!(challenge.contains("key-b"), "{challenge}");
    assert_eq!(
        world.idp.hits("/certs").await,
        2,
        "[unknown kid] initial JWKS load plus one refetch"
    );

    // The IdP rotates: its JWKS now publishes key-b too.
    Mock::given(method("GET"))
        .and(path(format!("{REALM_PATH}/certs")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(jwks(&[&world.key, &world.next_key])),
        )
        .with_priority(1)
        .mount(&world.idp.server)
        .await;
    world.nextcloud_accepts(&rotated).await;
    let response = world.call_get_note(Some(&bearer(&rotated))).await;
    assert_eq!(
        response.status(),
        200,
        "[rotation] the key-b token is accepted after the refetch: {:?}",
        response.headers().get("www-authenticate")
    );
    assert!(response.text().await.unwrap().contains("Groceries"));
    assert_eq!(
        world.idp.hits("/certs").await,
        3,
        "[rotation] one more refetch"
    );
    assert!(
        world.nextcloud_requests().await > 0,
        "[rotation] the call reached Nextcloud"
    );
}

#[tokio::test]
async fn unknown_kid_refetch_is_rate_limited_by_default() {
    let world = start().await;
    let unknown = world
        .next_key
        .sign(&world.claims(json!({})))
        .expose_secret()
        .to_string();
    for attempt in 0..3 {
        let response = world.call_get_note(Some(&bearer(&unknown))).await;
        world
            .assert_refused(
                &format!("unknown kid, attempt {attempt}"),
                response,
                401,
                Some("invalid_token"),
                Some(&unknown),
            )
            .await;
    }
    assert_eq!(
        world.idp.hits("/certs").await,
        2,
        "made-up kids cannot make the server hammer the IdP"
    );
}
