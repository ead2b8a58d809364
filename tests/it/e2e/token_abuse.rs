//! Anonymous junk and tokens of the wrong kind at `/mcp` (OAuth modes): they
//! are refused with 401 `invalid_token`, never reported as an IdP outage,
//! and an unknown token does not cost an IdP call each time it is sent.

use crate::support::idp::*;
use crate::support::oauth::{OAuthWorld, mcp_request, pass_through, tool_call};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

fn challenge_of(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

fn call() -> serde_json::Value {
    tool_call("nc_notes_get_note", json!({"note_id": 213}))
}

#[tokio::test]
async fn a_64_kib_junk_bearer_is_refused_before_any_idp_call() {
    let world = OAuthWorld::start(pass_through()).await;
    world.idp_finds_every_opaque_token_inactive().await;
    let junk = "x".repeat(64 * 1024);
    let refused = world.post_mcp(Some(&junk), call()).await;
    assert_eq!(refused.status(), 401);
    assert!(
        challenge_of(&refused).contains("error=\"invalid_token\""),
        "{}",
        challenge_of(&refused)
    );
    assert_eq!(world.idp.hits("/introspect").await, 0);
}

#[tokio::test]
async fn an_introspection_4xx_is_invalid_token_and_the_refusal_is_cached() {
    let world = OAuthWorld::start(pass_through()).await;
    Mock::given(method("POST"))
        .and(path(format!("{REALM_PATH}/introspect")))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": "invalid_request"})))
        .mount(&world.idp.server)
        .await;
    for _ in 0..3 {
        let refused = world.post_mcp(Some("opaque-junk-token"), call()).await;
        assert_eq!(refused.status(), 401, "not 503: the IdP is not down");
        assert!(challenge_of(&refused).contains("error=\"invalid_token\""));
    }
    assert_eq!(
        world.idp.hits("/introspect").await,
        1,
        "the same unknown token asks the IdP once"
    );
}

#[tokio::test]
async fn an_id_token_is_not_an_access_token() {
    let world = OAuthWorld::start(pass_through()).await;
    // What an IdP returns next to the access token: audience = client id,
    // no `typ` at all.
    let id_token = world.id_token(ALICE);
    let refused = world.post_mcp(Some(&id_token), call()).await;
    assert_eq!(refused.status(), 401);
    assert!(challenge_of(&refused).contains("error=\"invalid_token\""));
    // Even one that also names this resource is refused by its ID-token claims.
    let with_resource = world.token(json!({"typ": null, "at_hash": "x4Q5"}));
    let refused = world.post_mcp(Some(&with_resource), call()).await;
    assert_eq!(refused.status(), 401);
    // A header `typ` other than an access token's is refused too.
    let valid = world.token(json!({}));
    assert_ne!(world.post_mcp(Some(&valid), call()).await.status(), 401);
}

#[tokio::test]
async fn a_stream_of_distinct_junk_tokens_costs_a_bounded_number_of_idp_calls() {
    use nextcloud_mcp::adapters::idp::budget::{DEFAULT_BURST, DEFAULT_PER_SECOND};

    let world = OAuthWorld::start(pass_through()).await;
    world.idp_finds_every_opaque_token_inactive().await;
    // All at once, as a flood would come: far more than the burst plus what
    // the steady rate refills while they are answered, however slow the machine.
    let sent = DEFAULT_BURST as usize * 6;
    let url = world.server.mcp_url();
    let started = std::time::Instant::now();
    let mut flood = tokio::task::JoinSet::new();
    for i in 0..sent {
        let request = mcp_request(&url, &call()).bearer_auth(format!("opaque-junk-{i:04}"));
        flood.spawn(async move { request.send().await.unwrap() });
    }
    let mut throttled = 0;
    while let Some(answer) = flood.join_next().await {
        let answer = answer.unwrap();
        match answer.status().as_u16() {
            401 => {}
            429 => {
                assert_eq!(
                    answer.headers().get("retry-after").unwrap(),
                    "1",
                    "the caller is told when to retry"
                );
                throttled += 1;
            }
            other => panic!("a junk token answered {other}, not 401 or 429"),
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let asked = world.idp.hits("/introspect").await;
    // At most the burst plus what the steady rate refilled meanwhile.
    let allowed = DEFAULT_BURST as f64 + DEFAULT_PER_SECOND as f64 * elapsed;
    assert!(
        (asked as f64) <= allowed.floor() + 1.0,
        "{asked} of {sent} distinct junk tokens reached the identity provider in {elapsed:.1} s"
    );
    assert_eq!(
        asked + throttled,
        sent,
        "every token either asked or throttled"
    );
}
