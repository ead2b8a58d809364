//! OAuth settings: the identity provider, this server's resource URL, the
//! Nextcloud audience and the credential mode.

use std::time::Duration;

use clap::Args;
use secrecy::SecretString;
use url::Url;

use super::{ConfigError, parse_absolute_url, parse_bool, required};
use crate::adapters::http::consent_callback::CALLBACK_PATH;
use crate::adapters::idp::{IdpConfig, IdpKind, OpaqueTokenValidation};
use crate::domain::credential::{AuthMode, LoginFlowPolicy};

/// OAuth settings (HTTP transport only). Setting NEXTCLOUD_OIDC_CLIENT_ID
/// switches `serve` from basic mode to an OAuth mode.
#[derive(Args, Debug, Default)]
pub struct OAuthArgs {
    /// The IdP's discovery URL (or issuer); default: the Nextcloud host's /.well-known/openid-configuration.
    #[arg(long, env = "OIDC_DISCOVERY_URL")]
    pub oidc_discovery_url: Option<String>,
    /// This server's OAuth client id at the IdP; setting it turns OAuth on.
    #[arg(long, env = "NEXTCLOUD_OIDC_CLIENT_ID")]
    pub oidc_client_id: Option<String>,
    /// This server's client secret (needed for token exchange).
    #[arg(long, env = "NEXTCLOUD_OIDC_CLIENT_SECRET", hide_env_values = true)]
    pub oidc_client_secret: Option<String>,
    /// Public URL of this server's /mcp endpoint: the audience client tokens must carry.
    #[arg(long, env = "NEXTCLOUD_MCP_SERVER_URL")]
    pub server_url: Option<String>,
    /// Public URL of the consent callback; default: /oauth/callback beside the /mcp endpoint
    /// of NEXTCLOUD_MCP_SERVER_URL, keeping its path prefix.
    #[arg(long, env = "NEXTCLOUD_MCP_OAUTH_CALLBACK_URL")]
    pub oauth_callback_url: Option<String>,
    /// The audience that identifies Nextcloud (its client id at the IdP); default: NEXTCLOUD_HOST.
    #[arg(long, env = "NEXTCLOUD_RESOURCE_URI")]
    pub nextcloud_resource_uri: Option<String>,
    /// Exchange each caller's token for a Nextcloud token (RFC 8693) instead of passing it through.
    #[arg(long, env = "ENABLE_TOKEN_EXCHANGE")]
    pub enable_token_exchange: Option<String>,
    /// Identity provider kind when discovery cannot tell: auto, oidc, keycloak or nextcloud.
    #[arg(long, env = "NEXTCLOUD_MCP_IDP_KIND", default_value = "auto")]
    pub idp_kind: String,
    /// Seconds an exchanged token may be reused for the same caller token (never past its
    /// expiry); 0 exchanges on every call.
    #[arg(long, env = "NEXTCLOUD_MCP_EXCHANGE_CACHE_TTL", default_value = "0")]
    pub exchange_cache_ttl: String,
    /// How opaque tokens of Nextcloud's oidc app are checked: auto, introspection or userinfo.
    #[arg(long, env = "NEXTCLOUD_MCP_OPAQUE_TOKENS", default_value = "auto")]
    pub opaque_tokens: String,
}

/// What the OAuth modes need beyond the mode itself.
#[derive(Debug, Clone)]
pub struct OAuthConfig {
    pub idp: IdpConfig,
    /// Canonical URL of our /mcp endpoint.
    pub server_url: Url,
    /// Where the identity provider sends the user back after consent.
    pub callback_url: Url,
}

/// `/oauth/callback` beside the /mcp endpoint: behind a reverse proxy that
/// serves us under a path prefix (`https://host/ai/mcp`) the callback keeps
/// the prefix (`https://host/ai/oauth/callback`).
pub fn default_callback_url(server_url: &Url) -> Url {
    let path = server_url.path().trim_end_matches('/');
    let prefix = path.strip_suffix("/mcp").unwrap_or(path);
    let mut url = server_url.clone();
    url.set_path(&format!("{prefix}{CALLBACK_PATH}"));
    url.set_query(None);
    url.set_fragment(None);
    url
}

/// `login_flow` is set in login-flow mode; otherwise ENABLE_TOKEN_EXCHANGE
/// picks exchange or pass-through.
pub(super) fn oauth_settings(
    args: OAuthArgs,
    nextcloud_url: &Url,
    login_flow: Option<LoginFlowPolicy>,
) -> Result<(AuthMode, OAuthConfig), ConfigError> {
    let client_id = args.oidc_client_id.unwrap_or_default().trim().to_string();
    let server_url = parse_absolute_url(
        &required(
            args.server_url,
            "NEXTCLOUD_MCP_SERVER_URL",
            "set it to the public URL of this server's /mcp endpoint; client tokens must name it as audience",
        )?,
        "NEXTCLOUD_MCP_SERVER_URL",
    )?;
    let callback_url = match args.oauth_callback_url.filter(|u| !u.trim().is_empty()) {
        Some(raw) => parse_absolute_url(&raw, "NEXTCLOUD_MCP_OAUTH_CALLBACK_URL")?,
        None => default_callback_url(&server_url),
    };
    let discovery = match args.oidc_discovery_url.filter(|d| !d.trim().is_empty()) {
        Some(raw) => parse_absolute_url(&raw, "OIDC_DISCOVERY_URL")?,
        None => nextcloud_url
            .join(".well-known/openid-configuration")
            .map_err(|e| ConfigError::Invalid {
                setting: "OIDC_DISCOVERY_URL",
                reason: e.to_string(),
            })?,
    };
    let exchange = login_flow.is_none()
        && parse_bool(
            args.enable_token_exchange.as_deref().unwrap_or("false"),
            "ENABLE_TOKEN_EXCHANGE",
        )?;
    let secret = args
        .oidc_client_secret
        .filter(|s| !s.is_empty())
        .map(SecretString::from);
    if exchange && secret.is_none() {
        return Err(ConfigError::Missing {
            setting: "NEXTCLOUD_OIDC_CLIENT_SECRET",
            hint: "token exchange needs this server's confidential client secret",
        });
    }
    let nextcloud_audience = args
        .nextcloud_resource_uri
        .filter(|r| !r.trim().is_empty())
        .unwrap_or_else(|| nextcloud_url.as_str().trim_end_matches('/').to_string());
    let mut idp = IdpConfig::new(discovery, client_id);
    idp.client_secret = secret;
    idp.resource = Some(server_url.as_str().to_string());
    idp.kind = args
        .idp_kind
        .parse::<IdpKind>()
        .map_err(|reason| ConfigError::Invalid {
            setting: "NEXTCLOUD_MCP_IDP_KIND",
            reason,
        })?;
    idp.opaque_tokens = match args.opaque_tokens.trim().to_ascii_lowercase().as_str() {
        "auto" => OpaqueTokenValidation::Auto,
        "introspection" => OpaqueTokenValidation::Introspection,
        "userinfo" => OpaqueTokenValidation::Userinfo,
        other => {
            return Err(ConfigError::Invalid {
                setting: "NEXTCLOUD_MCP_OPAQUE_TOKENS",
                reason: format!("'{other}' is not auto, introspection or userinfo"),
            });
        }
    };
    let cache_secs: u64 =
        args.exchange_cache_ttl
            .trim()
            .parse()
            .map_err(|_| ConfigError::Invalid {
                setting: "NEXTCLOUD_MCP_EXCHANGE_CACHE_TTL",
                reason: format!(
                    "'{}' is not a whole number of seconds",
                    args.exchange_cache_ttl
                ),
            })?;
    idp.exchange_cache_ttl = Duration::from_secs(cache_secs);
    let mode = if let Some(policy) = login_flow {
        AuthMode::LoginFlow(policy)
    } else if exchange {
        AuthMode::Exchange { nextcloud_audience }
    } else {
        AuthMode::PassThrough { nextcloud_audience }
    };
    Ok((
        mode,
        OAuthConfig {
            idp,
            server_url,
            callback_url,
        },
    ))
}
