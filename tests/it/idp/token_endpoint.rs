//! Token endpoint calls against a wiremock IdP: the exact shape of RFC 8693
//! exchange, refresh, code redemption and RFC 7009 revocation requests, and
//! IdP error replies mapped to messages a person can act on.

use crate::support::idp::*;
use base64::Engine;
use nextcloud_mcp::adapters::idp::{KeycloakProvider, OidcProvider};
use nextcloud_mcp::ports::identity::{
    AuthorizationRequest, IdentityProvider, IdpError, OAuthErrorCode, TokenTypeHint,
};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use url::Url;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, ResponseTemplate};

async fn setup() -> (
    FakeIdp,
    OidcProvider,
    nextcloud_mcp::domain::principal::Principal,
) {
    let key = TestKey::rsa("rsa-a.pem", "a");
    let idp = FakeIdp::start().await;
    idp.serve_jwks(&[&key]).await;
    let provider = OidcProvider::new(&idp.config()).unwrap();
    let caller = provider
        .verify_access_token(&key.sign(&idp.claims()))
        .await
        .unwrap();
    (idp, provider, caller)
}

fn basic() -> String {
    let pair = format!("{CLIENT_ID}:{CLIENT_SECRET}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

async fn last_form(idp: &FakeIdp, suffix: &str) -> (Vec<(String, String)>, wiremock::Request) {
    let full = format!("{REALM_PATH}{suffix}");
    let reqs = idp.server.received_requests().await.unwrap();
    let req = reqs
        .into_iter()
        .rev()
        .find(|r| r.url.path() == full)
        .expect("request sent");
    (form_of(&req.body), req)
}

#[tokio::test]
async fn exchange_posts_an_rfc8693_form_with_basic_client_auth() {
    let (idp, provider, caller) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{REALM_PATH}/token")))
        .and(header("authorization", basic().as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "exchanged-access-token",
            "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
            "token_type": "Bearer", "expires_in": 300, "scope": "profile"
        })))
        .expect(1)
        .mount(&idp.server)
        .await;
    let issued = provider
        .exchange_token(&caller, "nextcloud", Some("profile"))
        .await
        .unwrap();
    assert_eq!(
        issued.access_token.expose_secret(),
        "exchanged-access-token"
    );
    assert_eq!(issued.expires_in, Some(300));
    assert_eq!(
        issued.issued_token_type.as_deref(),
        Some("urn:ietf:params:oauth:token-type:access_token")
    );
    assert!(!format!("{issued:?}").contains("exchanged-access-token"));

    let (form, req) = last_form(&idp, "/token").await;
    assert_eq!(
        req.headers.get("content-type").unwrap().to_str().unwrap(),
        "application/x-www-form-urlencoded"
    );
    assert!(req.url.query().is_none(), "nothing in the URL");
    assert_eq!(
        field(&form, "grant_type"),
        Some("urn:ietf:params:oauth:grant-type:token-exchange")
    );
    assert_eq!(
        field(&form, "subject_token"),
        Some(caller.access_token().expose_secret())
    );
    assert_eq!(
        field(&form, "subject_token_type"),
        Some("urn:ietf:params:oauth:token-type:access_token")
    );
    assert_eq!(
        field(&form, "requested_token_type"),
        Some("urn:ietf:params:oauth:token-type:access_token")
    );
    assert_eq!(field(&form, "audience"), Some("nextcloud"));
    assert_eq!(field(&form, "scope"), Some("profile"));
    assert_eq!(
        field(&form, "client_secret"),
        None,
        "the secret goes in the header only"
    );
}

async fn exchange_error(status: u16, body: serde_json::Value) -> IdpError {
    let (idp, provider, caller) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{REALM_PATH}/token")))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .mount(&idp.server)
        .await;
    let err = provider
        .exchange_token(&caller, "nextcloud", None)
        .await
        .unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(
        !text.contains(caller.access_token().expose_secret()),
        "{text}"
    );
    assert!(!text.contains(CLIENT_SECRET), "{text}");
    err
}

#[tokio::test]
async fn idp_error_bodies_become_clear_messages() {
    let cases = [
        (
            401,
            "invalid_client",
            "Audience not found",
            OAuthErrorCode::InvalidClient,
            "client credentials",
        ),
        (
            403,
            "access_denied",
            "Client is not within the token audience",
            OAuthErrorCode::AccessDenied,
            "must name this server's client",
        ),
        (
            400,
            "invalid_request",
            "Requested audience not available: other",
            OAuthErrorCode::InvalidRequest,
            "audience",
        ),
        (
            400,
            "invalid_scope",
            "Invalid scopes: calendar",
            OAuthErrorCode::InvalidScope,
            "request fewer scopes",
        ),
        (
            400,
            "unauthorized_client",
            "",
            OAuthErrorCode::UnauthorizedClient,
            "standard token exchange",
        ),
    ];
    for (status, code, description, expected, advice) in cases {
        let err = exchange_error(
            status,
            json!({"error": code, "error_description": description}),
        )
        .await;
        match &err {
            IdpError::Rejected { code: got, .. } => assert_eq!(got, &expected),
            other => panic!("{other:?}"),
        }
        let text = err.to_string();
        assert!(text.starts_with("token exchange was refused"), "{text}");
        assert!(text.contains(code) && text.contains(advice), "{text}");
        if !description.is_empty() {
            assert!(text.contains(description), "{text}");
        }
    }
}

#[tokio::test]
async fn token_like_text_in_error_descriptions_is_redacted() {
    let leaked = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlc2lnbmF0dXJl";
    let err = exchange_error(
        400,
        json!({"error": "invalid_request", "error_description": format!("bad token {leaked}")}),
    )
    .await;
    assert!(!err.to_string().contains(leaked));
    assert!(err.to_string().contains("[redacted]"));
}

#[tokio::test]
async fn non_oauth_errors_are_unavailable_or_protocol() {
    let err = exchange_error(503, json!({"message": "maintenance"})).await;
    assert!(matches!(err, IdpError::Unavailable { .. }), "{err:?}");
    let err = exchange_error(404, json!({"message": "nope"})).await;
    assert!(matches!(err, IdpError::Protocol { .. }), "{err:?}");
}

#[tokio::test]
async fn exchange_needs_a_confidential_client() {
    let (idp, _, caller) = setup().await;
    let mut config = idp.config();
    config.client_secret = None;
    let public = OidcProvider::new(&config).unwrap();
    let err = public
        .exchange_token(&caller, "nextcloud", None)
        .await
        .unwrap_err();
    assert!(matches!(err, IdpError::Misconfigured { .. }), "{err:?}");
    assert_eq!(idp.hits("/token").await, 0);
}

#[tokio::test]
async fn keycloak_adapter_adds_realm_hints() {
    let (idp, provider, caller) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{REALM_PATH}/token")))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": "invalid_request", "error_description": "Requested audience not available: other-app"})))
        .mount(&idp.server)
        .await;
    let kc = KeycloakProvider::new(provider);
    let err = kc
        .exchange_token(&caller, "other-app", None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("add an audience mapper"), "{err}");
}

#[tokio::test]
async fn refresh_returns_a_rotated_refresh_token() {
    let (idp, provider, _) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{REALM_PATH}/token")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "new-access", "refresh_token": "rotated-refresh",
            "token_type": "Bearer", "expires_in": 300, "refresh_expires_in": 1800})))
        .mount(&idp.server)
        .await;
    let set = provider
        .refresh(&SecretString::from("old-refresh"))
        .await
        .unwrap();
    assert_eq!(
        set.refresh_token.unwrap().expose_secret(),
        "rotated-refresh"
    );
    assert_eq!(set.refresh_expires_in, Some(1800));
    let (form, _) = last_form(&idp, "/token").await;
    assert_eq!(field(&form, "grant_type"), Some("refresh_token"));
    assert_eq!(field(&form, "refresh_token"), Some("old-refresh"));
}

#[tokio::test]
async fn authorization_url_and_code_redemption_use_pkce() {
    let (idp, provider, _) = setup().await;
    let redirect = Url::parse("http://127.0.0.1:8000/oauth/callback").unwrap();
    let url = provider
        .authorization_url(&AuthorizationRequest {
            state: "state-123".into(),
            pkce_challenge: "challenge-abc".into(),
            scopes: vec!["openid".into(), "offline_access".into()],
            redirect_uri: redirect.clone(),
        })
        .await
        .unwrap();
    assert_eq!(url.path(), format!("{REALM_PATH}/auth"));
    let q: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    assert_eq!(field(&q, "response_type"), Some("code"));
    assert_eq!(field(&q, "client_id"), Some(CLIENT_ID));
    assert_eq!(field(&q, "state"), Some("state-123"));
    assert_eq!(field(&q, "code_challenge"), Some("challenge-abc"));
    assert_eq!(field(&q, "code_challenge_method"), Some("S256"));
    assert_eq!(field(&q, "scope"), Some("openid offline_access"));
    assert_eq!(field(&q, "redirect_uri"), Some(redirect.as_str()));
    // Asking for offline_access asks for consent, or strict providers drop it.
    assert_eq!(field(&q, "prompt"), Some("consent"));
    let without_offline = provider
        .authorization_url(&AuthorizationRequest {
            state: "state-456".into(),
            pkce_challenge: "challenge-abc".into(),
            scopes: vec!["openid".into()],
            redirect_uri: redirect.clone(),
        })
        .await
        .unwrap();
    let q: Vec<(String, String)> = without_offline.query_pairs().into_owned().collect();
    assert_eq!(field(&q, "prompt"), None);

    Mock::given(method("POST"))
        .and(path(format!("{REALM_PATH}/token")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "a", "refresh_token": "r", "id_token": "i", "token_type": "Bearer"})))
        .mount(&idp.server)
        .await;
    let verifier = SecretString::from("verifier-that-stays-on-the-server");
    let set = provider
        .redeem_code(&SecretString::from("the-code"), &verifier, &redirect)
        .await
        .unwrap();
    assert!(set.refresh_token.is_some() && set.id_token.is_some());
    let (form, req) = last_form(&idp, "/token").await;
    assert_eq!(field(&form, "grant_type"), Some("authorization_code"));
    assert_eq!(field(&form, "code"), Some("the-code"));
    assert_eq!(
        field(&form, "code_verifier"),
        Some("verifier-that-stays-on-the-server")
    );
    assert_eq!(field(&form, "redirect_uri"), Some(redirect.as_str()));
    assert!(req.url.query().is_none());
}

#[tokio::test]
async fn revocation_posts_to_the_rfc7009_endpoint() {
    let (idp, provider, _) = setup().await;
    Mock::given(method("POST"))
        .and(path(format!("{REALM_PATH}/revoke")))
        .and(header("authorization", basic().as_str()))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&idp.server)
        .await;
    provider
        .revoke(
            &SecretString::from("refresh-to-revoke"),
            TokenTypeHint::RefreshToken,
        )
        .await
        .unwrap();
    let (form, _) = last_form(&idp, "/revoke").await;
    assert_eq!(field(&form, "token"), Some("refresh-to-revoke"));
    assert_eq!(field(&form, "token_type_hint"), Some("refresh_token"));
}

#[tokio::test]
async fn metadata_reports_the_authorization_server() {
    let (idp, provider, _) = setup().await;
    let meta = provider.metadata().await.unwrap();
    assert_eq!(meta.issuer, idp.issuer);
    assert_eq!(meta.token_endpoint.path(), format!("{REALM_PATH}/token"));
    assert!(
        meta.code_challenge_methods_supported
            .contains(&"S256".to_string())
    );
}
