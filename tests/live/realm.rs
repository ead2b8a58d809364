//! The live Keycloak started by scripts/live/keycloak.sh, as the live tests see
//! it: where it is, the realm's test clients and user, and a password-grant
//! login for the test user.

use std::env;

use serde_json::Value;

pub struct Live {
    pub url: String,
    pub realm: String,
    pub client_id: String,
    pub client_secret: String,
    pub login_client: String,
    pub other_client: String,
    pub user: String,
    pub password: String,
}

fn var(name: &str, default: &str) -> String {
    env::var(name).unwrap_or_else(|_| default.to_string())
}

/// The live Keycloak, or `None` (the test returns) when none runs. With
/// NEXTCLOUD_MCP_LIVE_TESTS=1, as in CI, a missing Keycloak is a failure.
pub fn live(what: &str) -> Option<Live> {
    let Ok(url) = env::var("NEXTCLOUD_MCP_TEST_KEYCLOAK_URL") else {
        if env::var("NEXTCLOUD_MCP_LIVE_TESTS").as_deref() == Ok("1") {
            panic!(
                "NEXTCLOUD_MCP_LIVE_TESTS=1 but NEXTCLOUD_MCP_TEST_KEYCLOAK_URL is not set: \
                 run eval \"$(scripts/live/keycloak.sh start)\" first"
            );
        }
        println!("{what} skipped: run scripts/test.sh");
        return None;
    };
    Some(Live {
        url: url.trim_end_matches('/').to_string(),
        realm: var("NEXTCLOUD_MCP_TEST_KEYCLOAK_REALM", "nextcloud-mcp"),
        client_id: var(
            "NEXTCLOUD_MCP_TEST_KEYCLOAK_CLIENT_ID",
            "nextcloud-mcp-server",
        ),
        client_secret: var(
            "NEXTCLOUD_MCP_TEST_KEYCLOAK_CLIENT_SECRET",
            "nextcloud-mcp-server-test-secret",
        ),
        login_client: var(
            "NEXTCLOUD_MCP_TEST_KEYCLOAK_LOGIN_CLIENT",
            "nextcloud-mcp-test",
        ),
        other_client: var("NEXTCLOUD_MCP_TEST_KEYCLOAK_OTHER_CLIENT", "other-app"),
        user: var("NEXTCLOUD_MCP_TEST_KEYCLOAK_USER", "alice"),
        password: var(
            "NEXTCLOUD_MCP_TEST_KEYCLOAK_PASSWORD",
            "alice-test-password",
        ),
    })
}

impl Live {
    pub fn issuer(&self) -> String {
        format!("{}/realms/{}", self.url, self.realm)
    }

    pub fn token_endpoint(&self) -> String {
        format!("{}/protocol/openid-connect/token", self.issuer())
    }

    /// An access token for the test user from `client`'s password grant
    /// (enabled on the realm's test clients only).
    pub async fn password_grant(&self, client: &str) -> String {
        nextcloud_mcp::adapters::nextcloud::http::install_crypto_provider();
        let resp = reqwest::Client::new()
            .post(self.token_endpoint())
            .form(&[
                ("grant_type", "password"),
                ("client_id", client),
                ("username", self.user.as_str()),
                ("password", self.password.as_str()),
                ("scope", "openid"),
            ])
            .send()
            .await
            .expect("Keycloak answers");
        let status = resp.status();
        let body: Value = resp.json().await.expect("JSON token reply");
        assert!(
            status.is_success(),
            "password grant failed: HTTP {status}, error {:?}",
            body.get("error")
        );
        body["access_token"]
            .as_str()
            .expect("access_token")
            .to_string()
    }
}
