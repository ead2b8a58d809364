//! The identity provider: verifies callers' tokens and talks OAuth to the IdP
//! (token exchange, refresh, authorization code with PKCE, revocation).
//!
//! No error here ever carries a token, code, secret or PKCE verifier: messages
//! are built from OAuth error codes, the IdP's (sanitised) description and
//! non-secret facts such as issuer URLs.

use async_trait::async_trait;
use secrecy::SecretString;
use url::Url;

use crate::domain::principal::Principal;

/// Why a presented access token was not accepted. Everything but
/// `Unavailable` means "401, get a new token".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("the access token is not a well-formed token this server can read")]
    Malformed,
    #[error("the access token has expired; get a new one from the identity provider")]
    Expired,
    #[error(
        "the access token is not valid yet; check the clocks of this server and the identity provider"
    )]
    NotYetValid,
    #[error(
        "the access token was issued by {found}, not by the configured identity provider {expected}"
    )]
    WrongIssuer { expected: String, found: String },
    #[error(
        "the access token is meant for another service: its audience must name {}; \
         ask the identity provider for a token for this server (an audience mapper or the `resource` parameter)",
        .expected.join(" or ")
    )]
    WrongAudience { expected: Vec<String> },
    #[error(
        "the access token is signed with {0}, which this server does not accept (allowed: RS*, PS*, ES256, ES384, EdDSA)"
    )]
    DisallowedAlgorithm(String),
    #[error(
        "the access token is signed with a key the identity provider does not publish (kid {0:?})"
    )]
    UnknownKey(Option<String>),
    #[error("the access token's signature does not verify")]
    BadSignature,
    #[error("this is not an access token (an ID or refresh token?); send the access token")]
    NotAnAccessToken,
    #[error("the access token lacks the {0} claim")]
    MissingClaim(String),
    #[error(
        "the identity provider says the access token is not active (revoked, expired or unknown)"
    )]
    Inactive,
    #[error("the identity provider could not be asked about the token ({0}); try again later")]
    Unavailable(String),
    /// Too many tokens never seen before are being checked right now; the
    /// provider was not asked. Not an outage: the caller retries shortly.
    #[error("too many new access tokens are being checked right now; try again in a second")]
    Throttled,
}

impl AuthError {
    /// True when the failure is on the server's side (answer 503, not 401).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, AuthError::Unavailable(_))
    }
}

/// Which OAuth operation failed, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdpOperation {
    Discovery,
    TokenExchange,
    Refresh,
    CodeRedemption,
    Revocation,
    Introspection,
}

impl std::fmt::Display for IdpOperation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            IdpOperation::Discovery => "discovery",
            IdpOperation::TokenExchange => "token exchange",
            IdpOperation::Refresh => "token refresh",
            IdpOperation::CodeRedemption => "authorization code redemption",
            IdpOperation::Revocation => "token revocation",
            IdpOperation::Introspection => "token introspection",
        })
    }
}

/// The standard OAuth error codes (RFC 6749 5.2, RFC 8693 2.2.2, RFC 7009).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OAuthErrorCode {
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    UnauthorizedClient,
    UnsupportedGrantType,
    InvalidScope,
    InvalidTarget,
    AccessDenied,
    UnsupportedTokenType,
    TemporarilyUnavailable,
    ServerError,
    /// Any other code, as sent (codes are short ASCII words, never secrets).
    Other(String),
}

impl OAuthErrorCode {
    pub fn parse(code: &str) -> Self {
        match code {
            "invalid_request" => Self::InvalidRequest,
            "invalid_client" => Self::InvalidClient,
            "invalid_grant" => Self::InvalidGrant,
            "unauthorized_client" => Self::UnauthorizedClient,
            "unsupported_grant_type" => Self::UnsupportedGrantType,
            "invalid_scope" => Self::InvalidScope,
            "invalid_target" => Self::InvalidTarget,
            "access_denied" => Self::AccessDenied,
            "unsupported_token_type" => Self::UnsupportedTokenType,
            "temporarily_unavailable" => Self::TemporarilyUnavailable,
            "server_error" => Self::ServerError,
            other => Self::Other(other.chars().take(64).collect()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::InvalidScope => "invalid_scope",
            Self::InvalidTarget => "invalid_target",
            Self::AccessDenied => "access_denied",
            Self::UnsupportedTokenType => "unsupported_token_type",
            Self::TemporarilyUnavailable => "temporarily_unavailable",
            Self::ServerError => "server_error",
            Self::Other(code) => code,
        }
    }

    /// What a person can do about it.
    pub fn advice(&self) -> &'static str {
        match self {
            Self::InvalidRequest => {
                "the request was malformed, the subject token is invalid, or the requested audience is not available to this server's client; check the audience and the client's settings in the identity provider"
            }
            Self::InvalidClient => {
                "the identity provider did not accept this server's client (wrong client id or secret, a public client, or an unknown target audience); check the configured client credentials and that the audience client exists"
            }
            Self::InvalidGrant => {
                "the code, refresh token or subject token is invalid, expired, revoked or already used; sign in again"
            }
            Self::UnauthorizedClient => {
                "this server's client is not allowed to use this grant; enable it for the client in the identity provider (e.g. standard token exchange)"
            }
            Self::UnsupportedGrantType => {
                "the identity provider does not support this grant type; token exchange may be disabled there"
            }
            Self::InvalidScope => {
                "a requested scope is unknown or not allowed for this client; request fewer scopes or allow them in the identity provider"
            }
            Self::InvalidTarget => {
                "the requested audience or resource is not known to the identity provider or not allowed for this client"
            }
            Self::AccessDenied => {
                "the identity provider denied the request: for token exchange, the caller's token must name this server's client in its audience and the client must be allowed to reach the target audience"
            }
            Self::UnsupportedTokenType => "the identity provider cannot handle this token type",
            Self::TemporarilyUnavailable | Self::ServerError => {
                "the identity provider had a problem; try again later"
            }
            Self::Other(_) => "see the identity provider's documentation for this error code",
        }
    }
}

/// A failed call to the identity provider.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdpError {
    /// The IdP answered with an OAuth error.
    #[error("{operation} was refused by the identity provider ({}): {}{}", .code.as_str(), .code.advice(), description_suffix(.description))]
    Rejected {
        operation: IdpOperation,
        code: OAuthErrorCode,
        /// The IdP's `error_description`, shortened and with anything that
        /// looks like a token removed.
        description: Option<String>,
    },
    /// The IdP could not be reached or did not answer in time.
    #[error("{operation} failed: the identity provider is unavailable ({detail}); try again later")]
    Unavailable {
        operation: IdpOperation,
        detail: String,
    },
    /// The IdP answered something that is not OAuth.
    #[error(
        "{operation} failed: the identity provider sent a reply this server could not understand ({detail})"
    )]
    Protocol {
        operation: IdpOperation,
        detail: String,
    },
    /// The IdP does not offer the operation (e.g. no revocation endpoint).
    #[error("{operation} is not offered by this identity provider: {detail}")]
    NotSupported {
        operation: IdpOperation,
        detail: String,
    },
    /// This server's configuration cannot do the operation.
    #[error("{operation} cannot be done with this server's configuration: {detail}")]
    Misconfigured {
        operation: IdpOperation,
        detail: String,
    },
}

fn description_suffix(description: &Option<String>) -> String {
    description
        .as_deref()
        .map(|d| format!(" (identity provider said: {d})"))
        .unwrap_or_default()
}

/// Tokens from the token endpoint (code redemption, refresh).
#[derive(Clone, Debug)]
pub struct TokenSet {
    pub access_token: SecretString,
    /// Present when the IdP issued or rotated one: store the new one.
    pub refresh_token: Option<SecretString>,
    pub id_token: Option<SecretString>,
    pub token_type: String,
    pub expires_in: Option<u64>,
    pub refresh_expires_in: Option<u64>,
    pub scope: Option<String>,
}

/// The result of an RFC 8693 token exchange.
#[derive(Clone, Debug)]
pub struct IssuedToken {
    pub access_token: SecretString,
    pub issued_token_type: Option<String>,
    pub token_type: String,
    pub expires_in: Option<u64>,
    pub scope: Option<String>,
}

/// Which `token_type_hint` to send with a revocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenTypeHint {
    AccessToken,
    RefreshToken,
}

/// What the IdP's discovery says, for RFC 9728 `authorization_servers` and
/// for building authorization URLs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdpMetadata {
    pub issuer: String,
    pub authorization_endpoint: Url,
    pub token_endpoint: Url,
    pub jwks_uri: Option<Url>,
    pub userinfo_endpoint: Option<Url>,
    pub revocation_endpoint: Option<Url>,
    pub introspection_endpoint: Option<Url>,
    pub scopes_supported: Vec<String>,
    pub grant_types_supported: Vec<String>,
    pub code_challenge_methods_supported: Vec<String>,
}

/// Everything needed to send a user to the IdP's login (authorization code
/// with PKCE S256). `state` and the challenge are not secrets; the verifier
/// is, and it never goes into a URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthorizationRequest {
    pub state: String,
    pub pkce_challenge: String,
    pub scopes: Vec<String>,
    pub redirect_uri: Url,
}

#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait IdentityProvider: Send + Sync {
    /// Verifies a bearer token and returns the caller it names.
    async fn verify_access_token(&self, token: &SecretString) -> Result<Principal, AuthError>;

    /// RFC 8693: exchanges the caller's token for one meant for `audience`.
    async fn exchange_token<'a>(
        &self,
        subject: &Principal,
        audience: &str,
        scope: Option<&'a str>,
    ) -> Result<IssuedToken, IdpError>;

    /// Refresh grant. The result may carry a rotated refresh token.
    async fn refresh(&self, refresh_token: &SecretString) -> Result<TokenSet, IdpError>;

    /// The URL to send the user to for login and consent.
    async fn authorization_url(&self, request: &AuthorizationRequest) -> Result<Url, IdpError>;

    /// Redeems an authorization code with its PKCE verifier.
    async fn redeem_code(
        &self,
        code: &SecretString,
        pkce_verifier: &SecretString,
        redirect_uri: &Url,
    ) -> Result<TokenSet, IdpError>;

    /// RFC 7009 revocation.
    async fn revoke(&self, token: &SecretString, hint: TokenTypeHint) -> Result<(), IdpError>;

    /// The IdP's discovery metadata (cached by the adapter).
    async fn metadata(&self) -> Result<IdpMetadata, IdpError>;

    /// Whether the IdP answers now, for readiness: adapters that cache the
    /// discovery document ask the IdP again rather than the cache, or an
    /// outage after start would never show.
    async fn check_reachable(&self) -> Result<(), IdpError> {
        self.metadata().await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejected_errors_explain_the_code_and_keep_the_description() {
        let err = IdpError::Rejected {
            operation: IdpOperation::TokenExchange,
            code: OAuthErrorCode::parse("access_denied"),
            description: Some("Client is not within the token audience".into()),
        };
        let text = err.to_string();
        assert!(text.starts_with("token exchange was refused"), "{text}");
        assert!(text.contains("access_denied"));
        assert!(text.contains("audience"));
        assert!(text.contains("Client is not within the token audience"));
    }

    #[test]
    fn unknown_codes_are_kept_short() {
        let code = OAuthErrorCode::parse(&"x".repeat(500));
        assert_eq!(code.as_str().len(), 64);
        assert_eq!(
            OAuthErrorCode::parse("invalid_scope"),
            OAuthErrorCode::InvalidScope
        );
    }

    #[test]
    fn only_unavailable_is_a_server_side_auth_failure() {
        assert!(AuthError::Unavailable("timeout".into()).is_unavailable());
        assert!(!AuthError::Expired.is_unavailable());
        let wrong = AuthError::WrongAudience {
            expected: vec!["a".into(), "b".into()],
        };
        assert!(wrong.to_string().contains("a or b"));
    }
}
