//! Identity-provider adapters: generic OIDC (discovery, JWKS, token endpoint),
//! Keycloak, and Nextcloud's `oidc` app. `connect` reads the IdP's discovery
//! document and picks the adapter, unless the configuration names one.

pub mod budget;
pub mod cache;
pub mod discovery;
pub mod http;
pub mod jwks;
pub mod jwt;
pub mod keycloak;
pub mod nextcloud_oidc;
pub mod oidc;
pub mod signatures;
mod tokens;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use url::Url;

pub use discovery::DiscoveryDocument;
pub use keycloak::KeycloakProvider;
pub use nextcloud_oidc::NextcloudOidcProvider;
pub use oidc::OidcProvider;

use crate::ports::identity::{IdentityProvider, IdpError};

/// The longest access token any IdP adapter looks at: far above real tokens
/// (a few KiB), far below what would make a junk bearer an expensive IdP call.
pub const MAX_ACCESS_TOKEN_BYTES: usize = 16 * 1024;

/// Which adapter to use. `Auto` decides from the discovery document.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum IdpKind {
    #[default]
    Auto,
    Generic,
    Keycloak,
    NextcloudOidc,
}

impl FromStr for IdpKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "auto" => Ok(Self::Auto),
            "oidc" | "generic" => Ok(Self::Generic),
            "keycloak" => Ok(Self::Keycloak),
            "nextcloud" | "nextcloud-oidc" | "nextcloud_oidc" => Ok(Self::NextcloudOidc),
            other => Err(format!(
                "unknown identity provider kind {other:?}; use auto, oidc, keycloak or nextcloud"
            )),
        }
    }
}

/// How Nextcloud's `oidc` app's opaque (non-JWT) tokens are validated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OpaqueTokenValidation {
    /// RFC 7662 introspection when the IdP lists it and this server has a
    /// client secret; otherwise opaque tokens are refused.
    #[default]
    Auto,
    /// RFC 7662 introspection (audience is checked).
    Introspection,
    /// The userinfo endpoint. It cannot tell whom a token was issued for, so
    /// any token of that Nextcloud is accepted: opt in only when every
    /// client registered there is trusted.
    Userinfo,
}

/// Everything the IdP adapters need; `app/config.rs` fills it.
#[derive(Clone)]
pub struct IdpConfig {
    /// The issuer URL or the full discovery URL.
    pub issuer_or_discovery_url: Url,
    /// The `iss` tokens must carry; defaults to the discovery document's.
    pub expected_issuer: Option<String>,
    /// This server's OAuth client id at the IdP (the audience only when no
    /// resource URL is configured).
    pub client_id: String,
    /// Needed for token exchange, introspection, refresh and code redemption
    /// with a confidential client.
    pub client_secret: Option<SecretString>,
    /// This server's canonical resource URL: the audience tokens must name.
    pub resource: Option<String>,
    pub kind: IdpKind,
    pub opaque_tokens: OpaqueTokenValidation,
    pub http_timeout: Duration,
    pub discovery_ttl: Duration,
    pub jwks_max_age: Duration,
    /// At most one unknown-`kid` JWKS refetch per this interval.
    pub jwks_min_refetch: Duration,
    pub leeway_secs: u64,
    /// How long an introspection or userinfo answer is reused.
    pub token_cache_ttl: Duration,
    pub token_cache_capacity: usize,
    /// How long an exchanged token may be reused for the same subject token
    /// and audience (never past its expiry); zero turns the cache off.
    pub exchange_cache_ttl: Duration,
}

impl IdpConfig {
    pub fn new(issuer_or_discovery_url: Url, client_id: impl Into<String>) -> Self {
        Self {
            issuer_or_discovery_url,
            expected_issuer: None,
            client_id: client_id.into(),
            client_secret: None,
            resource: None,
            kind: IdpKind::Auto,
            opaque_tokens: OpaqueTokenValidation::Auto,
            http_timeout: Duration::from_secs(10),
            discovery_ttl: Duration::from_secs(3600),
            jwks_max_age: Duration::from_secs(3600),
            jwks_min_refetch: Duration::from_secs(30),
            leeway_secs: 30,
            token_cache_ttl: Duration::from_secs(60),
            token_cache_capacity: 10_000,
            exchange_cache_ttl: Duration::ZERO,
        }
    }

    /// The audiences a token must name one of: this resource when it is
    /// configured. The client id is not enough then, since the IdP's ID
    /// tokens for this client name it too.
    pub fn accepted_audiences(&self) -> Vec<String> {
        match &self.resource {
            Some(resource) => vec![resource.clone()],
            None if self.client_id.is_empty() => Vec::new(),
            None => vec![self.client_id.clone()],
        }
    }
}

impl std::fmt::Debug for IdpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdpConfig")
            .field(
                "issuer_or_discovery_url",
                &self.issuer_or_discovery_url.as_str(),
            )
            .field("expected_issuer", &self.expected_issuer)
            .field("client_id", &self.client_id)
            .field("has_client_secret", &self.client_secret.is_some())
            .field("resource", &self.resource)
            .field("kind", &self.kind)
            .field("opaque_tokens", &self.opaque_tokens)
            .finish_non_exhaustive()
    }
}

/// Guesses the IdP from its discovery document: Keycloak issuers end in
/// `/realms/<name>`; Nextcloud's `oidc` app lists endpoints under `/apps/oidc/`.
pub fn detect_kind(doc: &DiscoveryDocument) -> IdpKind {
    let issuer_path = Url::parse(&doc.issuer)
        .map(|u| u.path().trim_end_matches('/').to_string())
        .unwrap_or_default();
    let segments: Vec<&str> = issuer_path.split('/').filter(|s| !s.is_empty()).collect();
    let keycloak_issuer = segments.len() >= 2 && segments[segments.len() - 2] == "realms";
    if keycloak_issuer
        && doc
            .token_endpoint
            .path()
            .contains("/protocol/openid-connect/")
    {
        return IdpKind::Keycloak;
    }
    let endpoints = [
        Some(&doc.token_endpoint),
        Some(&doc.authorization_endpoint),
        doc.jwks_uri.as_ref(),
        doc.userinfo_endpoint.as_ref(),
    ];
    if endpoints
        .iter()
        .flatten()
        .any(|u| u.path().contains("/apps/oidc/"))
    {
        return IdpKind::NextcloudOidc;
    }
    IdpKind::Generic
}

/// Builds the adapter: fetches discovery (failing fast with a clear message
/// when the IdP cannot be reached) and picks the kind.
pub async fn connect(config: IdpConfig) -> Result<Arc<dyn IdentityProvider>, IdpError> {
    let oidc = OidcProvider::new(&config)?;
    let doc = oidc.document().await?;
    let kind = match config.kind {
        IdpKind::Auto => detect_kind(&doc),
        chosen => chosen,
    };
    tracing::info!(issuer = %doc.issuer, ?kind, "identity provider connected");
    Ok(match kind {
        IdpKind::Keycloak => Arc::new(KeycloakProvider::new(oidc)),
        IdpKind::NextcloudOidc => Arc::new(NextcloudOidcProvider::with_cache(
            oidc,
            config.opaque_tokens,
            config.token_cache_ttl,
            config.token_cache_capacity,
        )),
        IdpKind::Generic | IdpKind::Auto => Arc::new(oidc),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(issuer: &str, token: &str, jwks: Option<&str>) -> DiscoveryDocument {
        DiscoveryDocument {
            issuer: issuer.into(),
            authorization_endpoint: Url::parse(&format!("{issuer}/authorize")).unwrap(),
            token_endpoint: Url::parse(token).unwrap(),
            jwks_uri: jwks.map(|j| Url::parse(j).unwrap()),
            userinfo_endpoint: None,
            revocation_endpoint: None,
            introspection_endpoint: None,
            scopes_supported: vec![],
            grant_types_supported: vec![],
            code_challenge_methods_supported: vec![],
            token_endpoint_auth_methods_supported: vec![],
        }
    }

    #[test]
    fn detects_keycloak_nextcloud_and_generic() {
        let kc = doc(
            "http://127.0.0.1:18080/realms/nextcloud-mcp",
            "http://127.0.0.1:18080/realms/nextcloud-mcp/protocol/openid-connect/token",
            None,
        );
        assert_eq!(detect_kind(&kc), IdpKind::Keycloak);
        let nc = doc(
            "https://cloud.example",
            "https://cloud.example/index.php/apps/oidc/token",
            Some("https://cloud.example/index.php/apps/oidc/jwks"),
        );
        assert_eq!(detect_kind(&nc), IdpKind::NextcloudOidc);
        let generic = doc(
            "https://login.example",
            "https://login.example/oauth2/token",
            None,
        );
        assert_eq!(detect_kind(&generic), IdpKind::Generic);
        let lookalike = doc(
            "https://x.example/realms/r",
            "https://x.example/token",
            None,
        );
        assert_eq!(detect_kind(&lookalike), IdpKind::Generic);
    }

    #[test]
    fn kind_parses_from_config_words() {
        assert_eq!("Keycloak".parse::<IdpKind>().unwrap(), IdpKind::Keycloak);
        assert_eq!(
            "nextcloud".parse::<IdpKind>().unwrap(),
            IdpKind::NextcloudOidc
        );
        assert!(
            "okta"
                .parse::<IdpKind>()
                .unwrap_err()
                .contains("auto, oidc")
        );
    }

    #[test]
    fn accepted_audience_is_the_resource_else_the_client_id() {
        let mut c = IdpConfig::new(Url::parse("http://kc/realms/r").unwrap(), "mcp");
        assert_eq!(c.accepted_audiences(), vec!["mcp"]);
        c.resource = Some("https://mcp.example/mcp".into());
        c.client_secret = Some(SecretString::from("hunter2"));
        assert_eq!(c.accepted_audiences(), vec!["https://mcp.example/mcp"]);
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
