//! Progressive consent (offline access): starting it, the callback, status
//! and revocation. This is the only place besides background jobs that
//! touches stored grants, and it hands no token to its callers.

use std::sync::Arc;

use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use url::Url;

use crate::domain::audit::{AuditEvent, AuditKind};
use crate::domain::consent::{ConsentRefusal, PendingConsent, open_callback};
use crate::domain::principal::Principal;
use crate::ports::consent::{ConsentError, ConsentLink, ConsentService, ProvisioningStatus};
use crate::ports::identity::{AuthorizationRequest, IdentityProvider, TokenTypeHint};
use crate::ports::index::SearchIndex;
use crate::ports::store::{RefreshGrant, StoreError, TokenStore};
use crate::service::audit;
use crate::service::clock::now;

/// How long a consent link stays usable.
const STATE_TTL_SECS: i64 = 600;

/// 32 random bytes, base64url: used for `state` and the PKCE verifier.
fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    URL_SAFE_NO_PAD.encode(bytes)
}

/// RFC 7636 S256: base64url(sha256(verifier)).
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// The `sub` of an ID token received straight from the token endpoint. OIDC
/// Core 3.1.3.7 lets a client rely on TLS to the token endpoint instead of
/// the signature for such a token; it is only compared, never trusted alone.
fn id_token_subject(id_token: &SecretString) -> Option<String> {
    let payload = id_token.expose_secret().split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    claims.get("sub")?.as_str().map(str::to_string)
}

pub struct ConsentManager {
    store: Arc<dyn TokenStore>,
    identity: Arc<dyn IdentityProvider>,
    /// Names the IdP in stored rows (its issuer).
    provider: String,
    redirect_uri: Url,
    scopes: Vec<String>,
    /// The search index, whose rows of a user go when they revoke.
    index: Option<Arc<dyn SearchIndex>>,
}

impl ConsentManager {
    pub fn new(
        store: Arc<dyn TokenStore>,
        identity: Arc<dyn IdentityProvider>,
        provider: String,
        redirect_uri: Url,
    ) -> Self {
        Self {
            store,
            identity,
            provider,
            redirect_uri,
            scopes: vec!["openid".into(), "offline_access".into()],
            index: None,
        }
    }

    /// Revocation also removes the user's documents from `index`.
    pub fn forgetting_in(mut self, index: Arc<dyn SearchIndex>) -> Self {
        self.index = Some(index);
        self
    }

    async fn audit(&self, event: AuditEvent) {
        audit::record(&*self.store, &event).await;
    }
}

fn store_error(error: StoreError) -> ConsentError {
    ConsentError::Store(error.to_string())
}

fn with_client(event: AuditEvent, caller: &Principal) -> AuditEvent {
    match caller.client_id() {
        Some(client) => event.with_client(client),
        None => event,
    }
}

#[async_trait]
impl ConsentService for ConsentManager {
    async fn begin(&self, caller: &Principal) -> Result<ConsentLink, ConsentError> {
        let state = random_token();
        let verifier = random_token();
        let expires_at = now().plus_secs(STATE_TTL_SECS);
        let request = AuthorizationRequest {
            state: state.clone(),
            pkce_challenge: pkce_challenge(&verifier),
            scopes: self.scopes.clone(),
            redirect_uri: self.redirect_uri.clone(),
        };
        let authorization_url = self
            .identity
            .authorization_url(&request)
            .await
            .map_err(|e| ConsentError::Idp(e.to_string()))?;
        let pending = PendingConsent {
            subject: caller.subject().to_string(),
            provider: self.provider.clone(),
            state,
            pkce_verifier: SecretString::from(verifier),
            scopes: self.scopes.clone(),
            expires_at,
            client_id: caller.client_id().map(str::to_string),
        };
        self.store
            .save_pending(&pending)
            .await
            .map_err(store_error)?;
        self.audit(with_client(
            AuditEvent::success(AuditKind::ConsentStarted, caller.subject(), now()),
            caller,
        ))
        .await;
        Ok(ConsentLink {
            authorization_url,
            expires_at,
        })
    }

    async fn status(&self, caller: &Principal) -> Result<ProvisioningStatus, ConsentError> {
        let provisioned = self.store.list_provisioned().await.map_err(store_error)?;
        Ok(provisioned
            .into_iter()
            .find(|p| p.subject == caller.subject() && p.provider == self.provider)
            .map(|p| match p.needs_consent_since {
                None => ProvisioningStatus::Provisioned {
                    scopes: p.scopes,
                    granted_at: p.granted_at,
                },
                Some(since) => ProvisioningStatus::NeedsConsent {
                    scopes: p.scopes,
                    granted_at: p.granted_at,
                    since,
                },
            })
            .unwrap_or(ProvisioningStatus::NotProvisioned))
    }

    async fn revoke(&self, caller: &Principal) -> Result<(), ConsentError> {
        let subject = caller.subject();
        let grant = self
            .store
            .get_grant(subject, &self.provider)
            .await
            .map_err(store_error)?
            .ok_or(ConsentError::NotProvisioned)?;
        let revoked = self
            .identity
            .revoke(&grant.refresh_token, TokenTypeHint::RefreshToken)
            .await;
        // The local copy goes whatever the IdP said: the user asked for it gone.
        self.store
            .delete_grant(subject, &self.provider)
            .await
            .map_err(store_error)?;
        // So does what background work kept of their Nextcloud.
        if let Some(index) = &self.index {
            index.purge_owner(subject).await.map_err(store_error)?;
        }
        let event = match &revoked {
            Ok(()) => AuditEvent::success(AuditKind::Revoked, subject, now()),
            Err(e) => AuditEvent::failure(
                AuditKind::Revoked,
                subject,
                now(),
                format!("deleted here; IdP revocation failed: {e}"),
            ),
        };
        self.audit(with_client(event, caller)).await;
        revoked.map_err(|e| {
            ConsentError::Idp(format!(
                "the stored grant was deleted, but revoking it at the identity provider failed: {e}"
            ))
        })
    }

    async fn complete(&self, code: &SecretString, state: &str) -> Result<String, ConsentError> {
        let now = now();
        let taken = self.store.take_pending(state).await.map_err(store_error)?;
        // Checked before the code is spent, so an unknown, foreign or expired
        // link never reaches the identity provider.
        let pending = open_callback(taken, &self.provider, state, now)?;
        let tokens = self
            .identity
            .redeem_code(code, &pending.pkce_verifier, &self.redirect_uri)
            .await
            .map_err(|e| ConsentError::Idp(e.to_string()))?;
        let granted_to = tokens
            .id_token
            .as_ref()
            .and_then(id_token_subject)
            .ok_or(ConsentError::NoIdToken)?;
        let refresh_token = tokens.refresh_token.ok_or(ConsentError::NoRefreshToken)?;
        let started_by = pending.subject.clone();
        let client_id = pending.client_id.clone();
        let redeemed = match pending.redeem(&granted_to, &self.provider, state, now) {
            Ok(redeemed) => redeemed,
            Err(refusal) => {
                // Someone else logged in at the IdP: keep nothing and tell the IdP so.
                let _ = self
                    .identity
                    .revoke(&refresh_token, TokenTypeHint::RefreshToken)
                    .await;
                if refusal == ConsentRefusal::WrongSubject {
                    self.audit(AuditEvent::failure(
                        AuditKind::Provisioned,
                        &started_by,
                        now,
                        "the consent was completed by a different user",
                    ))
                    .await;
                }
                return Err(refusal.into());
            }
        };
        let scopes = tokens
            .scope
            .map(|s| s.split_whitespace().map(str::to_string).collect())
            .unwrap_or(redeemed.requested_scopes);
        let grant = RefreshGrant {
            subject: redeemed.subject.clone(),
            provider: redeemed.provider,
            refresh_token,
            scopes,
            granted_at: now,
        };
        self.store.put_grant(&grant).await.map_err(store_error)?;
        let event = AuditEvent::success(AuditKind::Provisioned, &redeemed.subject, now);
        self.audit(match client_id {
            Some(client) => event.with_client(client),
            None => event,
        })
        .await;
        Ok(redeemed.subject)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::time::UnixTime;
    use crate::ports::identity::{MockIdentityProvider, TokenSet};
    use crate::ports::store::MockTokenStore;

    #[test]
    fn pkce_s256_matches_rfc_7636_appendix_b() {
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn random_tokens_are_long_and_distinct() {
        let a = random_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, random_token());
    }

    #[test]
    fn id_token_subject_reads_sub() {
        let payload = URL_SAFE_NO_PAD.encode(br#"{"sub":"u-1","aud":"x"}"#);
        let token = SecretString::from(format!("e30.{payload}.sig"));
        assert_eq!(id_token_subject(&token).as_deref(), Some("u-1"));
        assert_eq!(id_token_subject(&SecretString::from("garbage")), None);
    }

    const ISSUER: &str = "https://idp.example/realms/r";

    fn manager(store: MockTokenStore, identity: MockIdentityProvider) -> ConsentManager {
        ConsentManager::new(
            Arc::new(store),
            Arc::new(identity),
            ISSUER.into(),
            Url::parse("https://mcp.example/oauth/callback").unwrap(),
        )
    }

    fn pending_of(subject: &str, expires_at: UnixTime) -> PendingConsent {
        PendingConsent {
            subject: subject.into(),
            provider: ISSUER.into(),
            state: "s-1".into(),
            pkce_verifier: SecretString::from("verifier"),
            scopes: vec!["openid".into(), "offline_access".into()],
            expires_at,
            client_id: Some("desktop".into()),
        }
    }

    #[tokio::test]
    async fn a_person_whose_link_expired_is_told_so() {
        let mut store = MockTokenStore::new();
        store
            .expect_take_pending()
            .returning(|_| Ok(Some(pending_of("alice", UnixTime(1)))));
        // No code exchange and nothing stored: the identity provider and the
        // grant table are never asked.
        let identity = MockIdentityProvider::new();
        let refused = manager(store, identity)
            .complete(&SecretString::from("code"), "s-1")
            .await
            .unwrap_err();
        assert_eq!(refused, ConsentError::Refused(ConsentRefusal::Expired));
        assert!(refused.to_string().contains("expired"), "{refused}");
    }

    #[tokio::test]
    async fn the_subject_that_signed_in_is_compared_with_the_one_that_started() {
        let mut store = MockTokenStore::new();
        store
            .expect_take_pending()
            .returning(|_| Ok(Some(pending_of("alice", now().plus_secs(600)))));
        store.expect_append_audit().returning(|_| Ok(()));
        let mut identity = MockIdentityProvider::new();
        identity.expect_redeem_code().returning(|_, _, _| {
            let payload = URL_SAFE_NO_PAD.encode(br#"{"sub":"mallory"}"#);
            Ok(TokenSet {
                access_token: SecretString::from("at"),
                refresh_token: Some(SecretString::from("rt")),
                id_token: Some(SecretString::from(format!("e30.{payload}.sig"))),
                token_type: "Bearer".into(),
                expires_in: None,
                refresh_expires_in: None,
                scope: None,
            })
        });
        identity.expect_revoke().times(1).returning(|_, _| Ok(()));
        let refused = manager(store, identity)
            .complete(&SecretString::from("code"), "s-1")
            .await
            .unwrap_err();
        assert_eq!(refused, ConsentError::Refused(ConsentRefusal::WrongSubject));
    }

    fn tokens_for(subject: &str, scope: Option<&str>) -> TokenSet {
        let payload = URL_SAFE_NO_PAD.encode(format!(r#"{{"sub":"{subject}"}}"#));
        TokenSet {
            access_token: SecretString::from("at"),
            refresh_token: Some(SecretString::from("rt")),
            id_token: Some(SecretString::from(format!("e30.{payload}.sig"))),
            token_type: "Bearer".into(),
            expires_in: None,
            refresh_expires_in: None,
            scope: scope.map(str::to_string),
        }
    }

    #[tokio::test]
    async fn the_grant_keeps_the_granted_scopes_and_the_audit_names_the_client() {
        let mut store = MockTokenStore::new();
        store
            .expect_take_pending()
            .returning(|_| Ok(Some(pending_of("alice", now().plus_secs(600)))));
        // The provider granted less than was asked (no profile) and more
        // (notes): what it granted is what is stored.
        store
            .expect_put_grant()
            .withf(|g| g.scopes == ["openid", "offline_access", "notes:read"])
            .times(1)
            .returning(|_| Ok(()));
        store
            .expect_append_audit()
            .withf(|e| {
                e.kind == AuditKind::Provisioned && e.client_id.as_deref() == Some("desktop")
            })
            .times(1)
            .returning(|_| Ok(()));
        let mut identity = MockIdentityProvider::new();
        identity.expect_redeem_code().returning(|_, _, _| {
            Ok(tokens_for(
                "alice",
                Some("openid offline_access notes:read"),
            ))
        });
        let subject = manager(store, identity)
            .complete(&SecretString::from("code"), "s-1")
            .await
            .unwrap();
        assert_eq!(subject, "alice");
    }
}
