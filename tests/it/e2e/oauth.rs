//! End-to-end in the OAuth modes: the server in-process, a wiremock identity
//! provider (discovery, JWKS, token endpoint) signing real JWTs, a wiremock
//! Nextcloud, and rmcp's client carrying the bearer token.

use std::time::Duration;

use crate::support::e2e::*;
use crate::support::fixtures::load;
use crate::support::idp::*;
use nextcloud_mcp::adapters::store::open_store;
use nextcloud_mcp::app::config::OAuthConfig;
use nextcloud_mcp::domain::audit::AuditKind;
use nextcloud_mcp::domain::credential::AuthMode;
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use url::Url;
use wiremock::matchers::{header, method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

const NEXTCLOUD_AUDIENCE: &str = "nextcloud";

struct World {
    idp: FakeIdp,
    key: TestKey,
    nextcloud: MockServer,
    server: RunningServer,
    store_path: String,
}

impl World {
    async fn start(mode: AuthMode) -> Self {
        Self::start_with_exchange_cache(mode, Duration::ZERO).await
    }

    async fn start_with_exchange_cache(mode: AuthMode, exchange_cache: Duration) -> Self {
        let idp = FakeIdp::start().await;
        let key = TestKey::rsa("rsa-a.pem", "key-a");
        idp.serve_jwks(&[&key]).await;
        let nextcloud = MockServer::start().await;
        let mut config = basic_config(&nextcloud.uri(), Duration::from_secs(5));
        config.mode = mode;
        let mut idp_config = idp.config();
        idp_config.exchange_cache_ttl = exchange_cache;
        config.oauth = Some(OAuthConfig {
            idp: idp_config,
            server_url: Url::parse(RESOURCE).unwrap(),
        });
        let store_path = config.store.location.expose_secret().to_string();
        let server = start_server(config).await;
        Self {
            idp,
            key,
            nextcloud,
            server,
            store_path,
        }
    }

    fn token(&self, patch: Value) -> String {
        let mut claims = self.idp.claims();
        for (k, v) in patch.as_object().unwrap() {
            claims[k] = v.clone();
        }
        self.key.sign(&claims).expose_secret().to_string()
    }

    async fn post_mcp(&self, bearer: Option<&str>, body: Value) -> reqwest::Response {
        let mut request = reqwest::Client::new()
            .post(self.server.mcp_url())
            .header("Accept", "application/json, text/event-stream")
            .header("MCP-Protocol-Version", "2025-06-18")
            .json(&body);
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap()
    }

    /// Audit events recorded so far (written off the call's path, so wait briefly).
    async fn audit_kinds(&self, at_least: usize) -> Vec<AuditKind> {
        let store = open_store(&self.store_path, None).await.unwrap();
        for _ in 0..50 {
            let events = store.recent_audit(None, 100).await.unwrap();
            if events.len() >= at_least {
                return events.into_iter().map(|e| e.kind).collect();
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        store
            .recent_audit(None, 100)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect()
    }

    /// Nextcloud answers `cloud/user` and note 213 only for this bearer token.
    async fn nextcloud_accepts(&self, token: &str) {
        let auth = format!("Bearer {token}");
        Mock::given(method("GET"))
            .and(path("/ocs/v2.php/cloud/user"))
            .and(header("Authorization", auth.as_str()))
            .respond_with(
                load("ocs-capabilities", "06-current-user-v2")
                    .response
                    .template(),
            )
            .mount(&self.nextcloud)
            .await;
        Mock::given(method("GET"))
            .and(path_regex("^/index.php/apps/notes/api/v1/notes/213$"))
            .and(header("Authorization", auth.as_str()))
            .respond_with(load("notes", "07-get").response.template())
            .mount(&self.nextcloud)
            .await;
    }
}

fn pass_through() -> AuthMode {
    AuthMode::PassThrough {
        nextcloud_audience: NEXTCLOUD_AUDIENCE.into(),
    }
}

fn exchange() -> AuthMode {
    AuthMode::Exchange {
        nextcloud_audience: NEXTCLOUD_AUDIENCE.into(),
    }
}

fn call_body(tool: &str, arguments: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": tool, "arguments": arguments}})
}

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
    let world = World::start(pass_through()).await;
    let metadata =
        "resource_metadata=\"https://mcp.example.test/.well-known/oauth-protected-resource/mcp\"";

    let missing = world
        .post_mcp(
            None,
            call_body("nc_notes_get_note", json!({"note_id": 213})),
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
            call_body("nc_notes_get_note", json!({"note_id": 213})),
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
        .json(&call_body("nc_notes_get_note", json!({"note_id": 213})))
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
    let world = World::start(pass_through()).await;
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
    let world = World::start(pass_through()).await;
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
            call_body("nc_notes_delete_note", json!({"note_id": 218})),
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
    let world = World::start(pass_through()).await;

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

    let both = world.token(json!({"aud": [CLIENT_ID, NEXTCLOUD_AUDIENCE]}));
    world.nextcloud_accepts(&both).await;
    let client = connect_with(&world.server, Some(&both)).await;
    let note = call(&client, "nc_notes_get_note", json!({"note_id": 213})).await;
    assert_eq!(assert_ok("get", &note)["title"], "Groceries");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn exchange_mode_exchanges_per_call_and_never_falls_back() {
    let world = World::start(exchange()).await;
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
    let world = World::start(exchange()).await;
    Mock::given(method("POST"))
        .and(path(format!("{REALM_PATH}/token")))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": "access_denied",
            "error_description": "Client not allowed to exchange"
        })))
        .mount(&world.idp.server)
        .await;
    let token = world.token(json!({"aud": [CLIENT_ID, NEXTCLOUD_AUDIENCE]}));
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
    let world = World::start(exchange()).await;
    Mock::given(method("GET"))
        .and(path("/status.php"))
        .respond_with(load("ocs-capabilities", "01-status").response.template())
        .mount(&world.nextcloud)
        .await;
    let ready = reqwest::get(format!("{}/readyz", world.server.base_url))
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    let body: Value = ready.json().await.unwrap();
    assert_eq!(body["mode"], "token-exchange");
}

async fn exchanges_seen(world: &World) -> usize {
    world
        .idp
        .server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path().ends_with("/token"))
        .count()
}

async fn idp_issues(world: &World, expires_in: u64) {
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
    let world = World::start_with_exchange_cache(exchange(), Duration::from_secs(60)).await;
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
    let world = World::start_with_exchange_cache(exchange(), Duration::from_secs(60)).await;
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
