//! What the replicas run against: a stand-in identity provider (discovery,
//! JWKS, code redemption, and a refresh grant that rotates and revokes on
//! replay), a stand-in Nextcloud that keeps webhook registrations, and the
//! environment every replica gets.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use nextcloud_mcp::adapters::store::crypto::Keyring;
use nextcloud_mcp::adapters::store::open_store;
use nextcloud_mcp::ports::store::Store;
use rmcp::ServiceExt;
use rmcp::model::ClientConfig;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use secrecy::ExposeSecret;
use serde_json::json;
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::support::e2e::{Client, catch_all};
use crate::support::idp::{
    ALICE, CLIENT_ID, CLIENT_SECRET, FakeIdp, REALM_PATH, RESOURCE, TestKey, now,
};
use crate::support::rotating_idp::RotatingIdp;
use crate::support::webhooks::FakeNextcloud;

/// The audience that makes pass-through forward a caller's token to Nextcloud.
const NEXTCLOUD_AUDIENCE: &str = "nextcloud";
/// The first refresh token the provider issues at consent.
pub const FIRST_REFRESH_TOKEN: &str = "rt-0";
const WEBHOOK_SECRET: &str = "replicas-webhook-secret-0123456789";

pub struct World {
    pub idp: FakeIdp,
    key: TestKey,
    pub grant: RotatingIdp,
    pub nextcloud: FakeNextcloud,
    store_location: String,
    /// Fixed for the test: every replica must open the same sealed rows.
    encryption_key: String,
    pub _home: tempfile::TempDir,
}

impl World {
    pub async fn start(store_location: String) -> World {
        nextcloud_mcp::adapters::tls::install_crypto_provider();
        let idp = FakeIdp::start().await;
        let key = TestKey::rsa("rsa-a.pem", "key-a");
        idp.serve_jwks(&[&key]).await;
        let grant = RotatingIdp::new(FIRST_REFRESH_TOKEN);
        grant.mount(&idp.server).await;
        let id_token = key
            .sign(&json!({"iss": idp.issuer, "sub": ALICE, "aud": CLIENT_ID,
                "exp": now() + 600, "iat": now()}))
            .expose_secret()
            .to_string();
        Mock::given(method("POST"))
            .and(path(format!("{REALM_PATH}/token")))
            .and(body_string_contains("grant_type=authorization_code"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "access_token": "flow2-access", "token_type": "Bearer", "expires_in": 300,
                "refresh_token": FIRST_REFRESH_TOKEN, "id_token": id_token,
                "scope": "openid offline_access"
            })))
            .mount(&idp.server)
            .await;
        catch_all(&idp.server).await;
        World {
            idp,
            key,
            grant,
            nextcloud: FakeNextcloud::start().await,
            store_location,
            encryption_key: STANDARD.encode([7u8; 32]),
            _home: tempfile::tempdir().unwrap(),
        }
    }

    /// The settings of every replica: pass-through with progressive consent
    /// on the shared store, the grant keeper every `refresh_secs`, webhooks on.
    pub fn env(&self, refresh_secs: u64) -> Vec<(String, String)> {
        [
            ("NEXTCLOUD_HOST", self.nextcloud.uri()),
            ("NEXTCLOUD_OIDC_CLIENT_ID", CLIENT_ID.into()),
            ("NEXTCLOUD_OIDC_CLIENT_SECRET", CLIENT_SECRET.into()),
            (
                "OIDC_DISCOVERY_URL",
                format!("{}/.well-known/openid-configuration", self.idp.issuer),
            ),
            ("NEXTCLOUD_MCP_SERVER_URL", RESOURCE.into()),
            ("NEXTCLOUD_RESOURCE_URI", NEXTCLOUD_AUDIENCE.into()),
            ("ENABLE_PROGRESSIVE_CONSENT", "true".into()),
            ("TOKEN_ENCRYPTION_KEY", self.encryption_key.clone()),
            ("DATABASE_URL", self.store_location.clone()),
            (
                "NEXTCLOUD_MCP_GRANT_REFRESH_INTERVAL",
                refresh_secs.to_string(),
            ),
            ("WEBHOOK_SECRET", WEBHOOK_SECRET.into()),
            ("NEXTCLOUD_MCP_LOG_FORMAT", "json".into()),
            ("NEXTCLOUD_MCP_LOG_LEVEL", "info".into()),
            ("HOME", self._home.path().display().to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    /// A sign-in access token of Alice for this server, naming Nextcloud too
    /// (pass-through forwards it to Nextcloud for the webhook tools), with
    /// the scope the webhook tools need.
    pub fn token(&self) -> String {
        let mut claims = self.idp.claims();
        claims["aud"] = json!([CLIENT_ID, RESOURCE, NEXTCLOUD_AUDIENCE]);
        claims["scope"] = json!("openid webhooks:admin");
        self.key.sign(&claims).expose_secret().to_string()
    }

    /// An MCP client of `mcp_url` with Alice's token.
    pub async fn client(&self, mcp_url: String) -> Client {
        let config =
            StreamableHttpClientTransportConfig::with_uri(mcp_url).auth_header(self.token());
        ClientConfig::default()
            .serve(StreamableHttpClientTransport::from_config(config))
            .await
            .expect("MCP initialize")
    }

    /// The shared store, opened as a replica does.
    pub async fn store(&self) -> Arc<dyn Store> {
        let keyring = Keyring::parse(&self.encryption_key, None).unwrap();
        open_store(&self.store_location, Some(keyring))
            .await
            .unwrap()
    }
}
