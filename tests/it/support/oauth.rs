//! One OAuth world for every test that needs one: a wiremock identity
//! provider publishing one signing key, a wiremock Nextcloud, and the real
//! server started in-process in an OAuth mode against both.

use std::sync::Arc;
use std::time::Duration;

use nextcloud_mcp::adapters::store::crypto::{Keyring, SealingKey};
use nextcloud_mcp::adapters::store::open_store;
use nextcloud_mcp::app::config::{Config, OAuthConfig, default_callback_url};
use nextcloud_mcp::domain::audit::AuditKind;
use nextcloud_mcp::domain::credential::AuthMode;
use nextcloud_mcp::ports::store::Store;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use url::Url;
use wiremock::matchers::{body_string_contains, header, method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::e2e::{Client, RunningServer, assert_ok, basic_config, call, catch_all, start_server};
use super::fixtures::load;
use super::idp::{CLIENT_ID, FakeIdp, REALM_PATH, RESOURCE, TestKey, now};

/// The audience Nextcloud accepts tokens for.
pub const NEXTCLOUD_AUDIENCE: &str = "nextcloud";

pub fn pass_through() -> AuthMode {
    AuthMode::PassThrough {
        nextcloud_audience: NEXTCLOUD_AUDIENCE.into(),
    }
}

pub fn exchange() -> AuthMode {
    AuthMode::Exchange {
        nextcloud_audience: NEXTCLOUD_AUDIENCE.into(),
    }
}

/// What a world changes from the defaults.
#[derive(Default)]
pub struct Options {
    /// How long exchanged tokens are reused (the IdP adapter's default: not at all).
    pub exchange_cache_ttl: Option<Duration>,
    /// How often an unknown `kid` may refetch the JWKS (default: production's limit).
    pub jwks_min_refetch: Option<Duration>,
    /// A sealed store with a keyring, and progressive consent where the mode
    /// has it (pass-through).
    pub consent: bool,
    /// Client ids allowed to call; empty allows every client.
    pub allowed_clients: Vec<String>,
    /// Minted tokens name Nextcloud as an audience too, so pass-through
    /// would forward them.
    pub tokens_name_nextcloud: bool,
    /// Where the store lives (a PostgreSQL URL, say); default: a fresh
    /// SQLite file.
    pub store_location: Option<String>,
}

pub struct OAuthWorld {
    pub idp: FakeIdp,
    /// The key the IdP publishes (kid `key-a`).
    pub key: TestKey,
    /// A key the IdP does not publish at start (kid `key-b`), for rotation.
    pub next_key: TestKey,
    pub nextcloud: MockServer,
    pub server: RunningServer,
    pub mode: AuthMode,
    pub store_path: String,
    pub keyring: Option<Keyring>,
    tokens_name_nextcloud: bool,
}

impl OAuthWorld {
    pub async fn start(mode: AuthMode) -> Self {
        Self::start_with(mode, Options::default()).await
    }

    pub async fn start_with(mode: AuthMode, options: Options) -> Self {
        let idp = FakeIdp::start().await;
        let key = TestKey::rsa("rsa-a.pem", "key-a");
        let next_key = TestKey::rsa("rsa-b.pem", "key-b");
        idp.serve_jwks(&[&key]).await;
        catch_all(&idp.server).await;
        let nextcloud = MockServer::start().await;
        catch_all(&nextcloud).await;

        let mut config = basic_config(&nextcloud.uri(), Duration::from_secs(5));
        config.mode = mode.clone();
        let mut idp_config = idp.config();
        if let Some(ttl) = options.exchange_cache_ttl {
            idp_config.exchange_cache_ttl = ttl;
        }
        if let Some(interval) = options.jwks_min_refetch {
            idp_config.jwks_min_refetch = interval;
        }
        config.oauth = Some(OAuthConfig {
            idp: idp_config,
            server_url: Url::parse(RESOURCE).unwrap(),
            callback_url: default_callback_url(&Url::parse(RESOURCE).unwrap()),
        });
        let keyring = options
            .consent
            .then(|| Keyring::new(1, SealingKey::generate().unwrap()));
        config.store.keyring = keyring.clone();
        config.store.progressive_consent =
            options.consent && matches!(mode, AuthMode::PassThrough { .. });
        config.store.allowed_clients = options.allowed_clients;
        if let Some(location) = options.store_location {
            config.store.location = SecretString::from(location);
        }
        let store_path = config.store.location.expose_secret().to_string();
        let server = start_server(config).await;
        Self {
            idp,
            key,
            next_key,
            nextcloud,
            server,
            mode,
            store_path,
            keyring,
            tokens_name_nextcloud: options.tokens_name_nextcloud,
        }
    }

    /// Claims of a valid access token for this server, with `patch` applied
    /// (a `null` value removes the claim).
    pub fn claims(&self, patch: Value) -> Value {
        let mut claims = self.idp.claims();
        if self.tokens_name_nextcloud {
            claims["aud"] = json!([CLIENT_ID, RESOURCE, NEXTCLOUD_AUDIENCE]);
        }
        for (k, v) in patch.as_object().unwrap() {
            if v.is_null() {
                claims.as_object_mut().unwrap().remove(k);
            } else {
                claims[k] = v.clone();
            }
        }
        claims
    }

    /// An access token signed with the published key.
    pub fn token(&self, patch: Value) -> String {
        self.key
            .sign(&self.claims(patch))
            .expose_secret()
            .to_string()
    }

    /// An ID token naming `subject`, as the IdP returns from a code redemption.
    pub fn id_token(&self, subject: &str) -> String {
        let claims = json!({"iss": self.idp.issuer, "sub": subject, "aud": CLIENT_ID, "exp": now() + 300, "iat": now()});
        self.key.sign(&claims).expose_secret().to_string()
    }

    /// `POST /mcp` with `body`, as a client without an MCP library sends it.
    pub async fn post_mcp(&self, bearer: Option<&str>, body: Value) -> reqwest::Response {
        let mut request = mcp_request(&self.server.mcp_url(), &body);
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap()
    }

    /// Nextcloud answers `cloud/user` and note 213 only for this bearer token.
    pub async fn nextcloud_accepts(&self, token: &str) {
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

    /// Nextcloud's `status.php` answers as the captured server did, so a
    /// readiness check finds Nextcloud up.
    pub async fn nextcloud_answers_status(&self) {
        Mock::given(method("GET"))
            .and(path("/status.php"))
            .respond_with(load("ocs-capabilities", "01-status").response.template())
            .mount(&self.nextcloud)
            .await;
    }

    /// `GET /readyz`: its status and JSON body.
    pub async fn readyz(&self) -> (u16, Value) {
        let reply = reqwest::get(format!("{}/readyz", self.server.base_url))
            .await
            .unwrap();
        let status = reply.status().as_u16();
        (status, reply.json().await.unwrap())
    }

    /// The IdP answers `active: false` to every introspection, as a real
    /// one does for a token it never issued.
    pub async fn idp_finds_every_opaque_token_inactive(&self) {
        Mock::given(method("POST"))
            .and(path(format!("{REALM_PATH}/introspect")))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"active": false})))
            .mount(&self.idp.server)
            .await;
    }

    /// The IdP redeems any code, returning `access_token` and `refresh_token`
    /// with an ID token that names `subject`; answers that ID token.
    pub async fn idp_redeems_codes(
        &self,
        subject: &str,
        access_token: &str,
        refresh_token: &str,
    ) -> String {
        let id_token = self.id_token(subject);
        Mock::given(method("POST"))
            .and(path(format!("{REALM_PATH}/token")))
            .and(body_string_contains("grant_type=authorization_code"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "access_token": access_token, "token_type": "Bearer", "expires_in": 300,
                "refresh_token": refresh_token, "id_token": id_token,
                "scope": "openid offline_access"
            })))
            .mount(&self.idp.server)
            .await;
        id_token
    }

    /// The world's store, opened again with its keyring.
    pub async fn store(&self) -> Arc<dyn Store> {
        open_store(&self.store_path, self.keyring.clone())
            .await
            .unwrap()
    }

    /// Audit events recorded so far (written off the call's path, so wait briefly).
    pub async fn audit_kinds(&self, at_least: usize) -> Vec<AuditKind> {
        let store = self.store().await;
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

    /// Calls `provision_nextcloud_access`; answers the authorization link.
    pub async fn provision_link(&self, client: &Client) -> Url {
        let link = assert_ok(
            "provision",
            &call(client, "provision_nextcloud_access", json!({})).await,
        );
        Url::parse(link["authorization_url"].as_str().unwrap()).unwrap()
    }

    /// `GET /oauth/callback?{query}`, as the browser does after the IdP.
    pub async fn callback(&self, query: &str) -> reqwest::Response {
        reqwest::get(format!("{}/oauth/callback?{query}", self.server.base_url))
            .await
            .unwrap()
    }

    /// The configuration of another replica on this world's store and IdP,
    /// with Nextcloud unreachable: what the background job runs on.
    pub fn replica_config(&self) -> Config {
        let mut config = basic_config("http://127.0.0.1:9", Duration::from_secs(5));
        config.mode = self.mode.clone();
        config.oauth = Some(OAuthConfig {
            idp: self.idp.config(),
            server_url: Url::parse(RESOURCE).unwrap(),
            callback_url: default_callback_url(&Url::parse(RESOURCE).unwrap()),
        });
        config.store.location = SecretString::from(self.store_path.clone());
        config.store.keyring = self.keyring.clone();
        config.store.progressive_consent =
            self.keyring.is_some() && matches!(self.mode, AuthMode::PassThrough { .. });
        config
    }
}

/// A `POST` of `body` to an MCP endpoint with the headers a client sends.
pub fn mcp_request(url: &str, body: &Value) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .post(url)
        .header("Accept", "application/json, text/event-stream")
        .header("MCP-Protocol-Version", "2025-06-18")
        .json(body)
}

/// A JSON-RPC `tools/call` of `tool` with `arguments`.
pub fn tool_call(tool: &str, arguments: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": tool, "arguments": arguments}})
}

/// The value of the query parameter `name` in `url` (empty when absent).
pub fn param(url: &Url, name: &str) -> String {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}
