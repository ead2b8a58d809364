//! Keycloak (26.x): the generic OIDC machinery plus what is particular to it.
//!
//! - Standard token exchange (v2): the requesting client must be confidential,
//!   have "standard token exchange" enabled, be named in the subject token's
//!   `aud`, and have the target audience available (an audience mapper or a
//!   client scope). Keycloak's error descriptions for each of these are
//!   recognised and explained in terms of what to change in the realm.
//! - Opaque or unknown tokens: RFC 7662 introspection at
//!   `.../protocol/openid-connect/token/introspect` (listed in discovery).
//! - Its tokens carry `typ` (`Bearer`, `ID`, `Refresh`); only `Bearer` passes.

use async_trait::async_trait;
use secrecy::SecretString;
use url::Url;

use super::oidc::OidcProvider;
use crate::domain::principal::Principal;
use crate::ports::identity::{
    AuthError, AuthorizationRequest, IdentityProvider, IdpError, IdpMetadata, IssuedToken,
    OAuthErrorCode, TokenSet, TokenTypeHint,
};

pub struct KeycloakProvider {
    oidc: OidcProvider,
}

impl KeycloakProvider {
    pub fn new(oidc: OidcProvider) -> Self {
        Self { oidc }
    }

    pub fn oidc(&self) -> &OidcProvider {
        &self.oidc
    }

    /// The realm name, from an issuer like `https://kc.example/realms/<name>`.
    pub fn realm_of(issuer: &str) -> Option<&str> {
        let trimmed = issuer.trim_end_matches('/');
        let (before, name) = trimmed.rsplit_once('/')?;
        before
            .ends_with("/realms")
            .then_some(name)
            .filter(|n| !n.is_empty())
    }

    /// Adds a Keycloak-specific hint to a token-exchange refusal.
    fn explain_exchange(&self, err: IdpError, audience: &str) -> IdpError {
        let IdpError::Rejected {
            operation,
            code,
            description,
        } = err
        else {
            return err;
        };
        let client = &self.oidc.credentials().client_id;
        let said = description.clone().unwrap_or_default();
        let lower = said.to_ascii_lowercase();
        let hint = if lower.contains("invalid client credentials") {
            Some(format!(
                "Keycloak did not accept the secret of client {client:?}; check the client secret this server is configured with against the client's Credentials tab"
            ))
        } else if lower.contains("audience not available") {
            Some(format!(
                "in Keycloak, make {audience:?} available to client {client:?}: add an audience mapper for it to that client or to one of its client scopes"
            ))
        } else if lower.contains("not within the token audience") {
            Some(format!(
                "the caller's token does not name {client:?} in its audience; add an audience mapper for {client:?} to the client the user signs in with"
            ))
        } else if lower.contains("standard token exchange is not enabled") {
            Some(format!(
                "enable \"Standard token exchange\" in the capability config of client {client:?}"
            ))
        } else if lower.contains("audience not found")
            || (code == OAuthErrorCode::InvalidClient && lower.contains("audience"))
        {
            Some(format!(
                "no client {audience:?} exists in the realm; create it or fix the audience"
            ))
        } else if lower.contains("public client") {
            Some(format!(
                "client {client:?} must be confidential (client authentication on) to exchange tokens"
            ))
        } else {
            None
        };
        let description = match (description, hint) {
            (Some(d), Some(h)) => Some(format!("{d}; {h}")),
            (None, Some(h)) => Some(h),
            (d, None) => d,
        };
        IdpError::Rejected {
            operation,
            code,
            description,
        }
    }
}

#[async_trait]
impl IdentityProvider for KeycloakProvider {
    async fn verify_access_token(&self, token: &SecretString) -> Result<Principal, AuthError> {
        self.oidc.verify_access_token(token).await
    }

    async fn exchange_token<'a>(
        &self,
        subject: &Principal,
        audience: &str,
        scope: Option<&'a str>,
    ) -> Result<IssuedToken, IdpError> {
        self.oidc
            .exchange_token(subject, audience, scope)
            .await
            .map_err(|e| self.explain_exchange(e, audience))
    }

    async fn refresh(&self, refresh_token: &SecretString) -> Result<TokenSet, IdpError> {
        self.oidc.refresh(refresh_token).await
    }

    async fn authorization_url(&self, request: &AuthorizationRequest) -> Result<Url, IdpError> {
        self.oidc.authorization_url(request).await
    }

    async fn redeem_code(
        &self,
        code: &SecretString,
        pkce_verifier: &SecretString,
        redirect_uri: &Url,
    ) -> Result<TokenSet, IdpError> {
        self.oidc
            .redeem_code(code, pkce_verifier, redirect_uri)
            .await
    }

    async fn revoke(&self, token: &SecretString, hint: TokenTypeHint) -> Result<(), IdpError> {
        self.oidc.revoke(token, hint).await
    }

    async fn metadata(&self) -> Result<IdpMetadata, IdpError> {
        self.oidc.metadata().await
    }

    async fn check_reachable(&self) -> Result<(), IdpError> {
        self.oidc.check_reachable().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::idp::IdpConfig;
    use crate::ports::identity::IdpOperation;

    #[test]
    fn realm_names_come_from_the_issuer() {
        assert_eq!(
            KeycloakProvider::realm_of("http://kc:8080/realms/nextcloud-mcp"),
            Some("nextcloud-mcp")
        );
        assert_eq!(
            KeycloakProvider::realm_of("http://kc/auth/realms/r/"),
            Some("r")
        );
        assert_eq!(KeycloakProvider::realm_of("https://cloud.example"), None);
    }

    #[test]
    fn exchange_refusals_get_realm_hints() {
        let mut config = IdpConfig::new(
            Url::parse("http://kc/realms/r").unwrap(),
            "nextcloud-mcp-server",
        );
        config.client_secret = Some(SecretString::from("x"));
        let kc = KeycloakProvider::new(OidcProvider::new(&config).unwrap());
        let refused = |code: &str, d: &str| IdpError::Rejected {
            operation: IdpOperation::TokenExchange,
            code: OAuthErrorCode::parse(code),
            description: Some(d.into()),
        };
        let e = kc.explain_exchange(
            refused("invalid_request", "Requested audience not available: other"),
            "other",
        );
        assert!(e.to_string().contains("audience mapper"), "{e}");
        let e = kc.explain_exchange(
            refused("access_denied", "Client is not within the token audience"),
            "nextcloud",
        );
        assert!(
            e.to_string().contains("the client the user signs in with"),
            "{e}"
        );
        let e = kc.explain_exchange(refused("invalid_request", "something else"), "nextcloud");
        assert!(
            e.to_string()
                .ends_with("(identity provider said: something else)"),
            "{e}"
        );
    }
}
