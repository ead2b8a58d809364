//! End-to-end in the OAuth modes: the server in-process, a wiremock identity
//! provider (discovery, JWKS, token endpoint) signing real JWTs, a wiremock
//! Nextcloud, and rmcp's client carrying the bearer token.

use std::time::Duration;

use crate::support::e2e::*;
use crate::support::idp::*;
use crate::support::oauth::{
    NEXTCLOUD_AUDIENCE, OAuthWorld, Options, exchange, pass_through, tool_call,
};
use nextcloud_mcp::domain::audit::AuditKind;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

fn challenge_of(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("www-authenticate")
        .expect("a WWW-Authenticate challenge")
        .to_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn requests_without_a_valid_token_get_a_challenge_naming_the_metadata() {
    let world = OAuthWorld::start(pass_through()).await;
    let metadata =
        "resource_metadata=\"https://mcp.example.test/.well-known/oauth-protected-resource/mcp\"";

    let missing = world
        .post_mcp(
            None,
            tool_call("nc_notes_get_note", json!({"note_id": 213})),
        )
        .await;
    assert_eq!(missing.status(), 401);
    assert!(
        challenge_of(&missing).starts_with("Bearer "),
        "{}",
        challenge_of(&missing)
    );
    assert!(challenge_of(&missing).contains(metadata));

    let foreign = world.token(json!({"aud": ["some-other-service"]}));
    let refused = world
        .post_mcp(
            Some(&foreign),
            tool_call("nc_notes_get_note", json!({"note_id": 213})),
        )
        .await;
    assert_eq!(refused.status(), 401);
    let challenge = challenge_of(&refused);
    assert!(
        challenge.contains("error=\"invalid_token\"") && challenge.contains(metadata),
        "{challenge}"
    );
    assert!(!challenge.contains(&foreign));

    let expired = world.token(json!({"exp": now() - 3600}));
    assert_eq!(
        world.post_mcp(Some(&expired), json!({})).await.status(),
        401
    );

    // A token in the query string is refused even when it is valid.
    let valid = world.token(json!({}));
    let in_query = reqwest::Client::new()
        .post(format!("{}?access_token={valid}", world.server.mcp_url()))
        .header("Accept", "application/json, text/event-stream")
        .json(&tool_call("nc_notes_get_note", json!({"note_id": 213})))
        .send()
        .await
        .unwrap();
    assert_eq!(in_query.status(), 400);
    assert!(challenge_of(&in_query).contains("invalid_request"));
    assert!(
        world
            .nextcloud
            .received_requests()
            .await
            .unwrap()
            .is_empty(),
        "nothing reached Nextcloud"
    );
}

#[tokio::test]
async fn protected_resource_metadata_is_served_at_both_paths() {
    let world = OAuthWorld::start(pass_through()).await;
    for suffix in ["", "/mcp"] {
        let url = format!(
            "{}/.well-known/oauth-protected-resource{suffix}",
            world.server.base_url
        );
        let body: Value = reqwest::get(url).await.unwrap().json().await.unwrap();
        assert_eq!(body["resource"], RESOURCE);
        assert_eq!(body["authorization_servers"], json!([world.idp.issuer]));
        assert_eq!(body["bearer_methods_supported"], json!(["header"]));
        let scopes: Vec<&str> = body["scopes_supported"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect();
        for scope in ["notes:read", "notes:write", "files:read", "files:write"] {
            assert!(scopes.contains(&scope), "{scopes:?}");
        }
    }
}

#[tokio::test]
async fn tools_are_listed_and_callable_only_within_the_token_scopes() {
    let world = OAuthWorld::start(pass_through()).await;
    // The fake IdP's default claims grant notes:read and files:write only.
    let token = world.token(json!({}));
    let client = connect_with(&world.server, Some(&token)).await;
    let names: Vec<String> = client
        .list_all_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name.to_string())
        .collect();
    assert!(
        names.contains(&"nc_notes_get_note".to_string()),
        "{names:?}"
    );
    assert!(
        names.contains(&"nc_webdav_write_file".to_string()),
        "{names:?}"
    );
    assert!(
        !names.contains(&"nc_notes_delete_note".to_string()),
        "{names:?}"
    );
    assert!(
        !names.contains(&"nc_webdav_read_file".to_string()),
        "{names:?}"
    );
    client.cancel().await.unwrap();

    let forbidden = world
        .post_mcp(
            Some(&token),
            tool_call("nc_notes_delete_note", json!({"note_id": 218})),
        )
        .await;
    assert_eq!(forbidden.status(), 403);
    let challenge = challenge_of(&forbidden);
    assert!(
        challenge.contains("error=\"insufficient_scope\""),
        "{challenge}"
    );
    assert!(challenge.contains("scope=\"notes:write\""), "{challenge}");
    assert!(
        world
            .nextcloud
            .received_requests()
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn pass_through_forwards_only_tokens_that_also_name_nextcloud() {
    let world = OAuthWorld::start(pass_through()).await;

    let only_us = world.token(json!({}));
    let client = connect_with(&world.server, Some(&only_us)).await;
    let refused = call(&client, "nc_notes_get_note", json!({"note_id": 213})).await;
    assert_tool_error("get", &refused, "audience");
    assert_tool_error("get", &refused, "ENABLE_TOKEN_EXCHANGE");
    assert!(
        world
            .nextcloud
            .received_requests()
            .await
            .unwrap()
            .is_empty(),
        "the token must not be forwarded"
    );
    client.cancel().await.unwrap();

    let both = world.token(json!({"aud": [CLIENT_ID, RESOURCE, NEXTCLOUD_AUDIENCE]}));
    world.nextcloud_accepts(&both).await;
    let client = connect_with(&world.server, Some(&both)).await;
    let note = call(&client, "nc_notes_get_note", json!({"note_id": 213})).await;
    assert_eq!(assert_ok("get", &note)["title"], "Groceries");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn exchange_mode_exchanges_per_call_and_never_falls_back() {
    let world = OAuthWorld::start(exchange()).await;
    Mock::given(method("POST"))
        .and(path(format!("{REALM_PATH}/token")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "exchanged-for-nextcloud",
            "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
            "token_type": "Bearer",
            "expires_in": 300
        })))
        .mount(&world.idp.server)
        .await;
    world.nextcloud_accepts("exchanged-for-nextcloud").await;

    let token = world.token(json!({}));
    let client = connect_with(&world.server, Some(&token)).await;
    for _ in 0..2 {
        let note = call(&client, "nc_notes_get_note", json!({"note_id": 213})).await;
        assert_eq!(assert_ok("get", &note)["title"], "Groceries");
    }
    let exchanges: Vec<_> = world
        .idp
        .server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path().ends_with("/token"))
        .collect();
    assert_eq!(exchanges.len(), 2, "one exchange per call, nothing reused");
    let form = form_of(&exchanges[0].body);
    assert_eq!(
        field(&form, "grant_type"),
        Some("urn:ietf:params:oauth:grant-type:token-exchange")
    );
    assert_eq!(field(&form, "audience"), Some(NEXTCLOUD_AUDIENCE));
    assert_eq!(field(&form, "subject_token"), Some(token.as_str()));
    // The caller's own token never reaches Nextcloud.
    for request in world.nextcloud.received_requests().await.unwrap() {
        let auth = request
            .headers
            .get("authorization")
            .unwrap()
            .to_str()
            .unwrap();
        assert_eq!(auth, "Bearer exchanged-for-nextcloud");
    }
    client.cancel().await.unwrap();
    let kinds = world.audit_kinds(2).await;
    assert_eq!(
        kinds.iter().filter(|k| **k == AuditKind::Exchanged).count(),
        2,
        "{kinds:?}"
    );
}

#[tokio::test]
async fn a_failed_exchange_fails_the_call_with_the_idps_reason() {
    let world = OAuthWorld::start(exchange()).await;
    Mock::given(method("POST"))
        .and(path(format!("{REALM_PATH}/token")))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": "access_denied",
            "error_description": "Client not allowed to exchange"
        })))
        .mount(&world.idp.server)
        .await;
    let token = world.token(json!({"aud": [CLIENT_ID, RESOURCE, NEXTCLOUD_AUDIENCE]}));
    let client = connect_with(&world.server, Some(&token)).await;
    let result = call(&client, "nc_notes_get_note", json!({"note_id": 213})).await;
    assert_tool_error("get", &result, "access_denied");
    assert_tool_error("get", &result, "Client not allowed to exchange");
    assert!(!text_of(&result).contains(&token));
    assert!(
        world
            .nextcloud
            .received_requests()
            .await
            .unwrap()
            .is_empty(),
        "no fallback: not even the caller's multi-audience token goes to Nextcloud"
    );
    client.cancel().await.unwrap();
    assert!(
        world
            .audit_kinds(1)
            .await
            .contains(&AuditKind::ExchangeFailed)
    );
}

#[tokio::test]
async fn readiness_reports_the_oauth_mode() {
    let world = OAuthWorld::start(exchange()).await;
    world.nextcloud_answers_status().await;
    let (status, body) = world.readyz().await;
    assert_eq!(status, 200);
    assert_eq!(body["mode"], "token-exchange");
}

async fn exchanges_seen(world: &OAuthWorld) -> usize {
    requests_to(&world.idp.server, |p| p.ends_with("/token")).await
}

async fn idp_issues(world: &OAuthWorld, expires_in: u64) {
    Mock::given(method("POST"))
        .and(path(format!("{REALM_PATH}/token")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "exchanged-for-nextcloud",
            "token_type": "Bearer",
            "expires_in": expires_in
        })))
        .mount(&world.idp.server)
        .await;
    world.nextcloud_accepts("exchanged-for-nextcloud").await;
}

#[tokio::test]
async fn the_exchange_cache_reuses_a_token_per_caller_token_only_within_its_life() {
    let world = OAuthWorld::start_with(
        exchange(),
        Options {
            exchange_cache_ttl: Some(Duration::from_secs(60)),
            ..Options::default()
        },
    )
    .await;
    idp_issues(&world, 300).await;
    let alice = world.token(json!({}));
    let client = connect_with(&world.server, Some(&alice)).await;
    for _ in 0..3 {
        assert_ok(
            "get",
            &call(&client, "nc_notes_get_note", json!({"note_id": 213})).await,
        );
    }
    assert_eq!(
        exchanges_seen(&world).await,
        1,
        "reused for the same caller token"
    );
    client.cancel().await.unwrap();

    // Another caller token (another user, or a refreshed one) is exchanged anew.
    let other = world.token(json!({"sub": "another-subject"}));
    let client = connect_with(&world.server, Some(&other)).await;
    assert_ok(
        "get",
        &call(&client, "nc_notes_get_note", json!({"note_id": 213})).await,
    );
    assert_eq!(exchanges_seen(&world).await, 2);
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn a_token_about_to_expire_is_not_cached() {
    let world = OAuthWorld::start_with(
        exchange(),
        Options {
            exchange_cache_ttl: Some(Duration::from_secs(60)),
            ..Options::default()
        },
    )
    .await;
    idp_issues(&world, 20).await;
    let client = connect_with(&world.server, Some(&world.token(json!({})))).await;
    for _ in 0..2 {
        assert_ok(
            "get",
            &call(&client, "nc_notes_get_note", json!({"note_id": 213})).await,
        );
    }
    assert_eq!(exchanges_seen(&world).await, 2);
    client.cancel().await.unwrap();
}
