//! Settings from flags and environment variables (the reference server's names
//! where it has them), validated once at start into one [`Config`].

use std::net::SocketAddr;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use secrecy::SecretString;
use url::Url;

use crate::adapters::idp::{IdpConfig, IdpKind, OpaqueTokenValidation};
use crate::adapters::store::crypto::Keyring;
use crate::domain::credential::AuthMode;

#[derive(Parser, Debug)]
#[command(
    name = "nextcloud-mcp",
    version,
    about = "MCP server for Nextcloud, acting as the calling user"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve MCP over Streamable HTTP at /mcp, with /healthz and /readyz.
    Serve {
        #[command(flatten)]
        common: CommonArgs,
        /// Address to listen on.
        #[arg(long, env = "NEXTCLOUD_MCP_LISTEN", default_value = "127.0.0.1:8000")]
        listen: String,
        /// Host names (or host:port) clients may use to reach this server; loopback only by default.
        #[arg(long, env = "NEXTCLOUD_MCP_ALLOWED_HOSTS", value_delimiter = ',')]
        allowed_hosts: Vec<String>,
    },
    /// Serve MCP over stdio, for desktop clients.
    Stdio {
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Operators' tools: provisioned users, revocation, key rotation, audit log.
    Admin(crate::app::admin::AdminArgs),
}

#[derive(Args, Debug)]
pub struct CommonArgs {
    /// Base URL of the Nextcloud server, e.g. https://cloud.example.com
    #[arg(long, env = "NEXTCLOUD_HOST")]
    pub nextcloud_host: Option<String>,
    /// Nextcloud user name (basic mode).
    #[arg(long, env = "NEXTCLOUD_USERNAME")]
    pub nextcloud_username: Option<String>,
    /// App password of that user (basic mode). Prefer the environment variable: flags show in `ps`.
    #[arg(long, env = "NEXTCLOUD_PASSWORD", hide_env_values = true)]
    pub nextcloud_password: Option<String>,
    /// Log filter, e.g. info, debug, nextcloud_mcp=debug.
    #[arg(long, env = "NEXTCLOUD_MCP_LOG_LEVEL", default_value = "info")]
    pub log_level: String,
    /// Seconds to wait for Nextcloud before a call fails.
    #[arg(long, env = "NEXTCLOUD_MCP_REQUEST_TIMEOUT", default_value = "30")]
    pub request_timeout: String,
    #[command(flatten)]
    pub oauth: OAuthArgs,
    #[command(flatten)]
    pub store: StoreArgs,
    #[command(flatten)]
    pub webhooks: WebhookArgs,
}

/// Nextcloud webhooks (HTTP transport only); off unless WEBHOOK_SECRET is set.
#[derive(Args, Debug, Default)]
pub struct WebhookArgs {
    /// Shared secret Nextcloud sends with each delivery; setting it mounts the receiver at /webhooks/nextcloud.
    #[arg(long, env = "WEBHOOK_SECRET", hide_env_values = true)]
    pub webhook_secret: Option<String>,
    /// Public URL of this server's receiver as Nextcloud reaches it, e.g. https://mcp.example.com/webhooks/nextcloud.
    #[arg(long, env = "NEXTCLOUD_MCP_WEBHOOK_URL")]
    pub webhook_url: Option<String>,
    /// Compare registrations with Nextcloud at start and repair both ways (basic mode).
    #[arg(long, env = "NEXTCLOUD_MCP_WEBHOOK_RECONCILE_ON_START")]
    pub webhook_reconcile_on_start: Option<String>,
    /// Events waiting for the worker before deliveries are refused with 503.
    #[arg(long, env = "NEXTCLOUD_MCP_WEBHOOK_QUEUE_SIZE")]
    pub webhook_queue_size: Option<String>,
}

/// Webhook settings; `secret` is `None` when webhooks are off.
#[derive(Clone)]
pub struct WebhookConfig {
    pub secret: Option<SecretString>,
    pub receiver_url: Option<Url>,
    pub reconcile_on_start: bool,
    pub queue_capacity: usize,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        Self {
            secret: None,
            receiver_url: None,
            reconcile_on_start: false,
            queue_capacity: crate::app::webhooks::DEFAULT_QUEUE_CAPACITY,
        }
    }
}

impl std::fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("enabled", &self.secret.is_some())
            .field("receiver_url", &self.receiver_url.as_ref().map(Url::as_str))
            .field("reconcile_on_start", &self.reconcile_on_start)
            .field("queue_capacity", &self.queue_capacity)
            .finish()
    }
}

/// Off over stdio (no receiver can be mounted). The URL defaults to
/// /webhooks/nextcloud next to NEXTCLOUD_MCP_SERVER_URL in OAuth modes.
fn webhook_settings(
    args: WebhookArgs,
    transport: Transport,
    server_url: Option<&Url>,
) -> Result<WebhookConfig, ConfigError> {
    let invalid = |setting, reason: String| ConfigError::Invalid { setting, reason };
    let secret = args.webhook_secret.filter(|s| !s.trim().is_empty());
    if let Some(secret) = &secret
        && (secret.len() < 16 || !secret.bytes().all(|b| b.is_ascii_graphic()))
    {
        return Err(invalid(
            "WEBHOOK_SECRET",
            "use at least 16 visible ASCII characters without spaces (e.g. openssl rand -hex 32)"
                .into(),
        ));
    }
    let receiver_url = match args.webhook_url.filter(|u| !u.trim().is_empty()) {
        Some(raw) => Some(parse_absolute_url(&raw, "NEXTCLOUD_MCP_WEBHOOK_URL")?),
        None => server_url.map(|server| {
            let mut url = server.clone();
            url.set_path("/webhooks/nextcloud");
            url.set_query(None);
            url
        }),
    };
    let reconcile_on_start = match args.webhook_reconcile_on_start {
        Some(raw) => parse_bool(&raw, "NEXTCLOUD_MCP_WEBHOOK_RECONCILE_ON_START")?,
        None => false,
    };
    let queue_capacity = match args.webhook_queue_size.filter(|q| !q.trim().is_empty()) {
        Some(raw) => match raw.trim().parse::<usize>() {
            Ok(n) if (1..=1_000_000).contains(&n) => n,
            _ => {
                return Err(invalid(
                    "NEXTCLOUD_MCP_WEBHOOK_QUEUE_SIZE",
                    format!("'{raw}' is not a whole number between 1 and 1000000"),
                ));
            }
        },
        None => crate::app::webhooks::DEFAULT_QUEUE_CAPACITY,
    };
    Ok(WebhookConfig {
        secret: (transport == Transport::Http)
            .then_some(secret)
            .flatten()
            .map(SecretString::from),
        receiver_url,
        reconcile_on_start,
        queue_capacity,
    })
}

/// Where state lives (refresh tokens, webhooks, audit) and how it is sealed.
#[derive(Args, Debug, Default)]
pub struct StoreArgs {
    /// SQLite file (the embedded default); created on first start.
    #[arg(long, env = "TOKEN_STORAGE_DB")]
    pub token_storage_db: Option<String>,
    /// A postgres:// URL for deployments with several replicas; wins over TOKEN_STORAGE_DB.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// base64 of 32 random bytes (optionally "N:base64" for key version N); seals refresh tokens.
    #[arg(long, env = "TOKEN_ENCRYPTION_KEY", hide_env_values = true)]
    pub token_encryption_key: Option<String>,
    /// Older keys, comma-separated "N:base64", still accepted for opening rows until re-sealed.
    #[arg(long, env = "TOKEN_ENCRYPTION_PREVIOUS_KEYS", hide_env_values = true)]
    pub token_encryption_previous_keys: Option<String>,
    /// Flow 2: let users grant offline access for background jobs (OAuth pass-through mode).
    /// ENABLE_OFFLINE_ACCESS is accepted as an alias. Default: on in OAuth modes.
    #[arg(long, env = "ENABLE_PROGRESSIVE_CONSENT")]
    pub enable_progressive_consent: Option<String>,
    /// Comma-separated OAuth client ids allowed to call this server; empty allows any client the IdP vouches for.
    #[arg(long, env = "ALLOWED_MCP_CLIENTS", value_delimiter = ',')]
    pub allowed_mcp_clients: Vec<String>,
    /// Seconds between background refreshes of stored grants.
    #[arg(
        long,
        env = "NEXTCLOUD_MCP_GRANT_REFRESH_INTERVAL",
        default_value = "3600"
    )]
    pub grant_refresh_interval: String,
}

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
    /// The audience that identifies Nextcloud (its client id at the IdP); default: NEXTCLOUD_HOST.
    #[arg(long, env = "NEXTCLOUD_RESOURCE_URI")]
    pub nextcloud_resource_uri: Option<String>,
    /// Exchange each caller's token for a Nextcloud token (RFC 8693) instead of passing it through.
    #[arg(long, env = "ENABLE_TOKEN_EXCHANGE", default_value = "false")]
    pub enable_token_exchange: String,
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

/// The validated settings the rest of the program uses.
#[derive(Debug)]
pub struct Config {
    pub nextcloud_url: Url,
    pub mode: AuthMode,
    pub log_level: String,
    pub request_timeout: Duration,
    /// Present in OAuth modes.
    pub oauth: Option<OAuthConfig>,
    pub store: StoreConfig,
    pub webhooks: WebhookConfig,
}

/// The store, opened in every mode (webhooks and the audit log live there).
#[derive(Clone)]
pub struct StoreConfig {
    /// A SQLite path or a postgres:// URL.
    pub location: SecretString,
    pub keyring: Option<Keyring>,
    /// Flow 2 is on (pass-through OAuth mode only).
    pub progressive_consent: bool,
    /// Client ids allowed to call; empty = any.
    pub allowed_clients: Vec<String>,
    pub grant_refresh_interval: Duration,
}

impl std::fmt::Debug for StoreConfig {
    // The location may be a Postgres URL with a password in it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreConfig")
            .field("has_keyring", &self.keyring.is_some())
            .field("progressive_consent", &self.progressive_consent)
            .field("allowed_clients", &self.allowed_clients)
            .finish_non_exhaustive()
    }
}

fn default_store_path() -> String {
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".local/share"))
        })
        .unwrap_or_else(|| std::path::PathBuf::from("."));
    base.join("nextcloud-mcp")
        .join("store.db")
        .to_string_lossy()
        .into_owned()
}

fn store_settings(args: StoreArgs, mode: &AuthMode) -> Result<StoreConfig, ConfigError> {
    let consent_flag = args
        .enable_progressive_consent
        .or_else(|| std::env::var("ENABLE_OFFLINE_ACCESS").ok());
    let consent_requested = match consent_flag {
        Some(raw) => parse_bool(&raw, "ENABLE_PROGRESSIVE_CONSENT")?,
        None => mode.is_oauth(),
    };
    // Flow 2 stores refresh tokens for background jobs of pass-through
    // deployments; basic mode has no IdP and exchange mode no stored grants.
    let progressive_consent = consent_requested && matches!(mode, AuthMode::PassThrough { .. });
    let keyring = match args.token_encryption_key.filter(|k| !k.trim().is_empty()) {
        Some(current) => Some(
            Keyring::parse(&current, args.token_encryption_previous_keys.as_deref()).map_err(
                |e| ConfigError::Invalid {
                    setting: "TOKEN_ENCRYPTION_KEY",
                    reason: e.to_string(),
                },
            )?,
        ),
        None if progressive_consent => {
            return Err(ConfigError::Missing {
                setting: "TOKEN_ENCRYPTION_KEY",
                hint: "progressive consent stores refresh tokens sealed; set 32 random bytes in base64 (openssl rand -base64 32), or ENABLE_PROGRESSIVE_CONSENT=false",
            });
        }
        None => None,
    };
    let location = args
        .database_url
        .filter(|u| !u.trim().is_empty())
        .or(args.token_storage_db.filter(|p| !p.trim().is_empty()))
        .unwrap_or_else(default_store_path);
    let interval_secs: u64 =
        args.grant_refresh_interval
            .trim()
            .parse()
            .map_err(|_| ConfigError::Invalid {
                setting: "NEXTCLOUD_MCP_GRANT_REFRESH_INTERVAL",
                reason: format!(
                    "'{}' is not a whole number of seconds",
                    args.grant_refresh_interval
                ),
            })?;
    if interval_secs < 60 {
        return Err(ConfigError::Invalid {
            setting: "NEXTCLOUD_MCP_GRANT_REFRESH_INTERVAL",
            reason: "must be at least 60 seconds".into(),
        });
    }
    Ok(StoreConfig {
        location: SecretString::from(location),
        keyring,
        progressive_consent,
        allowed_clients: args
            .allowed_mcp_clients
            .into_iter()
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            .collect(),
        grant_refresh_interval: Duration::from_secs(interval_secs),
    })
}

/// What the OAuth modes need beyond the mode itself.
#[derive(Debug, Clone)]
pub struct OAuthConfig {
    pub idp: IdpConfig,
    /// Canonical URL of our /mcp endpoint.
    pub server_url: Url,
}

/// Which transport the settings are for: stdio carries no bearer token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    Http,
    Stdio,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("{setting} is missing: {hint}")]
    Missing {
        setting: &'static str,
        hint: &'static str,
    },
    #[error("{setting} is invalid: {reason}")]
    Invalid {
        setting: &'static str,
        reason: String,
    },
}

fn required(
    value: Option<String>,
    setting: &'static str,
    hint: &'static str,
) -> Result<String, ConfigError> {
    match value {
        Some(v) if !v.trim().is_empty() => Ok(v),
        _ => Err(ConfigError::Missing { setting, hint }),
    }
}

impl Config {
    pub fn from_args(args: CommonArgs, transport: Transport) -> Result<Self, ConfigError> {
        let host = required(
            args.nextcloud_host,
            "NEXTCLOUD_HOST",
            "set it to your Nextcloud's base URL, e.g. https://cloud.example.com",
        )?;
        let nextcloud_url = parse_nextcloud_url(&host)?;
        let request_timeout = parse_timeout(&args.request_timeout)?;
        check_log_level(&args.log_level)?;
        let oauth_requested = args
            .oauth
            .oidc_client_id
            .as_deref()
            .is_some_and(|c| !c.trim().is_empty());
        if oauth_requested && transport == Transport::Http {
            let (mode, oauth) = oauth_settings(args.oauth, &nextcloud_url)?;
            let store = store_settings(args.store, &mode)?;
            let webhooks = webhook_settings(args.webhooks, transport, Some(&oauth.server_url))?;
            return Ok(Self {
                nextcloud_url,
                mode,
                log_level: args.log_level,
                request_timeout,
                oauth: Some(oauth),
                store,
                webhooks,
            });
        }
        let username = required(
            args.nextcloud_username,
            "NEXTCLOUD_USERNAME",
            "set it to the Nextcloud user name the app password belongs to",
        )?;
        let password = required(
            args.nextcloud_password,
            "NEXTCLOUD_PASSWORD",
            "create an app password in Nextcloud (Settings > Security) and set it here",
        )?;
        let mode = AuthMode::Basic {
            username: username.trim().to_string(),
            app_password: SecretString::from(password),
        };
        let store = store_settings(args.store, &mode)?;
        let webhooks = webhook_settings(args.webhooks, transport, None)?;
        Ok(Self {
            nextcloud_url,
            mode,
            log_level: args.log_level,
            request_timeout,
            oauth: None,
            store,
            webhooks,
        })
    }
}

fn check_log_level(level: &str) -> Result<(), ConfigError> {
    tracing_subscriber::EnvFilter::try_new(level)
        .map(|_| ())
        .map_err(|e| ConfigError::Invalid {
            setting: "NEXTCLOUD_MCP_LOG_LEVEL",
            reason: e.to_string(),
        })
}

fn parse_bool(raw: &str, setting: &'static str) -> Result<bool, ConfigError> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" | "" => Ok(false),
        other => Err(ConfigError::Invalid {
            setting,
            reason: format!("'{other}' is not true or false"),
        }),
    }
}

fn parse_absolute_url(raw: &str, setting: &'static str) -> Result<Url, ConfigError> {
    let url = Url::parse(raw.trim()).map_err(|e| ConfigError::Invalid {
        setting,
        reason: format!("'{raw}' is not a URL ({e})"),
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.fragment().is_some() {
        return Err(ConfigError::Invalid {
            setting,
            reason: "must be an http(s) URL without a fragment".into(),
        });
    }
    Ok(url)
}

fn oauth_settings(
    args: OAuthArgs,
    nextcloud_url: &Url,
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
    let discovery = match args.oidc_discovery_url.filter(|d| !d.trim().is_empty()) {
        Some(raw) => parse_absolute_url(&raw, "OIDC_DISCOVERY_URL")?,
        None => nextcloud_url
            .join(".well-known/openid-configuration")
            .map_err(|e| ConfigError::Invalid {
                setting: "OIDC_DISCOVERY_URL",
                reason: e.to_string(),
            })?,
    };
    let exchange = parse_bool(&args.enable_token_exchange, "ENABLE_TOKEN_EXCHANGE")?;
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
    let mode = if exchange {
        AuthMode::Exchange { nextcloud_audience }
    } else {
        AuthMode::PassThrough { nextcloud_audience }
    };
    Ok((mode, OAuthConfig { idp, server_url }))
}

fn parse_nextcloud_url(raw: &str) -> Result<Url, ConfigError> {
    let invalid = |reason: String| ConfigError::Invalid {
        setting: "NEXTCLOUD_HOST",
        reason,
    };
    let url = Url::parse(raw.trim()).map_err(|e| invalid(format!("'{raw}' is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(format!(
            "scheme must be http or https, not '{}'",
            url.scheme()
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "put credentials in NEXTCLOUD_USERNAME/NEXTCLOUD_PASSWORD, not in the URL".into(),
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("the URL must not have a query or fragment".into()));
    }
    Ok(url)
}

fn parse_timeout(raw: &str) -> Result<Duration, ConfigError> {
    let invalid = |reason: String| ConfigError::Invalid {
        setting: "NEXTCLOUD_MCP_REQUEST_TIMEOUT",
        reason,
    };
    let secs: u64 = raw
        .trim()
        .parse()
        .map_err(|_| invalid(format!("'{raw}' is not a whole number of seconds")))?;
    if !(1..=600).contains(&secs) {
        return Err(invalid(format!("{secs} is outside 1..=600 seconds")));
    }
    Ok(Duration::from_secs(secs))
}

pub fn parse_listen(raw: &str) -> Result<SocketAddr, ConfigError> {
    raw.trim().parse().map_err(|_| ConfigError::Invalid {
        setting: "NEXTCLOUD_MCP_LISTEN",
        reason: format!("'{raw}' is not an address like 127.0.0.1:8000"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> CommonArgs {
        CommonArgs {
            nextcloud_host: Some("https://cloud.example.com".into()),
            nextcloud_username: Some("admin".into()),
            nextcloud_password: Some("app-pass".into()),
            log_level: "info".into(),
            request_timeout: "30".into(),
            oauth: OAuthArgs::default(),
            store: StoreArgs {
                grant_refresh_interval: "3600".into(),
                ..StoreArgs::default()
            },
            webhooks: WebhookArgs::default(),
        }
    }

    #[test]
    fn webhook_settings_are_validated_and_off_over_stdio() {
        let config = Config::from_args(args(), Transport::Http).unwrap();
        assert!(config.webhooks.secret.is_none() && config.webhooks.receiver_url.is_none());
        let mut a = args();
        a.webhooks.webhook_secret = Some("0123456789abcdef-secret".into());
        a.webhooks.webhook_queue_size = Some("8".into());
        a.webhooks.webhook_reconcile_on_start = Some("true".into());
        let config = Config::from_args(a, Transport::Http).unwrap();
        assert!(config.webhooks.secret.is_some() && config.webhooks.reconcile_on_start);
        assert_eq!(config.webhooks.queue_capacity, 8);
        assert!(!format!("{config:?}").contains("0123456789abcdef"));
        let mut a = args();
        a.webhooks.webhook_secret = Some("0123456789abcdef-secret".into());
        let stdio = Config::from_args(a, Transport::Stdio).unwrap();
        assert!(stdio.webhooks.secret.is_none());
        let invalid_secret = "WEBHOOK_SECRET is invalid";
        let invalid_queue = "NEXTCLOUD_MCP_WEBHOOK_QUEUE_SIZE is invalid";
        for (secret, queue, needle) in [
            ("short", "1", invalid_secret),
            ("with spaces in the secret", "1", invalid_secret),
            ("0123456789abcdef", "0", invalid_queue),
        ] {
            let mut a = args();
            a.webhooks.webhook_secret = Some(secret.into());
            a.webhooks.webhook_queue_size = Some(queue.into());
            let err = Config::from_args(a, Transport::Http).unwrap_err();
            let err = err.to_string();
            assert!(err.starts_with(needle), "{err}");
        }
        // OAuth modes put the receiver next to the /mcp endpoint by default.
        let config = Config::from_args(oauth_args("true"), Transport::Http).unwrap();
        assert_eq!(
            config.webhooks.receiver_url.unwrap().as_str(),
            "https://mcp.example.com/webhooks/nextcloud"
        );
    }

    fn oauth_args(exchange: &str) -> CommonArgs {
        let mut a = args();
        a.nextcloud_username = None;
        a.nextcloud_password = None;
        a.oauth = OAuthArgs {
            oidc_client_id: Some("nextcloud-mcp-server".into()),
            oidc_client_secret: Some("client-secret".into()),
            server_url: Some("https://mcp.example.com/mcp".into()),
            enable_token_exchange: exchange.into(),
            idp_kind: "auto".into(),
            opaque_tokens: "auto".into(),
            exchange_cache_ttl: "0".into(),
            ..OAuthArgs::default()
        };
        a.store.enable_progressive_consent = Some("false".into());
        a
    }

    #[test]
    fn a_client_id_turns_on_oauth_over_http_only() {
        let config = Config::from_args(oauth_args("false"), Transport::Http).unwrap();
        assert_eq!(config.mode.name(), "pass-through");
        let oauth = config.oauth.unwrap();
        assert_eq!(
            oauth.idp.issuer_or_discovery_url.as_str(),
            "https://cloud.example.com/.well-known/openid-configuration"
        );
        assert_eq!(
            oauth.idp.accepted_audiences(),
            vec!["https://mcp.example.com/mcp", "nextcloud-mcp-server"]
        );
        let config = Config::from_args(oauth_args("true"), Transport::Http).unwrap();
        assert!(
            matches!(config.mode, AuthMode::Exchange { ref nextcloud_audience } if nextcloud_audience == "https://cloud.example.com")
        );
        // stdio has no bearer token: it needs the basic credentials.
        let err = Config::from_args(oauth_args("true"), Transport::Stdio).unwrap_err();
        assert!(
            err.to_string().starts_with("NEXTCLOUD_USERNAME is missing"),
            "{err}"
        );
    }

    #[test]
    fn progressive_consent_needs_a_key_and_only_runs_in_pass_through() {
        let mut a = oauth_args("false");
        a.store.enable_progressive_consent = None;
        let err = Config::from_args(a, Transport::Http).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("TOKEN_ENCRYPTION_KEY is missing"),
            "{err}"
        );
        let mut a = oauth_args("false");
        a.store.enable_progressive_consent = None;
        a.store.token_encryption_key = Some("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=".into());
        a.store.allowed_mcp_clients = vec![" claude ".into(), "".into()];
        let config = Config::from_args(a, Transport::Http).unwrap();
        assert!(config.store.progressive_consent);
        assert_eq!(config.store.allowed_clients, vec!["claude"]);
        // Exchange mode stores no grants: no key needed, no consent.
        let mut a = oauth_args("true");
        a.store.enable_progressive_consent = None;
        let config = Config::from_args(a, Transport::Http).unwrap();
        assert!(!config.store.progressive_consent && config.store.keyring.is_none());
        let mut a = oauth_args("false");
        a.store.enable_progressive_consent = Some("false".into());
        assert!(
            !Config::from_args(a, Transport::Http)
                .unwrap()
                .store
                .progressive_consent
        );
        let mut a = oauth_args("false");
        a.store.enable_progressive_consent = Some("false".into());
        a.store.token_encryption_key = Some("too-short".into());
        assert!(
            Config::from_args(a, Transport::Http)
                .unwrap_err()
                .to_string()
                .starts_with("TOKEN_ENCRYPTION_KEY is invalid")
        );
    }

    #[test]
    fn oauth_settings_are_validated() {
        let mut a = oauth_args("true");
        a.oauth.oidc_client_secret = None;
        assert!(
            Config::from_args(a, Transport::Http)
                .unwrap_err()
                .to_string()
                .starts_with("NEXTCLOUD_OIDC_CLIENT_SECRET is missing")
        );
        let mut a = oauth_args("false");
        a.oauth.server_url = None;
        assert!(
            Config::from_args(a, Transport::Http)
                .unwrap_err()
                .to_string()
                .starts_with("NEXTCLOUD_MCP_SERVER_URL is missing")
        );
        let a = oauth_args("maybe");
        assert!(
            Config::from_args(a, Transport::Http)
                .unwrap_err()
                .to_string()
                .starts_with("ENABLE_TOKEN_EXCHANGE is invalid")
        );
        let mut a = oauth_args("false");
        a.oauth.idp_kind = "okta".into();
        assert!(
            Config::from_args(a, Transport::Http)
                .unwrap_err()
                .to_string()
                .starts_with("NEXTCLOUD_MCP_IDP_KIND is invalid")
        );
        let mut a = oauth_args("false");
        a.oauth.oidc_client_secret = Some("client-secret".into());
        let shown = format!("{:?}", Config::from_args(a, Transport::Http).unwrap());
        assert!(!shown.contains("client-secret"), "{shown}");
    }

    #[test]
    fn valid_settings_make_a_basic_mode_config() {
        let config = Config::from_args(args(), Transport::Stdio).unwrap();
        assert_eq!(config.mode.name(), "basic");
        assert_eq!(config.request_timeout, Duration::from_secs(30));
        assert_eq!(config.nextcloud_url.as_str(), "https://cloud.example.com/");
    }

    #[test]
    fn each_missing_setting_is_named() {
        let mut a = args();
        a.nextcloud_host = None;
        assert!(
            Config::from_args(a, Transport::Stdio)
                .unwrap_err()
                .to_string()
                .starts_with("NEXTCLOUD_HOST is missing")
        );
        let mut a = args();
        a.nextcloud_username = Some("  ".into());
        assert!(
            Config::from_args(a, Transport::Stdio)
                .unwrap_err()
                .to_string()
                .starts_with("NEXTCLOUD_USERNAME is missing")
        );
        let mut a = args();
        a.nextcloud_password = None;
        assert!(
            Config::from_args(a, Transport::Stdio)
                .unwrap_err()
                .to_string()
                .starts_with("NEXTCLOUD_PASSWORD is missing")
        );
    }

    #[test]
    fn bad_values_are_named_and_explained() {
        for (host, needle) in [
            ("ftp://x", "scheme"),
            ("not a url", "not a URL"),
            ("https://u:p@x", "credentials"),
        ] {
            let mut a = args();
            a.nextcloud_host = Some(host.into());
            let err = Config::from_args(a, Transport::Stdio)
                .unwrap_err()
                .to_string();
            assert!(
                err.starts_with("NEXTCLOUD_HOST is invalid") && err.contains(needle),
                "{err}"
            );
        }
        let mut a = args();
        a.request_timeout = "0".into();
        assert!(
            Config::from_args(a, Transport::Stdio)
                .unwrap_err()
                .to_string()
                .contains("NEXTCLOUD_MCP_REQUEST_TIMEOUT")
        );
        let mut a = args();
        a.log_level = "[[[".into();
        assert!(
            Config::from_args(a, Transport::Stdio)
                .unwrap_err()
                .to_string()
                .contains("NEXTCLOUD_MCP_LOG_LEVEL")
        );
        assert!(
            parse_listen("nope")
                .unwrap_err()
                .to_string()
                .contains("NEXTCLOUD_MCP_LISTEN")
        );
        assert!(parse_listen("127.0.0.1:0").is_ok());
    }

    #[test]
    fn the_password_never_shows_in_debug_output() {
        let config = Config::from_args(args(), Transport::Stdio).unwrap();
        assert!(!format!("{config:?}").contains("app-pass"));
    }
}
