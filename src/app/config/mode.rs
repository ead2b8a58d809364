//! Which credential mode the server runs in: NEXTCLOUD_MCP_AUTH_MODE names it;
//! without it the older settings decide as before (NEXTCLOUD_OIDC_CLIENT_ID
//! turns OAuth on over HTTP, ENABLE_TOKEN_EXCHANGE picks exchange). When both
//! are given they must agree: a contradiction stops the server at start.

use std::collections::BTreeMap;
use std::time::Duration;

use clap::Args;

use super::{ConfigError, Transport, parse_bool};
use crate::domain::credential::LoginFlowPolicy;
use crate::domain::login_flow::{OwnerClaim, OwnershipRule};

/// The mode setting and login-flow mode's own settings.
#[derive(Args, Debug, Default, Clone)]
pub struct ModeArgs {
    /// basic, pass-through, exchange, login-flow or multi-user-basic; default: from the other settings.
    #[arg(long, env = "NEXTCLOUD_MCP_AUTH_MODE")]
    pub auth_mode: Option<String>,
    /// Login-flow mode: the token claim that must equal the Nextcloud login name (preferred_username or email).
    #[arg(long, env = "NEXTCLOUD_MCP_LOGIN_FLOW_OWNER_CLAIM")]
    pub login_flow_owner_claim: Option<String>,
    /// Login-flow mode: comma-separated "subject=login" pairs that override the claim for those users.
    #[arg(long, env = "NEXTCLOUD_MCP_LOGIN_FLOW_USER_MAP", value_delimiter = ',')]
    pub login_flow_user_map: Vec<String>,
    /// Login-flow mode: seconds between polls of a started login flow.
    #[arg(long, env = "NEXTCLOUD_MCP_LOGIN_FLOW_POLL_INTERVAL")]
    pub login_flow_poll_interval: Option<String>,
    /// Login-flow mode: rotate stored app passwords every this many seconds; 0 or unset: never.
    #[arg(long, env = "NEXTCLOUD_MCP_APP_PASSWORD_ROTATION")]
    pub app_password_rotation: Option<String>,
}

/// The mode asked for, before its own settings are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ModeChoice {
    Basic,
    PassThrough,
    Exchange,
    LoginFlow,
    MultiUserBasic,
}

impl ModeChoice {
    fn parse(raw: &str) -> Result<Self, ConfigError> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "basic" => Ok(ModeChoice::Basic),
            "pass-through" | "passthrough" => Ok(ModeChoice::PassThrough),
            "exchange" | "token-exchange" => Ok(ModeChoice::Exchange),
            "login-flow" => Ok(ModeChoice::LoginFlow),
            "multi-user-basic" => Ok(ModeChoice::MultiUserBasic),
            other => Err(ConfigError::Invalid {
                setting: "NEXTCLOUD_MCP_AUTH_MODE",
                reason: format!(
                    "'{other}' is not basic, pass-through, exchange, login-flow or multi-user-basic"
                ),
            }),
        }
    }

    fn name(self) -> &'static str {
        match self {
            ModeChoice::Basic => "basic",
            ModeChoice::PassThrough => "pass-through",
            ModeChoice::Exchange => "exchange",
            ModeChoice::LoginFlow => "login-flow",
            ModeChoice::MultiUserBasic => "multi-user-basic",
        }
    }
}

/// What the other settings say, for the contradiction check.
pub(super) struct Signals {
    pub client_id: bool,
    /// ENABLE_TOKEN_EXCHANGE as given; `None` when unset.
    pub exchange: Option<bool>,
    pub basic_credentials: bool,
    /// ENABLE_PROGRESSIVE_CONSENT as given; `None` when unset.
    pub progressive_consent: Option<bool>,
}

fn contradiction(mode: ModeChoice, reason: &str) -> ConfigError {
    ConfigError::Invalid {
        setting: "NEXTCLOUD_MCP_AUTH_MODE",
        reason: format!("{} contradicts {reason}", mode.name()),
    }
}

/// The mode: NEXTCLOUD_MCP_AUTH_MODE if set (checked against the other
/// settings), otherwise what the other settings have always meant.
pub(super) fn choose_mode(
    requested: Option<&str>,
    signals: &Signals,
    transport: Transport,
) -> Result<ModeChoice, ConfigError> {
    let Some(raw) = requested.filter(|r| !r.trim().is_empty()) else {
        return Ok(match (signals.client_id, transport) {
            (true, Transport::Http) if signals.exchange == Some(true) => ModeChoice::Exchange,
            (true, Transport::Http) => ModeChoice::PassThrough,
            _ => ModeChoice::Basic,
        });
    };
    let mode = ModeChoice::parse(raw)?;
    if transport == Transport::Stdio && mode != ModeChoice::Basic {
        return Err(ConfigError::Invalid {
            setting: "NEXTCLOUD_MCP_AUTH_MODE",
            reason: format!(
                "{} needs HTTP (`serve`); stdio has no per-caller credentials and runs in basic mode only",
                mode.name()
            ),
        });
    }
    let exchange_on = signals.exchange == Some(true);
    match mode {
        ModeChoice::Basic if exchange_on => {
            return Err(contradiction(mode, "ENABLE_TOKEN_EXCHANGE=true"));
        }
        ModeChoice::Basic if signals.client_id && transport == Transport::Http => {
            return Err(contradiction(
                mode,
                "NEXTCLOUD_OIDC_CLIENT_ID (which turns OAuth on); unset one of them",
            ));
        }
        ModeChoice::PassThrough | ModeChoice::LoginFlow if exchange_on => {
            return Err(contradiction(mode, "ENABLE_TOKEN_EXCHANGE=true"));
        }
        ModeChoice::Exchange if signals.exchange == Some(false) => {
            return Err(contradiction(mode, "ENABLE_TOKEN_EXCHANGE=false"));
        }
        ModeChoice::LoginFlow if signals.progressive_consent == Some(true) => {
            return Err(contradiction(
                mode,
                "ENABLE_PROGRESSIVE_CONSENT=true (login-flow's connect tools replace offline consent)",
            ));
        }
        ModeChoice::MultiUserBasic if signals.client_id || exchange_on => {
            return Err(contradiction(
                mode,
                "the OAuth settings (NEXTCLOUD_OIDC_CLIENT_ID, ENABLE_TOKEN_EXCHANGE): multi-user-basic has no identity provider",
            ));
        }
        ModeChoice::MultiUserBasic if signals.basic_credentials => {
            return Err(contradiction(
                mode,
                "NEXTCLOUD_USERNAME/NEXTCLOUD_PASSWORD: each request brings its own credential",
            ));
        }
        _ => {}
    }
    if matches!(
        mode,
        ModeChoice::PassThrough | ModeChoice::Exchange | ModeChoice::LoginFlow
    ) && !signals.client_id
    {
        return Err(ConfigError::Missing {
            setting: "NEXTCLOUD_OIDC_CLIENT_ID",
            hint: "this mode authenticates callers with the identity provider; set this server's client id there",
        });
    }
    Ok(mode)
}

fn seconds(raw: Option<&str>, setting: &'static str) -> Result<Option<u64>, ConfigError> {
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(raw) => raw.parse().map(Some).map_err(|_| ConfigError::Invalid {
            setting,
            reason: format!("'{raw}' is not a whole number of seconds"),
        }),
    }
}

/// Login-flow mode's ownership rule, polling and rotation.
pub(super) fn login_flow_policy(args: &ModeArgs) -> Result<LoginFlowPolicy, ConfigError> {
    let claim = match args.login_flow_owner_claim.as_deref() {
        Some(raw) if !raw.trim().is_empty() => {
            OwnerClaim::parse(raw).ok_or_else(|| ConfigError::Invalid {
                setting: "NEXTCLOUD_MCP_LOGIN_FLOW_OWNER_CLAIM",
                reason: format!("'{raw}' is not preferred_username or email"),
            })?
        }
        _ => OwnerClaim::PreferredUsername,
    };
    let mut mapping = BTreeMap::new();
    for pair in args
        .login_flow_user_map
        .iter()
        .filter(|p| !p.trim().is_empty())
    {
        let (subject, login) = pair
            .split_once('=')
            .map(|(s, l)| (s.trim(), l.trim()))
            .filter(|(s, l)| !s.is_empty() && !l.is_empty())
            .ok_or_else(|| ConfigError::Invalid {
                setting: "NEXTCLOUD_MCP_LOGIN_FLOW_USER_MAP",
                reason: format!("'{pair}' is not subject=login"),
            })?;
        if mapping
            .insert(subject.to_string(), login.to_string())
            .is_some()
        {
            return Err(ConfigError::Invalid {
                setting: "NEXTCLOUD_MCP_LOGIN_FLOW_USER_MAP",
                reason: format!("subject {subject} is mapped twice"),
            });
        }
    }
    let poll = seconds(
        args.login_flow_poll_interval.as_deref(),
        "NEXTCLOUD_MCP_LOGIN_FLOW_POLL_INTERVAL",
    )?
    .unwrap_or(5);
    if !(1..=60).contains(&poll) {
        return Err(ConfigError::Invalid {
            setting: "NEXTCLOUD_MCP_LOGIN_FLOW_POLL_INTERVAL",
            reason: format!("{poll} is outside 1..=60 seconds"),
        });
    }
    let rotation = seconds(
        args.app_password_rotation.as_deref(),
        "NEXTCLOUD_MCP_APP_PASSWORD_ROTATION",
    )?
    .filter(|s| *s > 0);
    if rotation.is_some_and(|s| s < 60) {
        return Err(ConfigError::Invalid {
            setting: "NEXTCLOUD_MCP_APP_PASSWORD_ROTATION",
            reason: "rotate at most once a minute (or 0 for never)".into(),
        });
    }
    Ok(LoginFlowPolicy {
        owner: OwnershipRule { claim, mapping },
        rotate_every: rotation.map(Duration::from_secs),
        poll_every: Duration::from_secs(poll),
    })
}

/// ENABLE_TOKEN_EXCHANGE as given, `None` when unset or empty.
pub(super) fn exchange_flag(raw: Option<&str>) -> Result<Option<bool>, ConfigError> {
    raw.filter(|r| !r.trim().is_empty())
        .map(|r| parse_bool(r, "ENABLE_TOKEN_EXCHANGE"))
        .transpose()
}
