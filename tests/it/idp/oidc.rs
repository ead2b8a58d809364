//! Generic OIDC adapter against a wiremock IdP: JWT verification (audience,
//! issuer, expiry, algorithm policy) and JWKS rotation with a rate-limited
//! refetch. Token endpoint calls are in token_endpoint.rs.

use std::time::Duration;

use crate::support::idp::*;
use base64::Engine;
use jsonwebtoken::{EncodingKey, Header};
use nextcloud_mcp::adapters::idp::OidcProvider;
use nextcloud_mcp::domain::scopes::Scope;
use nextcloud_mcp::ports::identity::{AuthError, IdentityProvider};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

async fn provider_with(keys: &[&TestKey]) -> (FakeIdp, OidcProvider) {
    let idp = FakeIdp::start().await;
    idp.serve_jwks(keys).await;
    let provider = OidcProvider::new(&idp.config()).unwrap();
    (idp, provider)
}

async fn refused(provider: &OidcProvider, token: &SecretString) -> AuthError {
    let err = provider.verify_access_token(token).await.unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(
        !text.contains(token.expose_secret()),
        "error leaks the token: {text}"
    );
    err
}

#[tokio::test]
async fn valid_rs256_token_becomes_a_principal() {
    let key = TestKey::rsa("rsa-a.pem", "a");
    let (idp, provider) = provider_with(&[&key]).await;
    let token = key.sign(&idp.claims());
    let p = provider.verify_access_token(&token).await.unwrap();
    assert_eq!(p.subject(), "5f0c2d0e-uuid-alice");
    assert_eq!(p.issuer(), idp.issuer);
    assert!(p.names_audience(CLIENT_ID));
    assert_eq!(p.client_id(), Some("claude-desktop"));
    assert_eq!(p.preferred_username(), Some("alice"));
    assert!(p.soft_scopes().contains(Scope::NotesRead));
    assert!(p.soft_scopes().contains(Scope::FilesWrite));
    assert!(p.expires_at().unwrap() > now());
    assert_eq!(p.access_token().expose_secret(), token.expose_secret());
    assert!(!format!("{p:?}").contains(token.expose_secret()));
}

#[tokio::test]
async fn valid_es256_token_and_resource_audience_are_accepted() {
    let key = TestKey::ec("ec-p256.pem", "ec");
    let (idp, provider) = provider_with(&[&key]).await;
    let mut claims = idp.claims();
    claims["aud"] = json!(RESOURCE);
    let p = provider
        .verify_access_token(&key.sign(&claims))
        .await
        .unwrap();
    assert_eq!(p.audiences(), [RESOURCE.to_string()]);
}

#[tokio::test]
async fn token_for_another_audience_is_refused() {
    let key = TestKey::rsa("rsa-a.pem", "a");
    let (idp, provider) = provider_with(&[&key]).await;
    let mut claims = idp.claims();
    claims["aud"] = json!(["nextcloud", "account"]);
    let err = refused(&provider, &key.sign(&claims)).await;
    assert!(matches!(err, AuthError::WrongAudience { .. }), "{err:?}");
    assert!(err.to_string().contains(RESOURCE));
    // The client id alone is what this client's ID tokens name: not enough.
    claims["aud"] = json!([CLIENT_ID]);
    let err = refused(&provider, &key.sign(&claims)).await;
    assert!(matches!(err, AuthError::WrongAudience { .. }), "{err:?}");
    claims.as_object_mut().unwrap().remove("aud");
    let err = refused(&provider, &key.sign(&claims)).await;
    assert!(matches!(err, AuthError::WrongAudience { .. }), "{err:?}");
}

#[tokio::test]
async fn token_from_another_issuer_is_refused() {
    let key = TestKey::rsa("rsa-a.pem", "a");
    let (idp, provider) = provider_with(&[&key]).await;
    let mut claims = idp.claims();
    claims["iss"] = json!("https://evil.example/realms/test");
    let err = refused(&provider, &key.sign(&claims)).await;
    match err {
        AuthError::WrongIssuer { expected, found } => {
            assert_eq!(expected, idp.issuer);
            assert_eq!(found, "https://evil.example/realms/test");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn expiry_and_not_before_use_a_small_leeway() {
    let key = TestKey::rsa("rsa-a.pem", "a");
    let (idp, provider) = provider_with(&[&key]).await;
    let mut claims = idp.claims();
    claims["exp"] = json!(now() - 120);
    assert_eq!(
        refused(&provider, &key.sign(&claims)).await,
        AuthError::Expired
    );
    claims["exp"] = json!(now() - 5);
    provider
        .verify_access_token(&key.sign(&claims))
        .await
        .expect("within leeway");
    claims["exp"] = json!(now() + 600);
    claims["nbf"] = json!(now() + 300);
    assert_eq!(
        refused(&provider, &key.sign(&claims)).await,
        AuthError::NotYetValid
    );
}

#[tokio::test]
async fn id_tokens_and_tokens_without_subject_are_refused() {
    let key = TestKey::rsa("rsa-a.pem", "a");
    let (idp, provider) = provider_with(&[&key]).await;
    let mut claims = idp.claims();
    claims["typ"] = json!("ID");
    assert_eq!(
        refused(&provider, &key.sign(&claims)).await,
        AuthError::NotAnAccessToken
    );
    let mut claims = idp.claims();
    claims.as_object_mut().unwrap().remove("sub");
    assert!(matches!(
        refused(&provider, &key.sign(&claims)).await,
        AuthError::MissingClaim(_)
    ));
}

fn b64(v: &serde_json::Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
}

#[tokio::test]
async fn alg_none_is_refused() {
    let key = TestKey::rsa("rsa-a.pem", "a");
    let (idp, provider) = provider_with(&[&key]).await;
    for alg in ["none", "None", "NONE"] {
        let header = json!({"alg": alg, "typ": "JWT", "kid": "a"});
        let token = SecretString::from(format!("{}.{}.", b64(&header), b64(&idp.claims())));
        let err = refused(&provider, &token).await;
        assert!(
            matches!(
                err,
                AuthError::DisallowedAlgorithm(_) | AuthError::Malformed
            ),
            "{alg}: {err:?}"
        );
    }
}

#[tokio::test]
async fn hs256_is_refused_even_with_an_oct_key_in_the_jwks() {
    let key = TestKey::rsa("rsa-a.pem", "a");
    let idp = FakeIdp::start().await;
    let secret = b"shared-secret-that-anyone-can-read-from-jwks";
    let mut set = jwks(&[&key]);
    set["keys"].as_array_mut().unwrap().push(json!({
        "kty": "oct", "kid": "hmac", "alg": "HS256",
        "k": base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret)
    }));
    Mock::given(method("GET"))
        .and(path(format!("{REALM_PATH}/certs")))
        .respond_with(ResponseTemplate::new(200).set_body_json(set))
        .mount(&idp.server)
        .await;
    let provider = OidcProvider::new(&idp.config()).unwrap();
    let mut header = Header::new(jsonwebtoken::Algorithm::HS256);
    header.kid = Some("hmac".into());
    let forged = sign_jwt(&header, &idp.claims(), &EncodingKey::from_secret(secret));
    let err = refused(&provider, &SecretString::from(forged)).await;
    assert!(matches!(err, AuthError::DisallowedAlgorithm(_)), "{err:?}");
    // The real key still works: the refusal is about the algorithm.
    provider
        .verify_access_token(&key.sign(&idp.claims()))
        .await
        .unwrap();
}

#[tokio::test]
async fn header_alg_must_match_the_key() {
    // An RSA key declared RS256 must not verify a PS256 token, and an EC key
    // must not verify an RS256 one, whatever the header says.
    let rsa = TestKey::rsa("rsa-a.pem", "a");
    let ec = TestKey::ec("ec-p256.pem", "ec");
    let (idp, provider) = provider_with(&[&rsa, &ec]).await;
    let mut header = Header::new(jsonwebtoken::Algorithm::PS256);
    header.kid = Some("a".into());
    let ps = sign_jwt(&header, &idp.claims(), &rsa.encoding);
    assert!(matches!(
        refused(&provider, &SecretString::from(ps)).await,
        AuthError::DisallowedAlgorithm(_)
    ));
    let mut header = Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some("ec".into());
    let rs = sign_jwt(&header, &idp.claims(), &rsa.encoding);
    assert!(matches!(
        refused(&provider, &SecretString::from(rs)).await,
        AuthError::DisallowedAlgorithm(_)
    ));
}

#[tokio::test]
async fn tampered_signature_is_refused() {
    let key = TestKey::rsa("rsa-a.pem", "a");
    let other = TestKey::rsa("rsa-b.pem", "a"); // same kid, wrong key
    let (idp, provider) = provider_with(&[&key]).await;
    let forged = other.sign(&idp.claims());
    assert_eq!(refused(&provider, &forged).await, AuthError::BadSignature);
    let header = b64(&json!({"alg": "RS256", "kid": "a"}));
    let garbage = SecretString::from(format!("{header}.!!!.c2ln"));
    let err = refused(&provider, &garbage).await;
    assert!(
        matches!(err, AuthError::Malformed | AuthError::BadSignature),
        "{err:?}"
    );
}

#[tokio::test]
async fn unknown_kid_refetches_once_then_is_rate_limited() {
    let a = TestKey::rsa("rsa-a.pem", "a");
    let b = TestKey::rsa("rsa-b.pem", "b");
    let c = TestKey::ec("ec-p256.pem", "c");
    let idp = FakeIdp::start().await;
    // First JWKS fetch sees key a only; later fetches see the rotated set.
    Mock::given(method("GET"))
        .and(path(format!("{REALM_PATH}/certs")))
        .respond_with(ResponseTemplate::new(200).set_body_json(jwks(&[&a])))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&idp.server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{REALM_PATH}/certs")))
        .respond_with(ResponseTemplate::new(200).set_body_json(jwks(&[&a, &b])))
        .with_priority(2)
        .mount(&idp.server)
        .await;
    let provider = OidcProvider::new(&idp.config()).unwrap();

    provider
        .verify_access_token(&a.sign(&idp.claims()))
        .await
        .unwrap();
    assert_eq!(idp.hits("/certs").await, 1);

    // Key rotation: b is unknown, one refetch finds it.
    provider
        .verify_access_token(&b.sign(&idp.claims()))
        .await
        .unwrap();
    assert_eq!(idp.hits("/certs").await, 2);

    // Another unknown kid inside the rate-limit window: refused, no refetch.
    let err = refused(&provider, &c.sign(&idp.claims())).await;
    assert_eq!(err, AuthError::UnknownKey(Some("c".into())));
    assert_eq!(idp.hits("/certs").await, 2);

    // Known keys keep working from the cache.
    provider
        .verify_access_token(&a.sign(&idp.claims()))
        .await
        .unwrap();
    assert_eq!(idp.hits("/certs").await, 2);
}

#[tokio::test]
async fn unknown_kid_refetches_again_after_the_window() {
    let a = TestKey::rsa("rsa-a.pem", "a");
    let c = TestKey::ec("ec-p256.pem", "c");
    let idp = FakeIdp::start().await;
    idp.serve_jwks(&[&a]).await;
    let mut config = idp.config();
    config.jwks_min_refetch = Duration::from_millis(200);
    let provider = OidcProvider::new(&config).unwrap();
    refused(&provider, &c.sign(&idp.claims())).await;
    assert_eq!(idp.hits("/certs").await, 2, "initial load + one refetch");
    refused(&provider, &c.sign(&idp.claims())).await;
    assert_eq!(idp.hits("/certs").await, 2);
    tokio::time::sleep(Duration::from_millis(250)).await;
    refused(&provider, &c.sign(&idp.claims())).await;
    assert_eq!(idp.hits("/certs").await, 3);
}

#[tokio::test]
async fn discovery_is_cached_and_issuer_mismatch_is_a_clear_error() {
    let key = TestKey::rsa("rsa-a.pem", "a");
    let (idp, provider) = provider_with(&[&key]).await;
    for _ in 0..3 {
        provider
            .verify_access_token(&key.sign(&idp.claims()))
            .await
            .unwrap();
    }
    assert_eq!(idp.hits("/.well-known/openid-configuration").await, 1);

    let mut config = idp.config();
    config.issuer_or_discovery_url =
        url::Url::parse(&format!("{}/realms/other", idp.server.uri())).unwrap();
    Mock::given(method("GET"))
        .and(path("/realms/other/.well-known/openid-configuration"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "issuer": idp.issuer, "authorization_endpoint": format!("{}/auth", idp.issuer),
            "token_endpoint": format!("{}/token", idp.issuer)
        })))
        .mount(&idp.server)
        .await;
    let err = OidcProvider::new(&config)
        .unwrap()
        .document()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("names issuer"), "{err}");
}

#[tokio::test]
async fn unreachable_idp_is_unavailable_not_unauthorized() {
    let key = TestKey::rsa("rsa-a.pem", "a");
    let idp = FakeIdp::start().await;
    let claims = idp.claims();
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut config = idp.config();
    config.issuer_or_discovery_url =
        url::Url::parse(&format!("http://127.0.0.1:{port}/realms/test")).unwrap();
    let provider = OidcProvider::new(&config).unwrap();
    let err = provider
        .verify_access_token(&key.sign(&claims))
        .await
        .unwrap_err();
    assert!(err.is_unavailable(), "{err:?}");
}
