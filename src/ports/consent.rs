//! Progressive consent (offline access) as the MCP edge sees it.
//!
//! This is the only consent-related handle tool code gets, and no method here
//! yields a refresh token: tool calls cannot read the token store for a
//! credential, because the type they hold has no way to ask.
//!
//! ```compile_fail
//! # use nextcloud_mcp::ports::consent::ConsentService;
//! async fn tool_code(consent: &dyn ConsentService) {
//!     // There is no such method: only background jobs can open a grant.
//!     let _ = consent.get_grant("subject", "provider").await;
//! }
//! ```

use async_trait::async_trait;
use url::Url;

use crate::domain::consent::ConsentRefusal;
use crate::domain::principal::Principal;
use crate::domain::time::UnixTime;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConsentError {
    #[error("offline access is not provisioned for you; call provision_nextcloud_access first")]
    NotProvisioned,
    /// The link failed the domain's checks; the refusal says which and what to do.
    #[error(transparent)]
    Refused(#[from] ConsentRefusal),
    #[error("the identity provider refused: {0}")]
    Idp(String),
    #[error("the token store failed: {0}")]
    Store(String),
    #[error(
        "the identity provider returned no ID token; the consent request must include the openid scope"
    )]
    NoIdToken,
    #[error(
        "the identity provider did not return a refresh token; check that the client may request offline_access"
    )]
    NoRefreshToken,
    /// Login-flow mode: connecting the Nextcloud account failed; the text
    /// says why and what to do.
    #[error("{0}")]
    Account(String),
}

/// What `begin` hands back: the URL the user opens to grant offline access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentLink {
    pub authorization_url: Url,
    pub expires_at: UnixTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProvisioningStatus {
    NotProvisioned,
    Provisioned {
        scopes: Vec<String>,
        granted_at: UnixTime,
    },
    /// A grant is stored but the identity provider refused it (revoked or
    /// expired): offline access does not work until the user consents again.
    NeedsConsent {
        scopes: Vec<String>,
        granted_at: UnixTime,
        since: UnixTime,
    },
    /// Login-flow mode: the caller's Nextcloud account is connected.
    Connected {
        login_name: String,
        connected_at: UnixTime,
    },
    /// Login-flow mode: a flow was started; the user has not approved it yet.
    Pending {
        expires_at: UnixTime,
    },
    /// Login-flow mode: Nextcloud refused the stored app password (revoked
    /// in its security settings); the user must connect again.
    NeedsReconnect {
        login_name: String,
        since: UnixTime,
    },
    /// Login-flow mode: the last flow ended without a connection, and why.
    Refused {
        reason: String,
    },
}

#[async_trait]
pub trait ConsentService: Send + Sync {
    /// Starts granting offline access for the caller: a single-use state bound to them, a PKCE
    /// verifier kept server-side, and the authorization URL.
    async fn begin(&self, caller: &Principal) -> Result<ConsentLink, ConsentError>;
    async fn status(&self, caller: &Principal) -> Result<ProvisioningStatus, ConsentError>;
    /// Revokes at the IdP and deletes the stored grant.
    async fn revoke(&self, caller: &Principal) -> Result<(), ConsentError>;
    /// The callback: redeems `code` for the consent `state` started, checks the
    /// grant belongs to the subject that started it, stores it sealed.
    /// Returns the subject provisioned.
    async fn complete(
        &self,
        code: &secrecy::SecretString,
        state: &str,
    ) -> Result<String, ConsentError>;
}
