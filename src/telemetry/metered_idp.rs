//! Counts identity-provider calls by kind and outcome, around whichever
//! provider the settings chose, so no provider adapter has to.

use std::sync::Arc;

use async_trait::async_trait;
use secrecy::SecretString;
use url::Url;

use super::record::idp_call;
use crate::domain::principal::Principal;
use crate::ports::identity::{
    AuthError, AuthorizationRequest, IdentityProvider, IdpError, IdpMetadata, IssuedToken,
    TokenSet, TokenTypeHint,
};

pub struct MeteredIdentityProvider(pub Arc<dyn IdentityProvider>);

fn counted<T, E>(kind: &'static str, result: Result<T, E>) -> Result<T, E> {
    idp_call(kind, result.is_ok());
    result
}

#[async_trait]
impl IdentityProvider for MeteredIdentityProvider {
    /// Token checks (JWKS signatures or introspection, as the provider does).
    async fn verify_access_token(&self, token: &SecretString) -> Result<Principal, AuthError> {
        counted("verify", self.0.verify_access_token(token).await)
    }

    async fn exchange_token<'a>(
        &self,
        subject: &Principal,
        audience: &str,
        scope: Option<&'a str>,
    ) -> Result<IssuedToken, IdpError> {
        counted(
            "exchange",
            self.0.exchange_token(subject, audience, scope).await,
        )
    }

    async fn refresh(&self, refresh_token: &SecretString) -> Result<TokenSet, IdpError> {
        counted("refresh", self.0.refresh(refresh_token).await)
    }

    async fn authorization_url(&self, request: &AuthorizationRequest) -> Result<Url, IdpError> {
        // Built locally from cached metadata: not an IdP call.
        self.0.authorization_url(request).await
    }

    async fn redeem_code(
        &self,
        code: &SecretString,
        pkce_verifier: &SecretString,
        redirect_uri: &Url,
    ) -> Result<TokenSet, IdpError> {
        counted(
            "code",
            self.0.redeem_code(code, pkce_verifier, redirect_uri).await,
        )
    }

    async fn revoke(&self, token: &SecretString, hint: TokenTypeHint) -> Result<(), IdpError> {
        counted("revocation", self.0.revoke(token, hint).await)
    }

    async fn metadata(&self) -> Result<IdpMetadata, IdpError> {
        counted("discovery", self.0.metadata().await)
    }

    async fn check_reachable(&self) -> Result<(), IdpError> {
        counted("discovery", self.0.check_reachable().await)
    }
}
