//! A wiremock identity provider and tokens signed with the test-only keys
//! under tests/fixtures/idp/.
//!
//! Every token a test mints goes through [`sign_jwt`], which first makes the
//! server's ring provider `jsonwebtoken`'s one for this process (the server
//! installs the same one). Without it a test's signing would be the first
//! use of the provider slot and panic, since no default provider is built.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use nextcloud_mcp::adapters::idp::IdpConfig;
use secrecy::SecretString;
use serde::Serialize;
use serde_json::{Value, json};
use url::Url;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const CLIENT_ID: &str = "nextcloud-mcp-server";
pub const CLIENT_SECRET: &str = "test-client-secret";
pub const RESOURCE: &str = "https://mcp.example.test/mcp";
pub const REALM_PATH: &str = "/realms/test";
/// The subject of the tokens the fake IdP issues.
pub const ALICE: &str = "5f0c2d0e-uuid-alice";

/// A signing key and its public JWK.
pub struct TestKey {
    pub kid: String,
    pub alg: Algorithm,
    pub encoding: EncodingKey,
    pub jwk: Value,
}

/// Makes ring `jsonwebtoken`'s provider, as the server does; call it before
/// any other `jsonwebtoken` signature or key operation in a test.
pub fn jwt_crypto() {
    nextcloud_mcp::adapters::idp::signatures::install()
        .expect("nothing installs another JWT provider in the tests");
}

/// Signs a token the way every test does: through ring.
pub fn sign_jwt(header: &Header, claims: &impl Serialize, key: &EncodingKey) -> String {
    jwt_crypto();
    jsonwebtoken::encode(header, claims, key).unwrap()
}

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/idp/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

impl TestKey {
    pub fn rsa(file: &str, kid: &str) -> Self {
        let encoding = EncodingKey::from_rsa_pem(&fixture(file)).unwrap();
        Self::finish(encoding, kid, Algorithm::RS256)
    }

    pub fn ec(file: &str, kid: &str) -> Self {
        let encoding = EncodingKey::from_ec_pem(&fixture(file)).unwrap();
        Self::finish(encoding, kid, Algorithm::ES256)
    }

    fn finish(encoding: EncodingKey, kid: &str, alg: Algorithm) -> Self {
        jwt_crypto();
        let mut jwk: Jwk = Jwk::from_encoding_key(&encoding, alg).unwrap();
        jwk.common.key_id = Some(kid.to_string());
        Self {
            kid: kid.into(),
            alg,
            encoding,
            jwk: serde_json::to_value(jwk).unwrap(),
        }
    }

    /// Signs `claims` with this key, naming its kid.
    pub fn sign(&self, claims: &Value) -> SecretString {
        let mut header = Header::new(self.alg);
        header.kid = Some(self.kid.clone());
        SecretString::from(sign_jwt(&header, claims, &self.encoding))
    }
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

pub fn jwks(keys: &[&TestKey]) -> Value {
    json!({ "keys": keys.iter().map(|k| k.jwk.clone()).collect::<Vec<_>>() })
}

/// A wiremock IdP with its discovery document mounted.
pub struct FakeIdp {
    pub server: MockServer,
    pub issuer: String,
}

impl FakeIdp {
    /// Discovery at `{issuer}/.well-known/openid-configuration`, endpoints under the issuer.
    pub async fn start() -> Self {
        let server = MockServer::start().await;
        let issuer = format!("{}{REALM_PATH}", server.uri());
        let doc = json!({
            "issuer": issuer,
            "authorization_endpoint": format!("{issuer}/auth"),
            "token_endpoint": format!("{issuer}/token"),
            "jwks_uri": format!("{issuer}/certs"),
            "userinfo_endpoint": format!("{issuer}/userinfo"),
            "revocation_endpoint": format!("{issuer}/revoke"),
            "introspection_endpoint": format!("{issuer}/introspect"),
            "grant_types_supported": ["authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:token-exchange"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"]
        });
        Mock::given(method("GET"))
            .and(path(format!(
                "{REALM_PATH}/.well-known/openid-configuration"
            )))
            .respond_with(ResponseTemplate::new(200).set_body_json(doc))
            .mount(&server)
            .await;
        Self { server, issuer }
    }

    pub async fn serve_jwks(&self, keys: &[&TestKey]) {
        Mock::given(method("GET"))
            .and(path(format!("{REALM_PATH}/certs")))
            .respond_with(ResponseTemplate::new(200).set_body_json(jwks(keys)))
            .mount(&self.server)
            .await;
    }

    pub fn config(&self) -> IdpConfig {
        let mut config = IdpConfig::new(Url::parse(&self.issuer).unwrap(), CLIENT_ID);
        config.client_secret = Some(SecretString::from(CLIENT_SECRET));
        config.resource = Some(RESOURCE.into());
        config.http_timeout = Duration::from_secs(5);
        config
    }

    /// Claims of a valid access token for this server.
    pub fn claims(&self) -> Value {
        json!({
            "iss": self.issuer,
            "sub": ALICE,
            "aud": [CLIENT_ID, RESOURCE, "account"],
            "exp": now() + 300,
            "iat": now(),
            "typ": "Bearer",
            "azp": "claude-desktop",
            "scope": "openid profile notes:read files:write",
            "preferred_username": "alice"
        })
    }

    /// How many requests reached `path_suffix` (under the issuer path).
    pub async fn hits(&self, path_suffix: &str) -> usize {
        let full = format!("{REALM_PATH}{path_suffix}");
        self.server
            .received_requests()
            .await
            .unwrap_or_default()
            .iter()
            .filter(|r| r.url.path() == full)
            .count()
    }
}

/// Decodes an `application/x-www-form-urlencoded` body into pairs.
pub fn form_of(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

pub fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}
