//! The HTTP edge's settings: timeouts and the connection bound, the browser
//! origins allowed on `/mcp`, and basic mode's static bearer token.

use std::net::SocketAddr;
use std::time::Duration;

use clap::Args;
use secrecy::{ExposeSecret, SecretString};

use super::{ConfigError, parse_bool};
use crate::adapters::http::origin::canonical_origin;
use crate::adapters::http::serve::EdgeLimits;
use crate::domain::credential::AuthMode;

/// The shortest static bearer token accepted: it is the only thing between
/// the network and the shared app password.
const MIN_BASIC_TOKEN_CHARS: usize = 32;

/// Flags of `serve` for the HTTP edge.
#[derive(Args, Debug, Default, Clone)]
pub struct EdgeArgs {
    /// Seconds a client may take to send a request's headers.
    #[arg(long, env = "NEXTCLOUD_MCP_HEADER_TIMEOUT")]
    pub header_timeout: Option<String>,
    /// Seconds a client may take to send a request's body.
    #[arg(long, env = "NEXTCLOUD_MCP_BODY_TIMEOUT")]
    pub body_timeout: Option<String>,
    /// Seconds a request may take in all before it is answered 503.
    #[arg(long, env = "NEXTCLOUD_MCP_REQUEST_DEADLINE")]
    pub request_deadline: Option<String>,
    /// Connections open at once; more are answered 503 and closed.
    #[arg(long, env = "NEXTCLOUD_MCP_MAX_CONNECTIONS")]
    pub max_connections: Option<String>,
    /// Browser origins (besides loopback and this server's own host) allowed on /mcp.
    #[arg(long, env = "NEXTCLOUD_MCP_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Vec<String>,
    /// Basic mode: allow a listen address beyond loopback (needs NEXTCLOUD_MCP_BASIC_TOKEN).
    #[arg(long, env = "NEXTCLOUD_MCP_BASIC_ALLOW_REMOTE")]
    pub basic_allow_remote: Option<String>,
    /// Basic mode: the bearer token every /mcp request must carry. Prefer the environment variable.
    #[arg(long, env = "NEXTCLOUD_MCP_BASIC_TOKEN", hide_env_values = true)]
    pub basic_token: Option<String>,
}

/// The validated edge settings.
#[derive(Clone, Debug, Default)]
pub struct EdgeSettings {
    pub limits: EdgeLimits,
    /// Canonical origins (`scheme://host[:port]`).
    pub allowed_origins: Vec<String>,
    pub basic_allow_remote: bool,
    pub basic_token: Option<SecretString>,
}

fn seconds(
    raw: Option<&str>,
    setting: &'static str,
    default: Duration,
    max: u64,
) -> Result<Duration, ConfigError> {
    let Some(raw) = raw.filter(|r| !r.trim().is_empty()) else {
        return Ok(default);
    };
    let secs: u64 = raw.trim().parse().map_err(|_| ConfigError::Invalid {
        setting,
        reason: format!("'{raw}' is not a whole number of seconds"),
    })?;
    if !(1..=max).contains(&secs) {
        return Err(ConfigError::Invalid {
            setting,
            reason: format!("{secs} is outside 1..={max} seconds"),
        });
    }
    Ok(Duration::from_secs(secs))
}

impl EdgeSettings {
    pub fn from_args(args: EdgeArgs) -> Result<Self, ConfigError> {
        let defaults = EdgeLimits::default();
        let max_connections = match args.max_connections.as_deref().map(str::trim) {
            None | Some("") => defaults.max_connections,
            Some(raw) => raw
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=65_536).contains(n))
                .ok_or_else(|| ConfigError::Invalid {
                    setting: "NEXTCLOUD_MCP_MAX_CONNECTIONS",
                    reason: format!("'{raw}' is not a number in 1..=65536"),
                })?,
        };
        let limits = EdgeLimits {
            header_read_timeout: seconds(
                args.header_timeout.as_deref(),
                "NEXTCLOUD_MCP_HEADER_TIMEOUT",
                defaults.header_read_timeout,
                300,
            )?,
            body_read_timeout: seconds(
                args.body_timeout.as_deref(),
                "NEXTCLOUD_MCP_BODY_TIMEOUT",
                defaults.body_read_timeout,
                3600,
            )?,
            request_deadline: seconds(
                args.request_deadline.as_deref(),
                "NEXTCLOUD_MCP_REQUEST_DEADLINE",
                defaults.request_deadline,
                3600,
            )?,
            max_connections,
        };
        let allowed_origins = args
            .allowed_origins
            .iter()
            .filter(|o| !o.trim().is_empty())
            .map(|o| canonical_origin(o))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|reason| ConfigError::Invalid {
                setting: "NEXTCLOUD_MCP_ALLOWED_ORIGINS",
                reason,
            })?;
        let basic_allow_remote = match args.basic_allow_remote.as_deref() {
            Some(raw) => parse_bool(raw, "NEXTCLOUD_MCP_BASIC_ALLOW_REMOTE")?,
            None => false,
        };
        let basic_token = args.basic_token.filter(|t| !t.is_empty());
        if let Some(token) = &basic_token {
            let chars = token.chars().count();
            if chars < MIN_BASIC_TOKEN_CHARS || token.chars().any(|c| !c.is_ascii_graphic()) {
                return Err(ConfigError::Invalid {
                    setting: "NEXTCLOUD_MCP_BASIC_TOKEN",
                    reason: format!(
                        "use at least {MIN_BASIC_TOKEN_CHARS} printable ASCII characters without spaces, e.g. from `openssl rand -hex 32`"
                    ),
                });
            }
        }
        Ok(Self {
            limits,
            allowed_origins,
            basic_allow_remote,
            basic_token: basic_token.map(SecretString::from),
        })
    }

    /// The static bearer `/mcp` requires, if any, for `mode` served on
    /// `listen`. Basic mode beyond loopback must be asked for and then needs
    /// the token; OAuth modes verify bearer tokens with the IdP instead.
    pub fn basic_bearer(
        &self,
        mode: &AuthMode,
        listen: SocketAddr,
    ) -> Result<Option<SecretString>, ConfigError> {
        if matches!(mode, AuthMode::MultiUserBasic) {
            return self.multi_user_basic(listen).map(|()| None);
        }
        if !matches!(mode, AuthMode::Basic { .. }) {
            if self.basic_token.is_some() {
                return Err(ConfigError::Invalid {
                    setting: "NEXTCLOUD_MCP_BASIC_TOKEN",
                    reason: "only basic mode uses it; OAuth modes verify bearer tokens with the identity provider".into(),
                });
            }
            return Ok(None);
        }
        if listen.ip().is_loopback() {
            return Ok(self.basic_token.clone());
        }
        if !self.basic_allow_remote {
            return Err(ConfigError::Invalid {
                setting: "NEXTCLOUD_MCP_LISTEN",
                reason: format!(
                    "{listen} is reachable beyond this machine, and basic mode acts for every caller with the shared app password; \
                     listen on 127.0.0.1, or set NEXTCLOUD_MCP_BASIC_ALLOW_REMOTE=true and NEXTCLOUD_MCP_BASIC_TOKEN"
                ),
            });
        }
        match &self.basic_token {
            Some(token) => Ok(Some(SecretString::from(token.expose_secret().to_string()))),
            None => Err(ConfigError::Missing {
                setting: "NEXTCLOUD_MCP_BASIC_TOKEN",
                hint: "basic mode beyond loopback needs a static bearer token that every /mcp request carries",
            }),
        }
    }

    /// Multi-user basic sends a Nextcloud app password with every request,
    /// and this server serves plain HTTP: beyond loopback that must be asked
    /// for (a TLS-terminating proxy in front). Each request brings its own
    /// credential, so the static token has no place here.
    fn multi_user_basic(&self, listen: SocketAddr) -> Result<(), ConfigError> {
        if self.basic_token.is_some() {
            return Err(ConfigError::Invalid {
                setting: "NEXTCLOUD_MCP_BASIC_TOKEN",
                reason: "multi-user-basic does not use it: every request carries its own Nextcloud app password".into(),
            });
        }
        if listen.ip().is_loopback() || self.basic_allow_remote {
            return Ok(());
        }
        Err(ConfigError::Invalid {
            setting: "NEXTCLOUD_MCP_LISTEN",
            reason: format!(
                "{listen} is reachable beyond this machine, and in multi-user-basic mode every request carries \
                 a Nextcloud app password over this server's plain HTTP; listen on 127.0.0.1, or put a \
                 TLS-terminating proxy in front and set NEXTCLOUD_MCP_BASIC_ALLOW_REMOTE=true"
            ),
        })
    }
}
