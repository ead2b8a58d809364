//! Settings from flags and environment variables (the reference server's names
//! where it has them), validated once at start into one [`Config`].

use std::net::SocketAddr;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use secrecy::SecretString;
use url::Url;

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

// Parsed once at start-up: the size of the `serve` variant costs nothing.
#[allow(clippy::large_enum_variant)]
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
        #[command(flatten, next_help_heading = "Logs and metrics")]
        telemetry: TelemetryArgs,
        #[command(flatten, next_help_heading = "HTTP edge")]
        edge: EdgeArgs,
    },
    /// Serve MCP over stdio, for desktop clients.
    #[command(mut_args(stdio_help::hide_serve_only_arg))]
    Stdio {
        #[command(flatten)]
        common: CommonArgs,
        #[command(flatten, next_help_heading = "Logs and metrics")]
        telemetry: TelemetryArgs,
    },
    /// Ask a running server's /healthz; exit 0 when it answers 200 (for container health checks).
    Health {
        /// The URL to ask; default: /healthz on NEXTCLOUD_MCP_LISTEN (a wildcard address becomes loopback).
        #[arg(long)]
        url: Option<String>,
        /// The address `serve` listens on, when --url is not given.
        #[arg(long, env = "NEXTCLOUD_MCP_LISTEN", default_value = "127.0.0.1:8000")]
        listen: String,
    },
    /// Operators' tools: provisioned users, revocation, key rotation, audit log.
    Admin(AdminArgs),
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
    /// Log filter: a level (error, warn, info, debug, trace, off) or directives like nextcloud_mcp=debug.
    #[arg(long, env = "NEXTCLOUD_MCP_LOG_LEVEL", default_value = "info")]
    pub log_level: String,
    /// Seconds to wait for Nextcloud before a call fails.
    #[arg(long, env = "NEXTCLOUD_MCP_REQUEST_TIMEOUT", default_value = "30")]
    pub request_timeout: String,
    #[command(flatten, next_help_heading = "Credential mode")]
    pub mode: ModeArgs,
    // Grouped by the mode that reads them: stdio is basic mode only, so it
    // reads neither the OAuth nor the webhook group (hidden in its help).
    #[command(flatten, next_help_heading = "OAuth modes (serve only)")]
    pub oauth: OAuthArgs,
    #[command(flatten, next_help_heading = "State store")]
    pub store: StoreArgs,
    #[command(flatten, next_help_heading = "Webhooks (serve only)")]
    pub webhooks: WebhookArgs,
    #[command(flatten, next_help_heading = "Search index (serve only)")]
    pub sync: SyncArgs,
}

/// The validated settings the rest of the program uses.
#[derive(Clone, Debug)]
pub struct Config {
    pub nextcloud_url: Url,
    pub mode: AuthMode,
    pub log_level: String,
    pub request_timeout: Duration,
    /// Present in OAuth modes.
    pub oauth: Option<OAuthConfig>,
    pub store: StoreConfig,
    pub webhooks: WebhookConfig,
    /// The background index sync behind nc_semantic_search.
    pub sync: SyncConfig,
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
    /// The setting is well formed, but what it names cannot be used (a
    /// database that is down or whose host does not resolve, a folder that
    /// cannot be written); the reason says which.
    #[error("{reason}; check {setting}")]
    Unusable {
        setting: &'static str,
        reason: String,
    },
    /// The setting is well formed, but what it names did not answer.
    #[error("{service} unreachable at {url} ({setting}): {reason}")]
    Unreachable {
        service: &'static str,
        setting: &'static str,
        url: String,
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
        let non_empty = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.trim().is_empty());
        let signals = Signals {
            client_id: non_empty(&args.oauth.oidc_client_id),
            exchange: exchange_flag(args.oauth.enable_token_exchange.as_deref())?,
            basic_credentials: non_empty(&args.nextcloud_username)
                || non_empty(&args.nextcloud_password),
            progressive_consent: args
                .store
                .enable_progressive_consent
                .as_deref()
                .filter(|r| !r.trim().is_empty())
                .map(|r| parse_bool(r, "ENABLE_PROGRESSIVE_CONSENT"))
                .transpose()?,
        };
        let choice = choose_mode(args.mode.auth_mode.as_deref(), &signals, transport)?;
        if matches!(
            choice,
            ModeChoice::PassThrough | ModeChoice::Exchange | ModeChoice::LoginFlow
        ) {
            let login_flow = match choice {
                ModeChoice::LoginFlow => Some(login_flow_policy(&args.mode)?),
                _ => None,
            };
            // The choice is final here: exchange or not no longer depends on
            // ENABLE_TOKEN_EXCHANGE being set.
            let mut oauth_args = args.oauth;
            oauth_args.enable_token_exchange = Some((choice == ModeChoice::Exchange).to_string());
            let (mode, oauth) = oauth_settings(oauth_args, &nextcloud_url, login_flow)?;
            let store = store_settings(args.store, &mode)?;
            let webhooks = webhook_settings(args.webhooks, transport, Some(&oauth.server_url))?;
            let sync = sync_settings(args.sync)?;
            return Ok(Self {
                nextcloud_url,
                mode,
                log_level: args.log_level,
                request_timeout,
                oauth: Some(oauth),
                store,
                webhooks,
                sync,
            });
        }
        if choice == ModeChoice::MultiUserBasic {
            let mode = AuthMode::MultiUserBasic;
            let store = store_settings(args.store, &mode)?;
            let server_url = match args.oauth.server_url.filter(|u| !u.trim().is_empty()) {
                Some(raw) => Some(parse_absolute_url(&raw, "NEXTCLOUD_MCP_SERVER_URL")?),
                None => None,
            };
            let webhooks = webhook_settings(args.webhooks, transport, server_url.as_ref())?;
            let sync = sync_settings(args.sync)?;
            return Ok(Self {
                nextcloud_url,
                mode,
                log_level: args.log_level,
                request_timeout,
                oauth: None,
                store,
                webhooks,
                sync,
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
        // Basic mode needs no public URL, but when one is given the webhook
        // receiver defaults next to it, as in the OAuth modes.
        let server_url = match args.oauth.server_url.filter(|u| !u.trim().is_empty()) {
            Some(raw) => Some(parse_absolute_url(&raw, "NEXTCLOUD_MCP_SERVER_URL")?),
            None => None,
        };
        let webhooks = webhook_settings(args.webhooks, transport, server_url.as_ref())?;
        let sync = sync_settings(args.sync)?;
        Ok(Self {
            nextcloud_url,
            mode,
            log_level: args.log_level,
            request_timeout,
            oauth: None,
            store,
            webhooks,
            sync,
        })
    }
}

/// A bare word is a level; the filter syntax would read `verbose` as a
/// target name and silently log nothing, so such a word is refused.
fn check_log_level(level: &str) -> Result<(), ConfigError> {
    const LEVELS: &[&str] = &["error", "warn", "info", "debug", "trace", "off"];
    let invalid = |reason: String| ConfigError::Invalid {
        setting: "NEXTCLOUD_MCP_LOG_LEVEL",
        reason,
    };
    for directive in level.split(',').map(str::trim).filter(|d| !d.is_empty()) {
        if !directive.contains('=') && !LEVELS.contains(&directive.to_ascii_lowercase().as_str()) {
            return Err(invalid(format!(
                "'{directive}' is not a level; use one of {} or target=level",
                LEVELS.join(", ")
            )));
        }
    }
    crate::app::logging::filter(level)
        .map(|_| ())
        .map_err(|e| invalid(e.to_string()))
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

/// Where `serve` listens, which host names it answers to, and its edge
/// (timeouts, connection bound, origins, basic mode's bearer token).
#[derive(Clone, Debug)]
pub struct HttpSettings {
    /// Port 0 takes any free port; the server says which one it bound.
    pub listen: SocketAddr,
    /// Host names clients may use; empty keeps the loopback-only default.
    pub allowed_hosts: Vec<String>,
    pub edge: EdgeSettings,
}

impl HttpSettings {
    pub fn from_args(
        listen: &str,
        allowed_hosts: Vec<String>,
        edge: EdgeArgs,
    ) -> Result<Self, ConfigError> {
        Ok(Self {
            listen: parse_listen(listen)?,
            allowed_hosts,
            edge: EdgeSettings::from_args(edge)?,
        })
    }

    /// 127.0.0.1 on any free port, loopback host names only, default edge.
    pub fn loopback_any_port() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            allowed_hosts: Vec::new(),
            edge: EdgeSettings::default(),
        }
    }
}

mod admin;
mod edge;
mod mode;
mod oauth;
mod stdio_help;
mod store;
mod sync;
mod telemetry;
mod webhooks;

pub use admin::{AdminAction, AdminArgs};
pub use edge::{EdgeArgs, EdgeSettings};
pub use mode::ModeArgs;
use mode::{ModeChoice, Signals, choose_mode, exchange_flag, login_flow_policy};
use oauth::oauth_settings;
pub use oauth::{OAuthArgs, OAuthConfig, default_callback_url};
use store::store_settings;
pub use store::{StoreAccess, StoreArgs, StoreConfig};
mod embeddings;
pub use embeddings::{EmbeddingsArgs, EmbeddingsConfig};
use sync::sync_settings;
pub use sync::{SyncArgs, SyncConfig};
pub use telemetry::{LogFormat, TelemetryArgs, TelemetrySettings};
use webhooks::webhook_settings;
pub use webhooks::{DEFAULT_QUEUE_CAPACITY, WebhookArgs, WebhookConfig};

#[cfg(test)]
mod tests;
