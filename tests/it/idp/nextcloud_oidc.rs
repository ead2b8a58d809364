//! Nextcloud's `oidc` app as IdP (wiremock): opaque tokens through userinfo
//! or introspection, cached by token hash; JWT tokens through its JWKS.

use std::time::Duration;

use crate::support::idp::*;
use nextcloud_mcp::adapters::idp::{
    IdpConfig, IdpKind, NextcloudOidcProvider, OidcProvider, OpaqueTokenValidation, connect,
    detect_kind,
};
use nextcloud_mcp::ports::identity::{AuthError, IdentityProvider};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use url::Url;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const APPS: &str = "/index.php/apps/oidc";

/// A Nextcloud with the oidc app: issuer is the base URL.
async fn nextcloud(with_introspection: bool) -> (MockServer, IdpConfig) {
    let server = MockServer::start().await;
    let base = server.uri();
    let mut doc = json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}{APPS}/authorize"),
        "token_endpoint": format!("{base}{APPS}/token"),
        "userinfo_endpoint": format!("{base}{APPS}/userinfo"),
        "jwks_uri": format!("{base}{APPS}/jwks"),
        "token_endpoint_auth_methods_supported": ["client_secret_basic"]
    });
    if with_introspection {
        doc["introspection_endpoint"] = json!(format!("{base}{APPS}/introspect"));
    }
    Mock::given(method("GET"))
        .and(path("/.well-known/openid-configuration"))
        .respond_with(ResponseTemplate::new(200).set_body_json(doc))
        .mount(&server)
        .await;
    let mut config = IdpConfig::new(Url::parse(&base).unwrap(), CLIENT_ID);
    config.client_secret = Some(SecretString::from(CLIENT_SECRET));
    (server, config)
}

async fn count(server: &MockServer, p: &str) -> usize {
    let reqs = server.received_requests().await.unwrap_or_default();
    reqs.iter().filter(|r| r.url.path() == p).count()
}

fn userinfo_provider(config: &IdpConfig, ttl: Duration) -> NextcloudOidcProvider {
    NextcloudOidcProvider::with_cache(
        OidcProvider::new(config).unwrap(),
        OpaqueTokenValidation::Userinfo,
        ttl,
        100,
    )
}

#[tokio::test]
async fn userinfo_answers_are_cached_by_token_hash() {
    let (server, config) = nextcloud(false).await;
    let token = SecretString::from("opaque-nextcloud-token-1");
    Mock::given(method("GET"))
        .and(path(format!("{APPS}/userinfo")))
        .and(header("authorization", "Bearer opaque-nextcloud-token-1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"sub": "alice", "preferred_username": "alice"})),
        )
        .mount(&server)
        .await;
    let provider = userinfo_provider(&config, Duration::from_secs(60));

    let first = provider.verify_access_token(&token).await.unwrap();
    assert_eq!(first.subject(), "alice");
    assert_eq!(first.issuer(), server.uri());
    assert_eq!(count(&server, &format!("{APPS}/userinfo")).await, 1);

    // Second call within the TTL: no HTTP request, same caller, this token.
    let second = provider.verify_access_token(&token).await.unwrap();
    assert_eq!(second.subject(), "alice");
    assert_eq!(second.access_token().expose_secret(), token.expose_secret());
    assert_eq!(count(&server, &format!("{APPS}/userinfo")).await, 1);

    // The token itself is in no request path or query.
    for req in server.received_requests().await.unwrap() {
        assert!(!req.url.as_str().contains("opaque-nextcloud-token-1"));
    }
}

#[tokio::test]
async fn userinfo_cache_expires_and_refusals_are_not_cached() {
    let (server, config) = nextcloud(false).await;
    Mock::given(method("GET"))
        .and(path(format!("{APPS}/userinfo")))
        .and(header("authorization", "Bearer good"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"sub": "bob"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{APPS}/userinfo")))
        .and(header("authorization", "Bearer revoked"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": "invalid_request", "error_description": "Could not find provided bearer token."})))
        .mount(&server)
        .await;
    let provider = userinfo_provider(&config, Duration::from_millis(150));
    let good = SecretString::from("good");
    provider.verify_access_token(&good).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    provider.verify_access_token(&good).await.unwrap();
    assert_eq!(count(&server, &format!("{APPS}/userinfo")).await, 2);

    let revoked = SecretString::from("revoked");
    for _ in 0..2 {
        let err = provider.verify_access_token(&revoked).await.unwrap_err();
        assert_eq!(err, AuthError::Inactive);
    }
    assert_eq!(count(&server, &format!("{APPS}/userinfo")).await, 4);
}

#[tokio::test]
async fn introspection_checks_audience_and_is_cached() {
    let (server, config) = nextcloud(true).await;
    Mock::given(method("POST"))
        .and(path(format!("{APPS}/introspect")))
        .and(wiremock::matchers::body_string_contains("token=mine"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "active": true, "sub": "carol", "username": "carol", "client_id": "claude",
            "aud": CLIENT_ID, "scope": "openid notes:read", "exp": now() + 600})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{APPS}/introspect")))
        .and(wiremock::matchers::body_string_contains("token=theirs"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "active": true, "sub": "carol", "aud": "some-other-client", "exp": now() + 600})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{APPS}/introspect")))
        .and(wiremock::matchers::body_string_contains("token=dead"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"active": false})))
        .mount(&server)
        .await;
    let provider = NextcloudOidcProvider::new(
        OidcProvider::new(&config).unwrap(),
        OpaqueTokenValidation::Auto,
    );

    let mine = SecretString::from("mine");
    let p = provider.verify_access_token(&mine).await.unwrap();
    assert_eq!(p.preferred_username(), Some("carol"));
    assert_eq!(p.client_id(), Some("claude"));
    assert!(p.names_audience(CLIENT_ID));
    provider.verify_access_token(&mine).await.unwrap();
    assert_eq!(
        count(&server, &format!("{APPS}/introspect")).await,
        1,
        "second call cached"
    );

    let err = provider
        .verify_access_token(&SecretString::from("theirs"))
        .await
        .unwrap_err();
    assert!(matches!(err, AuthError::WrongAudience { .. }), "{err:?}");
    let err = provider
        .verify_access_token(&SecretString::from("dead"))
        .await
        .unwrap_err();
    assert_eq!(err, AuthError::Inactive);
}

#[tokio::test]
async fn opaque_tokens_are_refused_when_no_audience_check_is_possible() {
    let (server, config) = nextcloud(false).await;
    let provider = NextcloudOidcProvider::new(
        OidcProvider::new(&config).unwrap(),
        OpaqueTokenValidation::Auto,
    );
    let err = provider
        .verify_access_token(&SecretString::from("opaque"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("opt in to userinfo"), "{err}");
    assert_eq!(count(&server, &format!("{APPS}/userinfo")).await, 0);
}

#[tokio::test]
async fn jwt_tokens_verify_through_the_apps_jwks() {
    let (server, config) = nextcloud(false).await;
    let key = TestKey::rsa("rsa-a.pem", "nc");
    Mock::given(method("GET"))
        .and(path(format!("{APPS}/jwks")))
        .respond_with(ResponseTemplate::new(200).set_body_json(jwks(&[&key])))
        .mount(&server)
        .await;
    let provider = NextcloudOidcProvider::new(
        OidcProvider::new(&config).unwrap(),
        OpaqueTokenValidation::Auto,
    );
    let claims = json!({"iss": server.uri(), "sub": "dave", "aud": CLIENT_ID, "exp": now() + 300});
    let p = provider
        .verify_access_token(&key.sign(&claims))
        .await
        .unwrap();
    assert_eq!(p.subject(), "dave");
    assert_eq!(count(&server, &format!("{APPS}/userinfo")).await, 0);
}

#[tokio::test]
async fn connect_detects_nextcloud_from_discovery() {
    let (server, config) = nextcloud(false).await;
    let doc = OidcProvider::new(&config)
        .unwrap()
        .document()
        .await
        .unwrap();
    assert_eq!(detect_kind(&doc), IdpKind::NextcloudOidc);
    let provider = connect(config).await.unwrap();
    assert_eq!(provider.metadata().await.unwrap().issuer, server.uri());
}
