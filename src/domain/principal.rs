//! The validated caller of one request.
//!
//! A `Principal` exists only after an identity-provider adapter has verified an
//! access token (signature, issuer, expiry, audience, or the IdP's own
//! introspection). Its constructor is crate-private so that nothing outside
//! the adapters can claim a caller into existence.

use std::fmt;

use secrecy::SecretString;

use super::scopes::ScopeSet;

/// The claims an adapter has verified, before they become a `Principal`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VerifiedClaims {
    /// `sub`: stable id of the user at the issuer (Keycloak: a UUID).
    pub subject: String,
    /// `iss`: the issuer that vouched for the token.
    pub issuer: String,
    /// `aud`: every audience the token names.
    pub audiences: Vec<String>,
    /// The raw OAuth scopes, as granted (`scope` claim, space-separated there).
    pub scopes: Vec<String>,
    /// `exp` in unix seconds, when known (userinfo validation does not say).
    pub expires_at: Option<u64>,
    /// `azp` or `client_id`: the OAuth client the token was issued to.
    pub client_id: Option<String>,
    /// `preferred_username` (or `username` from introspection): the login name.
    pub preferred_username: Option<String>,
    /// `email`, when the token carries it (login-flow's ownership rule may
    /// compare it with the Nextcloud login name).
    pub email: Option<String>,
}

/// A verified caller, and the access token it presented.
#[derive(Clone)]
pub struct Principal {
    claims: VerifiedClaims,
    soft_scopes: ScopeSet,
    access_token: SecretString,
}

impl Principal {
    /// Only identity-provider adapters call this, after verification.
    pub(crate) fn new(claims: VerifiedClaims, access_token: SecretString) -> Self {
        let soft_scopes = ScopeSet::from_names(claims.scopes.iter().map(String::as_str));
        Self {
            claims,
            soft_scopes,
            access_token,
        }
    }

    pub fn subject(&self) -> &str {
        &self.claims.subject
    }

    pub fn issuer(&self) -> &str {
        &self.claims.issuer
    }

    pub fn audiences(&self) -> &[String] {
        &self.claims.audiences
    }

    /// Every scope the token carries, including ones this server ignores.
    pub fn scopes(&self) -> &[String] {
        &self.claims.scopes
    }

    /// The soft scopes among them (`notes:read`...), for `ScopeCheck`.
    pub fn soft_scopes(&self) -> &ScopeSet {
        &self.soft_scopes
    }

    pub fn expires_at(&self) -> Option<u64> {
        self.claims.expires_at
    }

    pub fn client_id(&self) -> Option<&str> {
        self.claims.client_id.as_deref()
    }

    pub fn preferred_username(&self) -> Option<&str> {
        self.claims.preferred_username.as_deref()
    }

    pub fn email(&self) -> Option<&str> {
        self.claims.email.as_deref()
    }

    /// The token this caller presented: for pass-through and token exchange
    /// only. Never log it.
    pub fn access_token(&self) -> &SecretString {
        &self.access_token
    }

    /// Whether the token names `audience` in its `aud`.
    pub fn names_audience(&self, audience: &str) -> bool {
        self.claims.audiences.iter().any(|a| a == audience)
    }

    /// Whether the token has expired at `now` (unix seconds). Unknown expiry
    /// counts as not expired: the IdP vouched for the token when asked.
    pub fn is_expired_at(&self, now: u64) -> bool {
        self.claims.expires_at.is_some_and(|exp| exp <= now)
    }
}

impl fmt::Debug for Principal {
    // Hand-written: the access token must never appear, not even redacted
    // in a way that suggests its length.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Principal")
            .field("subject", &self.claims.subject)
            .field("issuer", &self.claims.issuer)
            .field("audiences", &self.claims.audiences)
            .field("scopes", &self.claims.scopes)
            .field("expires_at", &self.claims.expires_at)
            .field("client_id", &self.claims.client_id)
            .field("preferred_username", &self.claims.preferred_username)
            .field("email", &self.claims.email)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::scopes::Scope;

    fn alice() -> Principal {
        Principal::new(
            VerifiedClaims {
                subject: "0b6f-uuid".into(),
                issuer: "https://idp.example/realms/r".into(),
                audiences: vec![
                    "nextcloud-mcp-server".into(),
                    "https://mcp.example/mcp".into(),
                ],
                scopes: vec!["openid".into(), "notes:read".into()],
                expires_at: Some(1_000),
                client_id: Some("claude".into()),
                preferred_username: Some("alice".into()),
                email: None,
            },
            SecretString::from("eyJ.secret-token.sig"),
        )
    }

    #[test]
    fn audience_is_matched_exactly() {
        let p = alice();
        assert!(p.names_audience("nextcloud-mcp-server"));
        assert!(p.names_audience("https://mcp.example/mcp"));
        assert!(!p.names_audience("nextcloud"));
        assert!(!p.names_audience("https://mcp.example/mcp/"));
        assert!(!p.names_audience(""));
    }

    #[test]
    fn soft_scopes_are_derived_from_raw_scopes() {
        let p = alice();
        assert!(p.soft_scopes().contains(Scope::NotesRead));
        assert!(!p.soft_scopes().contains(Scope::NotesWrite));
        assert_eq!(p.scopes().len(), 2);
    }

    #[test]
    fn expiry() {
        let p = alice();
        assert!(!p.is_expired_at(999));
        assert!(p.is_expired_at(1_000));
    }

    #[test]
    fn debug_never_shows_the_token() {
        let shown = format!("{:?} {:#?}", alice(), alice());
        assert!(!shown.contains("secret-token"), "{shown}");
        assert!(shown.contains("alice"));
    }

    #[test]
    fn accessors() {
        let p = alice();
        assert_eq!(p.subject(), "0b6f-uuid");
        assert_eq!(p.issuer(), "https://idp.example/realms/r");
        assert_eq!(p.client_id(), Some("claude"));
        assert_eq!(p.preferred_username(), Some("alice"));
        assert_eq!(p.expires_at(), Some(1_000));
        use secrecy::ExposeSecret;
        assert_eq!(p.access_token().expose_secret(), "eyJ.secret-token.sig");
    }
}
