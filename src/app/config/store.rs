//! Store settings: where state lives, how refresh tokens are sealed, and
//! progressive consent with its client registry.

use std::time::Duration;

use clap::Args;
use secrecy::SecretString;

use super::{ConfigError, parse_bool};
use crate::adapters::store::crypto::Keyring;
use crate::domain::credential::AuthMode;

/// Where state lives (refresh tokens, webhooks, audit) and how it is sealed.
#[derive(Args, Debug, Default)]
pub struct StoreArgs {
    /// SQLite file (the embedded default); created on first start.
    #[arg(long, env = "TOKEN_STORAGE_DB")]
    pub token_storage_db: Option<String>,
    /// A postgres:// URL for deployments with several replicas, or sqlite:PATH; wins over TOKEN_STORAGE_DB.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// base64 of 32 random bytes (optionally "N:base64" for key version N); seals refresh tokens.
    #[arg(long, env = "TOKEN_ENCRYPTION_KEY", hide_env_values = true)]
    pub token_encryption_key: Option<String>,
    /// Older keys, comma-separated "N:base64", still accepted for opening rows until re-sealed.
    #[arg(long, env = "TOKEN_ENCRYPTION_PREVIOUS_KEYS", hide_env_values = true)]
    pub token_encryption_previous_keys: Option<String>,
    /// Let users grant offline access for background jobs (OAuth pass-through mode).
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

/// The store: opened only when a feature needs it (webhooks, offline access,
/// the audit log of OAuth modes) or its location was set explicitly.
#[derive(Clone)]
pub struct StoreConfig {
    /// A SQLite path or a postgres:// URL.
    pub location: SecretString,
    /// TOKEN_STORAGE_DB or DATABASE_URL was set (not the default path).
    pub location_set: bool,
    pub keyring: Option<Keyring>,
    /// Offline access is on (pass-through OAuth mode only).
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

/// The shortest grant refresh interval accepted.
pub(super) const MIN_GRANT_REFRESH_SECS: u64 = 2;

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

/// Where the store is and the keys that seal it: the part of the store
/// settings `serve` and `admin` share, parsed by this one function so the two
/// always open the same store.
pub struct StoreAccess {
    /// A SQLite path or a postgres:// URL.
    pub location: SecretString,
    pub keyring: Option<Keyring>,
}

impl StoreArgs {
    /// DATABASE_URL wins over TOKEN_STORAGE_DB; without either, the SQLite
    /// file in the user's data folder. The key is optional here; `serve`
    /// insists on one when progressive consent is on.
    pub fn access(&self) -> Result<StoreAccess, ConfigError> {
        let keyring = match self
            .token_encryption_key
            .as_deref()
            .filter(|k| !k.trim().is_empty())
        {
            Some(current) => Some(
                Keyring::parse(current, self.token_encryption_previous_keys.as_deref()).map_err(
                    |e| ConfigError::Invalid {
                        // The key alone parsing means the older keys are at fault.
                        setting: if Keyring::parse(current, None).is_ok() {
                            "TOKEN_ENCRYPTION_PREVIOUS_KEYS"
                        } else {
                            "TOKEN_ENCRYPTION_KEY"
                        },
                        reason: e.to_string(),
                    },
                )?,
            ),
            None => None,
        };
        let location = self
            .database_url
            .clone()
            .filter(|u| !u.trim().is_empty())
            .or(self
                .token_storage_db
                .clone()
                .filter(|p| !p.trim().is_empty()))
            .unwrap_or_else(default_store_path);
        Ok(StoreAccess {
            location: SecretString::from(location),
            keyring,
        })
    }
}

pub(super) fn store_settings(args: StoreArgs, mode: &AuthMode) -> Result<StoreConfig, ConfigError> {
    let consent_flag = args
        .enable_progressive_consent
        .clone()
        .or_else(|| std::env::var("ENABLE_OFFLINE_ACCESS").ok());
    let consent_requested = match consent_flag {
        Some(raw) => parse_bool(&raw, "ENABLE_PROGRESSIVE_CONSENT")?,
        None => mode.is_oauth(),
    };
    // Offline access stores refresh tokens for background jobs of pass-through
    // deployments; basic mode has no IdP and exchange mode no stored grants.
    let progressive_consent = consent_requested && matches!(mode, AuthMode::PassThrough { .. });
    let location_set = [&args.database_url, &args.token_storage_db]
        .iter()
        .any(|v| v.as_deref().is_some_and(|v| !v.trim().is_empty()));
    let StoreAccess { location, keyring } = args.access()?;
    if keyring.is_none() && matches!(mode, AuthMode::LoginFlow(_)) {
        return Err(ConfigError::Missing {
            setting: "TOKEN_ENCRYPTION_KEY",
            hint: "login-flow mode stores each user's Nextcloud app password sealed; set 32 random bytes in base64 (openssl rand -base64 32)",
        });
    }
    if keyring.is_none() && progressive_consent {
        return Err(ConfigError::Missing {
            setting: "TOKEN_ENCRYPTION_KEY",
            hint: "progressive consent stores refresh tokens sealed; set 32 random bytes in base64 (openssl rand -base64 32), or ENABLE_PROGRESSIVE_CONSENT=false",
        });
    }
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
    // Replicas share each refresh through the store, so a short interval
    // costs one IdP call per grant per interval whatever the replica count;
    // a few seconds is allowed so tests can watch several intervals.
    if interval_secs < MIN_GRANT_REFRESH_SECS {
        return Err(ConfigError::Invalid {
            setting: "NEXTCLOUD_MCP_GRANT_REFRESH_INTERVAL",
            reason: format!("must be at least {MIN_GRANT_REFRESH_SECS} seconds"),
        });
    }
    Ok(StoreConfig {
        location,
        location_set,
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
