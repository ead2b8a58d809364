//! The generic OpenID Connect provider: JWT verification through discovery and
//! JWKS, RFC 7662 introspection for opaque tokens, and the token endpoint
//! grants (RFC 8693 exchange, refresh, authorization code with PKCE) plus
//! RFC 7009 revocation. Keycloak and Nextcloud adapters build on it.
//! Introspection, with its caches and budget, is in `introspection`.

mod introspection;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use super::budget::IntrospectionBudget;
use super::cache::{TokenCache, TokenHash};
use super::discovery::{Discovery, DiscoveryDocument, discovery_url};
use super::http::{ClientAuthMethod, ClientCredentials, IdpHttp, error_reply, url_without_query};
use super::jwks::JwksCache;
use super::jwt::{self, JwtPolicy, looks_like_jwt};
use super::tokens::TokenReply;
use super::{IdpConfig, MAX_ACCESS_TOKEN_BYTES};
use crate::domain::principal::{Principal, VerifiedClaims};
use crate::ports::identity::{
    AuthError, AuthorizationRequest, IdentityProvider, IdpError, IdpMetadata, IdpOperation,
    IssuedToken, TokenSet, TokenTypeHint,
};

pub const GRANT_TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
pub const TOKEN_TYPE_ACCESS_TOKEN: &str = "urn:ietf:params:oauth:token-type:access_token";

/// Seconds before an exchanged token's expiry at which the cache stops handing it out.
const EXCHANGE_EXPIRY_MARGIN_SECS: u64 = 30;

pub struct OidcProvider {
    http: IdpHttp,
    discovery: Discovery,
    jwks: JwksCache,
    credentials: ClientCredentials,
    expected_issuer: Option<String>,
    audiences: Vec<String>,
    leeway_secs: u64,
    introspected: TokenCache<VerifiedClaims>,
    /// Opaque tokens introspection refused, so that sending the same unknown
    /// token again costs no IdP call.
    refused: TokenCache<AuthError>,
    /// Bounds how many never-seen tokens reach the introspection endpoint.
    introspection_budget: IntrospectionBudget,
    /// Exchanged tokens per (subject token, audience, scope); off when its TTL is zero.
    exchanged: TokenCache<IssuedToken>,
}

impl OidcProvider {
    pub fn new(config: &IdpConfig) -> Result<Self, IdpError> {
        let audiences = config.accepted_audiences();
        if audiences.is_empty() {
            return Err(IdpError::Misconfigured {
                operation: IdpOperation::Discovery,
                detail: "neither a client id nor a resource URL is configured, so no token could name this server".into(),
            });
        }
        // Before the first token can arrive: JWT signatures are checked with
        // ring, and a process where that cannot be set up refuses to start.
        super::signatures::install().map_err(|e| IdpError::Misconfigured {
            operation: IdpOperation::Discovery,
            detail: e.to_string(),
        })?;
        let http = IdpHttp::new(config.http_timeout)?;
        Ok(Self {
            discovery: Discovery::new(
                http.clone(),
                discovery_url(&config.issuer_or_discovery_url),
                config.discovery_ttl,
            ),
            jwks: JwksCache::new(http.clone(), config.jwks_max_age, config.jwks_min_refetch),
            http,
            credentials: ClientCredentials {
                client_id: config.client_id.clone(),
                client_secret: config.client_secret.clone(),
            },
            expected_issuer: config.expected_issuer.clone(),
            audiences,
            leeway_secs: config.leeway_secs,
            introspected: TokenCache::new(config.token_cache_ttl, config.token_cache_capacity),
            refused: TokenCache::new(config.token_cache_ttl, config.token_cache_capacity),
            introspection_budget: IntrospectionBudget::default(),
            exchanged: TokenCache::new(config.exchange_cache_ttl, config.token_cache_capacity),
        })
    }

    pub async fn document(&self) -> Result<Arc<DiscoveryDocument>, IdpError> {
        self.discovery.get().await
    }

    pub fn http(&self) -> &IdpHttp {
        &self.http
    }

    pub fn credentials(&self) -> &ClientCredentials {
        &self.credentials
    }

    pub fn has_client_secret(&self) -> bool {
        self.credentials.client_secret.is_some()
    }

    /// The audiences a token must name one of.
    pub fn audiences(&self) -> &[String] {
        &self.audiences
    }

    pub fn issuer_of(&self, doc: &DiscoveryDocument) -> String {
        self.expected_issuer
            .clone()
            .unwrap_or_else(|| doc.issuer.clone())
    }

    async fn document_for_auth(&self) -> Result<Arc<DiscoveryDocument>, AuthError> {
        self.document()
            .await
            .map_err(|e| AuthError::Unavailable(e.to_string()))
    }

    /// Verifies a JWT access token against the IdP's keys.
    pub async fn verify_jwt(&self, token: &SecretString) -> Result<Principal, AuthError> {
        let doc = self.document_for_auth().await?;
        let Some(jwks_uri) = doc.jwks_uri.as_ref() else {
            return Err(AuthError::Unavailable(
                "the identity provider publishes no jwks_uri".into(),
            ));
        };
        let policy = JwtPolicy {
            issuer: self.issuer_of(&doc),
            audiences: self.audiences.clone(),
            leeway_secs: self.leeway_secs,
        };
        let claims = jwt::verify(token, &policy, &self.jwks, jwks_uri).await?;
        Ok(Principal::new(claims, token.clone()))
    }

    /// Basic unless the IdP says it only takes credentials in the body.
    pub fn auth_method(&self, doc: &DiscoveryDocument) -> ClientAuthMethod {
        let methods = &doc.token_endpoint_auth_methods_supported;
        let basic = methods.is_empty() || methods.iter().any(|m| m == "client_secret_basic");
        if !basic && methods.iter().any(|m| m == "client_secret_post") {
            ClientAuthMethod::Post
        } else {
            ClientAuthMethod::Basic
        }
    }

    /// POSTs a grant to the token endpoint.
    pub async fn token_request<T: serde::de::DeserializeOwned>(
        &self,
        operation: IdpOperation,
        form: &[(&str, &str)],
    ) -> Result<T, IdpError> {
        let doc = self.document().await?;
        self.http
            .post_form(
                &doc.token_endpoint,
                &self.credentials,
                self.auth_method(&doc),
                form,
                operation,
            )
            .await
    }

    fn require_secret(&self, operation: IdpOperation) -> Result<(), IdpError> {
        if self.has_client_secret() {
            Ok(())
        } else {
            Err(IdpError::Misconfigured {
                operation,
                detail: "this server's client secret is not configured; token exchange needs a confidential client".into(),
            })
        }
    }
}

#[async_trait]
impl IdentityProvider for OidcProvider {
    async fn verify_access_token(&self, token: &SecretString) -> Result<Principal, AuthError> {
        if token.expose_secret().len() > MAX_ACCESS_TOKEN_BYTES {
            return Err(AuthError::Malformed);
        }
        if looks_like_jwt(token) {
            return self.verify_jwt(token).await;
        }
        let doc = self.document_for_auth().await?;
        if doc.introspection_endpoint.is_some() && self.has_client_secret() {
            return self.introspect(token).await;
        }
        Err(AuthError::Malformed)
    }

    async fn exchange_token<'a>(
        &self,
        subject: &Principal,
        audience: &str,
        scope: Option<&'a str>,
    ) -> Result<IssuedToken, IdpError> {
        self.require_secret(IdpOperation::TokenExchange)?;
        // The key hashes the subject token with what was asked for; neither the
        // token nor the issued one is ever a key.
        let key = TokenHash::of(&SecretString::from(format!(
            "{}\n{audience}\n{}",
            subject.access_token().expose_secret(),
            scope.unwrap_or("")
        )));
        let cached = self.exchanged.get(&key);
        if self.exchanged.is_enabled() {
            crate::telemetry::record::exchange_cache(cached.is_some());
        }
        if let Some(issued) = cached {
            return Ok(issued);
        }
        let mut form = vec![
            ("grant_type", GRANT_TOKEN_EXCHANGE),
            ("subject_token", subject.access_token().expose_secret()),
            ("subject_token_type", TOKEN_TYPE_ACCESS_TOKEN),
            ("requested_token_type", TOKEN_TYPE_ACCESS_TOKEN),
            ("audience", audience),
        ];
        if let Some(scope) = scope {
            form.push(("scope", scope));
        }
        let reply: TokenReply = self
            .token_request(IdpOperation::TokenExchange, &form)
            .await?;
        let issued = IssuedToken {
            access_token: reply.access_token,
            issued_token_type: reply.issued_token_type,
            token_type: reply.token_type.unwrap_or_else(|| "Bearer".into()),
            expires_in: reply.expires_in,
            scope: reply.scope,
        };
        // Never reused past the issued token's own expiry (less a margin for
        // the call still to be made); without a stated expiry, never cached.
        if let Some(expires_in) = issued.expires_in {
            let life = Duration::from_secs(expires_in.saturating_sub(EXCHANGE_EXPIRY_MARGIN_SECS));
            self.exchanged.insert(key, issued.clone(), Some(life));
        }
        Ok(issued)
    }

    async fn refresh(&self, refresh_token: &SecretString) -> Result<TokenSet, IdpError> {
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose_secret()),
        ];
        let reply: TokenReply = self.token_request(IdpOperation::Refresh, &form).await?;
        Ok(reply.into_token_set())
    }

    async fn authorization_url(&self, request: &AuthorizationRequest) -> Result<Url, IdpError> {
        let doc = self.document().await?;
        let mut url = doc.authorization_endpoint.clone();
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.credentials.client_id)
            .append_pair("redirect_uri", request.redirect_uri.as_str())
            .append_pair("scope", &request.scopes.join(" "))
            .append_pair("state", &request.state)
            .append_pair("code_challenge", &request.pkce_challenge)
            .append_pair("code_challenge_method", "S256");
        // OpenID Connect Core 11: without prompt=consent a strict provider
        // ignores offline_access and returns no refresh token.
        if request.scopes.iter().any(|s| s == "offline_access") {
            url.query_pairs_mut().append_pair("prompt", "consent");
        }
        Ok(url)
    }

    async fn redeem_code(
        &self,
        code: &SecretString,
        pkce_verifier: &SecretString,
        redirect_uri: &Url,
    ) -> Result<TokenSet, IdpError> {
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code.expose_secret()),
            ("redirect_uri", redirect_uri.as_str()),
            ("code_verifier", pkce_verifier.expose_secret()),
        ];
        let reply: TokenReply = self
            .token_request(IdpOperation::CodeRedemption, &form)
            .await?;
        Ok(reply.into_token_set())
    }

    async fn revoke(&self, token: &SecretString, hint: TokenTypeHint) -> Result<(), IdpError> {
        let operation = IdpOperation::Revocation;
        let doc = self.document().await?;
        let Some(endpoint) = doc.revocation_endpoint.as_ref() else {
            return Err(IdpError::NotSupported {
                operation,
                detail: "the discovery document lists no revocation_endpoint".into(),
            });
        };
        let hint = match hint {
            TokenTypeHint::AccessToken => "access_token",
            TokenTypeHint::RefreshToken => "refresh_token",
        };
        let form = [("token", token.expose_secret()), ("token_type_hint", hint)];
        let resp = self
            .http
            .send_form(
                endpoint,
                &self.credentials,
                self.auth_method(&doc),
                &form,
                operation,
            )
            .await?;
        if resp.status().is_success() {
            return Ok(());
        }
        tracing::debug!(endpoint = %url_without_query(endpoint), status = resp.status().as_u16(), "revocation refused");
        Err(error_reply(resp, operation, endpoint).await)
    }

    async fn metadata(&self) -> Result<IdpMetadata, IdpError> {
        Ok(self.document().await?.metadata())
    }

    async fn check_reachable(&self) -> Result<(), IdpError> {
        self.discovery.probe().await
    }
}
