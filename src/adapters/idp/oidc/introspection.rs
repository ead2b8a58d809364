//! RFC 7662 introspection of opaque access tokens: cached by token hash,
//! refusals cached too, and never-seen tokens bounded by a budget.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::OidcProvider;
use crate::adapters::idp::MAX_ACCESS_TOKEN_BYTES;
use crate::adapters::idp::cache::TokenHash;
use crate::adapters::idp::http::{error_reply, read_json, sanitize};
use crate::adapters::idp::jwt::RawClaims;
use crate::adapters::idp::tokens::now_secs;
use crate::domain::principal::{Principal, VerifiedClaims};
use crate::ports::identity::{AuthError, IdpOperation};

impl OidcProvider {
    /// RFC 7662 introspection, cached by token hash for a short time; a
    /// refusal is cached too.
    pub async fn introspect(&self, token: &SecretString) -> Result<Principal, AuthError> {
        if token.expose_secret().len() > MAX_ACCESS_TOKEN_BYTES {
            return Err(AuthError::Malformed);
        }
        let key = TokenHash::of(token);
        if let Some(claims) = self.introspected.get(&key) {
            return Ok(Principal::new(claims, token.clone()));
        }
        if let Some(refusal) = self.refused.get(&key) {
            return Err(refusal);
        }
        if !self
            .introspection_budget
            .try_take(std::time::Instant::now())
        {
            return Err(AuthError::Throttled);
        }
        match self.introspect_uncached(token).await {
            Ok((claims, remaining)) => {
                self.introspected.insert(key, claims.clone(), remaining);
                Ok(Principal::new(claims, token.clone()))
            }
            Err(error) if error.is_unavailable() => Err(error),
            Err(error) => {
                self.refused.insert(key, error.clone(), None);
                Err(error)
            }
        }
    }

    async fn introspect_uncached(
        &self,
        token: &SecretString,
    ) -> Result<(VerifiedClaims, Option<Duration>), AuthError> {
        let operation = IdpOperation::Introspection;
        let doc = self.document_for_auth().await?;
        let Some(endpoint) = doc.introspection_endpoint.as_ref() else {
            return Err(AuthError::Unavailable(
                "the identity provider offers no introspection endpoint".into(),
            ));
        };
        if !self.has_client_secret() {
            return Err(AuthError::Unavailable(
                "introspection needs this server's client secret, which is not configured".into(),
            ));
        }
        let form = [
            ("token", token.expose_secret()),
            ("token_type_hint", "access_token"),
        ];
        let resp = self
            .http
            .send_form(
                endpoint,
                &self.credentials,
                self.auth_method(&doc),
                &form,
                operation,
            )
            .await
            .map_err(|e| AuthError::Unavailable(e.to_string()))?;
        let status = resp.status();
        if refuses_the_token(status) {
            // The IdP found the request (that is, the token) unacceptable:
            // the caller's problem, not an outage.
            tracing::info!(
                status = status.as_u16(),
                "introspection refused the token; answering invalid_token"
            );
            return Err(AuthError::Inactive);
        }
        if !status.is_success() {
            let error = error_reply(resp, operation, endpoint).await;
            return Err(AuthError::Unavailable(error.to_string()));
        }
        let reply: IntrospectionReply = read_json(resp, operation)
            .await
            .map_err(|e| AuthError::Unavailable(e.to_string()))?;
        if !reply.active {
            return Err(AuthError::Inactive);
        }
        let issuer = self.issuer_of(&doc);
        if let Some(iss) = reply.claims.iss.as_deref()
            && iss != issuer
        {
            return Err(AuthError::WrongIssuer {
                expected: issuer,
                found: sanitize(iss, 200),
            });
        }
        if !reply.claims.aud.iter().any(|a| self.audiences.contains(a)) {
            return Err(AuthError::WrongAudience {
                expected: self.audiences.clone(),
            });
        }
        let now = now_secs();
        if reply
            .claims
            .exp
            .is_some_and(|e| (e as u64) + self.leeway_secs <= now)
        {
            return Err(AuthError::Expired);
        }
        reply.claims.check_is_access_token()?;
        let claims = reply.claims.into_verified(&issuer)?;
        let remaining = claims
            .expires_at
            .map(|e| Duration::from_secs(e.saturating_sub(now)));
        Ok((claims, remaining))
    }
}

/// A 4xx from introspection says the token was unacceptable, except 401 and
/// 403 (this server's client credentials were refused: a configuration
/// fault) and 429 (the IdP is shedding load).
fn refuses_the_token(status: reqwest::StatusCode) -> bool {
    status.is_client_error() && !matches!(status.as_u16(), 401 | 403 | 429)
}

#[derive(Deserialize)]
struct IntrospectionReply {
    #[serde(default)]
    active: bool,
    #[serde(flatten)]
    claims: RawClaims,
}
