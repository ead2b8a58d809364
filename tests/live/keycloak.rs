//! Against a REAL Keycloak started by scripts/live/keycloak.sh:
//!
//!     eval "$(scripts/live/keycloak.sh start)"
//!     NEXTCLOUD_MCP_LIVE_TESTS=1 cargo test --test live keycloak::
//!
//! Without NEXTCLOUD_MCP_TEST_KEYCLOAK_URL the tests skip, unless
//! NEXTCLOUD_MCP_LIVE_TESTS=1 says they must run (then they fail).

use crate::realm::{Live, live};

use nextcloud_mcp::adapters::idp::{IdpConfig, IdpKind, OidcProvider, connect, detect_kind};
use nextcloud_mcp::ports::identity::{AuthError, IdpError, OAuthErrorCode};
use secrecy::{ExposeSecret, SecretString};
use url::Url;

const MCP_RESOURCE: &str = "http://127.0.0.1:8000/mcp";

/// What the live tests add to the shared Keycloak description.
trait LiveExt {
    fn config(&self, client_id: &str) -> IdpConfig;
    async fn user_token(&self, client: &str) -> SecretString;
}

impl LiveExt for Live {
    /// This server's configuration, as `app/config.rs` would build it.
    fn config(&self, client_id: &str) -> IdpConfig {
        let mut config = IdpConfig::new(Url::parse(&self.issuer()).unwrap(), client_id);
        config.client_secret = Some(SecretString::from(self.client_secret.clone()));
        config.resource = Some(MCP_RESOURCE.into());
        config
    }

    /// A user token from `client` via the password grant (test clients only).
    async fn user_token(&self, client: &str) -> SecretString {
        SecretString::from(self.password_grant(client).await)
    }
}

#[tokio::test]
async fn token_for_this_server_verifies_to_a_principal() {
    let Some(kc) = live("keycloak tests") else {
        return;
    };
    let oidc = OidcProvider::new(&kc.config(&kc.client_id)).unwrap();
    let doc = oidc.document().await.expect("realm discovery");
    assert_eq!(doc.issuer, kc.issuer());
    assert_eq!(detect_kind(&doc), IdpKind::Keycloak);

    let provider = connect(kc.config(&kc.client_id)).await.unwrap();
    let token = kc.user_token(&kc.login_client).await;
    let p = provider
        .verify_access_token(&token)
        .await
        .expect("valid token");
    assert_eq!(p.issuer(), kc.issuer());
    assert_eq!(p.preferred_username(), Some(kc.user.as_str()));
    assert_eq!(
        p.subject().len(),
        36,
        "Keycloak subjects are UUIDs: {}",
        p.subject()
    );
    assert!(p.names_audience(&kc.client_id), "aud: {:?}", p.audiences());
    assert!(p.names_audience(MCP_RESOURCE), "aud: {:?}", p.audiences());
    assert_eq!(p.client_id(), Some(kc.login_client.as_str()));
    assert!(p.expires_at().is_some());

    // The same token through RFC 7662 introspection (what opaque tokens use).
    let introspected = oidc.introspect(&token).await.expect("introspection");
    assert_eq!(introspected.subject(), p.subject());
    assert!(introspected.names_audience(&kc.client_id));
}

#[tokio::test]
async fn token_minted_for_another_audience_is_refused() {
    let Some(kc) = live("keycloak tests") else {
        return;
    };
    let provider = connect(kc.config(&kc.client_id)).await.unwrap();
    let token = kc.user_token(&kc.other_client).await;
    let err = provider.verify_access_token(&token).await.unwrap_err();
    assert!(matches!(err, AuthError::WrongAudience { .. }), "{err:?}");
    assert!(!err.to_string().contains(token.expose_secret()));
}

#[tokio::test]
async fn standard_token_exchange_to_nextcloud() {
    let Some(kc) = live("keycloak tests") else {
        return;
    };
    let provider = connect(kc.config(&kc.client_id)).await.unwrap();
    let caller = provider
        .verify_access_token(&kc.user_token(&kc.login_client).await)
        .await
        .unwrap();
    let issued = provider
        .exchange_token(&caller, "nextcloud", None)
        .await
        .expect("exchange");
    assert_eq!(
        issued.issued_token_type.as_deref(),
        Some("urn:ietf:params:oauth:token-type:access_token")
    );
    assert!(issued.expires_in.is_some_and(|s| s > 0));

    // What Nextcloud would see: verify the issued token as audience `nextcloud`.
    let mut as_nextcloud = kc.config("nextcloud");
    as_nextcloud.resource = None;
    let nextcloud = connect(as_nextcloud).await.unwrap();
    let seen = nextcloud
        .verify_access_token(&issued.access_token)
        .await
        .expect("aud=nextcloud token");
    assert!(
        seen.names_audience("nextcloud"),
        "aud: {:?}",
        seen.audiences()
    );
    assert_eq!(seen.subject(), caller.subject(), "same user after exchange");

    // And it is not a token for this MCP server.
    let err = provider
        .verify_access_token(&issued.access_token)
        .await
        .unwrap_err();
    assert!(matches!(err, AuthError::WrongAudience { .. }), "{err:?}");
}

#[tokio::test]
async fn exchange_to_an_audience_not_allowed_fails_clearly() {
    let Some(kc) = live("keycloak tests") else {
        return;
    };
    let provider = connect(kc.config(&kc.client_id)).await.unwrap();
    let caller = provider
        .verify_access_token(&kc.user_token(&kc.login_client).await)
        .await
        .unwrap();

    let err = provider
        .exchange_token(&caller, &kc.other_client, None)
        .await
        .unwrap_err();
    let text = err.to_string();
    println!("not available: {text}");
    assert!(
        matches!(
            &err,
            IdpError::Rejected {
                code: OAuthErrorCode::InvalidRequest,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        text.contains(&kc.other_client) && text.contains("audience mapper"),
        "{text}"
    );
    assert!(!text.contains(caller.access_token().expose_secret()));

    let err = provider
        .exchange_token(&caller, "no-such-client", None)
        .await
        .unwrap_err();
    println!("unknown: {err}");
    assert!(
        matches!(
            &err,
            IdpError::Rejected {
                code: OAuthErrorCode::InvalidClient,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("no client \"no-such-client\" exists"),
        "{err}"
    );
}

#[tokio::test]
async fn exchange_with_a_wrong_client_secret_says_so() {
    let Some(kc) = live("keycloak tests") else {
        return;
    };
    let provider = connect(kc.config(&kc.client_id)).await.unwrap();
    let caller = provider
        .verify_access_token(&kc.user_token(&kc.login_client).await)
        .await
        .unwrap();
    let mut bad = kc.config(&kc.client_id);
    bad.client_secret = Some(SecretString::from("wrong-secret"));
    let bad = connect(bad).await.unwrap();
    let err = bad
        .exchange_token(&caller, "nextcloud", None)
        .await
        .unwrap_err();
    // Keycloak answers unauthorized_client here (RFC 6749 says invalid_client).
    assert!(
        matches!(
            &err,
            IdpError::Rejected {
                code: OAuthErrorCode::InvalidClient | OAuthErrorCode::UnauthorizedClient,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("check the client secret"), "{err}");
    assert!(!err.to_string().contains("wrong-secret"));
}
