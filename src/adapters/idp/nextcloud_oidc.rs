//! Nextcloud's `oidc` app as the identity provider.
//!
//! Its access tokens are opaque by default; JWT access tokens are opt-in per
//! client and verify through `/apps/oidc/jwks` like any OIDC token (RS256; the
//! app's HS256 option is refused by the algorithm allow-list). Opaque tokens
//! are validated by the app itself: introspection (newer app versions; the
//! audience is checked) or, when explicitly configured, userinfo (which cannot
//! tell whom a token was issued for). Either answer is cached briefly, keyed
//! by the SHA-256 of the token. Exchange, refresh and code redemption go
//! through its token endpoint like any OIDC provider.

use std::time::Duration;

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use url::Url;

use super::cache::{TokenCache, TokenHash};
use super::http::read_json;
use super::jwt::looks_like_jwt;
use super::oidc::OidcProvider;
use super::{MAX_ACCESS_TOKEN_BYTES, OpaqueTokenValidation};
use crate::domain::principal::{Principal, VerifiedClaims};
use crate::ports::identity::{
    AuthError, AuthorizationRequest, IdentityProvider, IdpError, IdpMetadata, IdpOperation,
    IssuedToken, TokenSet, TokenTypeHint,
};

pub struct NextcloudOidcProvider {
    oidc: OidcProvider,
    opaque: OpaqueTokenValidation,
    userinfo_cache: TokenCache<VerifiedClaims>,
}

#[derive(Deserialize)]
struct UserInfo {
    sub: String,
    #[serde(default)]
    preferred_username: Option<String>,
    #[serde(default)]
    email: Option<String>,
}

impl NextcloudOidcProvider {
    pub fn new(oidc: OidcProvider, opaque: OpaqueTokenValidation) -> Self {
        Self::with_cache(oidc, opaque, Duration::from_secs(60), 10_000)
    }

    pub fn with_cache(
        oidc: OidcProvider,
        opaque: OpaqueTokenValidation,
        ttl: Duration,
        capacity: usize,
    ) -> Self {
        if opaque == OpaqueTokenValidation::Userinfo {
            tracing::warn!(
                "opaque Nextcloud oidc tokens are validated through userinfo: their audience cannot be checked, \
                 so a token any client of that Nextcloud obtained is accepted"
            );
        }
        Self {
            oidc,
            opaque,
            userinfo_cache: TokenCache::new(ttl, capacity),
        }
    }

    async fn verify_opaque(&self, token: &SecretString) -> Result<Principal, AuthError> {
        let doc = self
            .oidc
            .document()
            .await
            .map_err(|e| AuthError::Unavailable(e.to_string()))?;
        let introspection_ready =
            doc.introspection_endpoint.is_some() && self.oidc.has_client_secret();
        match self.opaque {
            OpaqueTokenValidation::Userinfo => self.via_userinfo(token).await,
            OpaqueTokenValidation::Introspection => self.oidc.introspect(token).await,
            OpaqueTokenValidation::Auto if introspection_ready => self.oidc.introspect(token).await,
            OpaqueTokenValidation::Auto => Err(AuthError::Unavailable(
                "this Nextcloud's oidc app offers no token introspection (or no client secret is configured), \
                 so its opaque tokens cannot be checked for this server's audience; enable JWT access tokens \
                 for the client, update the oidc app, or opt in to userinfo validation"
                    .into(),
            )),
        }
    }

    async fn via_userinfo(&self, token: &SecretString) -> Result<Principal, AuthError> {
        let key = TokenHash::of(token);
        if let Some(claims) = self.userinfo_cache.get(&key) {
            return Ok(Principal::new(claims, token.clone()));
        }
        let operation = IdpOperation::Introspection;
        let doc = self
            .oidc
            .document()
            .await
            .map_err(|e| AuthError::Unavailable(e.to_string()))?;
        let Some(endpoint) = doc.userinfo_endpoint.as_ref() else {
            return Err(AuthError::Unavailable(
                "the oidc app lists no userinfo endpoint".into(),
            ));
        };
        let resp = self
            .oidc
            .http()
            .get_with_bearer(endpoint, token, operation)
            .await
            .map_err(|e| AuthError::Unavailable(e.to_string()))?;
        let status = resp.status();
        // The app answers 400 (invalid_request / invalid_grant) or 401 for
        // unknown and expired tokens.
        if status.is_client_error() {
            return Err(AuthError::Inactive);
        }
        if !status.is_success() {
            return Err(AuthError::Unavailable(format!(
                "userinfo answered HTTP {}",
                status.as_u16()
            )));
        }
        let info: UserInfo = read_json(resp, operation)
            .await
            .map_err(|e| AuthError::Unavailable(e.to_string()))?;
        if info.sub.is_empty() {
            return Err(AuthError::MissingClaim("sub".into()));
        }
        let claims = VerifiedClaims {
            subject: info.sub,
            issuer: self.oidc.issuer_of(&doc),
            audiences: Vec::new(),
            scopes: Vec::new(),
            expires_at: None,
            client_id: None,
            preferred_username: info.preferred_username,
            email: info.email,
        };
        self.userinfo_cache.insert(key, claims.clone(), None);
        Ok(Principal::new(claims, token.clone()))
    }
}

#[async_trait]
impl IdentityProvider for NextcloudOidcProvider {
    async fn verify_access_token(&self, token: &SecretString) -> Result<Principal, AuthError> {
        if token.expose_secret().len() > MAX_ACCESS_TOKEN_BYTES {
            return Err(AuthError::Malformed);
        }
        if looks_like_jwt(token) {
            self.oidc.verify_jwt(token).await
        } else {
            self.verify_opaque(token).await
        }
    }

    async fn exchange_token<'a>(
        &self,
        subject: &Principal,
        audience: &str,
        scope: Option<&'a str>,
    ) -> Result<IssuedToken, IdpError> {
        self.oidc.exchange_token(subject, audience, scope).await
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
