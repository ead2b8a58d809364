//! The background index sync: on or off, how often, which apps. The names
//! are the reference server's, so deployments can switch without renaming.

use std::time::Duration;

use clap::Args;

use super::embeddings::{EmbeddingsArgs, EmbeddingsConfig, embeddings_settings, model_dir_setting};
use super::{ConfigError, parse_bool};
use crate::domain::index::DocApp;

#[derive(Args, Debug, Default)]
pub struct SyncArgs {
    /// Keep a search index of each connected user's Nextcloud (notes, files, calendars,
    /// contacts, Deck) for nc_semantic_search. The index holds their text in the store.
    #[arg(long, env = "VECTOR_SYNC_ENABLED")]
    pub vector_sync_enabled: Option<String>,
    /// Seconds between sync passes (at least 1; default 300).
    #[arg(long, env = "VECTOR_SYNC_SCAN_INTERVAL")]
    pub vector_sync_scan_interval: Option<String>,
    /// The apps indexed, comma separated (default: notes,files,calendar,contacts,deck).
    #[arg(long, env = "VECTOR_SYNC_APPS")]
    pub vector_sync_apps: Option<String>,
    #[command(flatten)]
    pub embeddings: EmbeddingsArgs,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncConfig {
    pub enabled: bool,
    pub interval: Duration,
    pub apps: Vec<DocApp>,
    /// Present when an embedding service is configured: hybrid search.
    pub embeddings: Option<EmbeddingsConfig>,
    /// Present when a model runs in this process instead (never with
    /// `embeddings`).
    pub model_dir: Option<std::path::PathBuf>,
}

pub const DEFAULT_SCAN_INTERVAL: Duration = Duration::from_secs(300);

impl Default for SyncConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            interval: DEFAULT_SCAN_INTERVAL,
            apps: DocApp::ALL.to_vec(),
            embeddings: None,
            model_dir: None,
        }
    }
}

pub(super) fn sync_settings(args: SyncArgs) -> Result<SyncConfig, ConfigError> {
    let enabled = match args.vector_sync_enabled.filter(|v| !v.trim().is_empty()) {
        Some(raw) => parse_bool(&raw, "VECTOR_SYNC_ENABLED")?,
        None => false,
    };
    let interval = match args
        .vector_sync_scan_interval
        .filter(|v| !v.trim().is_empty())
    {
        Some(raw) => match raw.trim().parse::<u64>() {
            Ok(secs) if (1..=7 * 24 * 3600).contains(&secs) => Duration::from_secs(secs),
            _ => {
                return Err(ConfigError::Invalid {
                    setting: "VECTOR_SYNC_SCAN_INTERVAL",
                    reason: format!("'{raw}' is not a whole number of seconds from 1 to 604800"),
                });
            }
        },
        None => DEFAULT_SCAN_INTERVAL,
    };
    let apps = match args.vector_sync_apps.filter(|v| !v.trim().is_empty()) {
        Some(raw) => {
            let mut apps = Vec::new();
            for name in raw.split(',').filter(|n| !n.trim().is_empty()) {
                let app = DocApp::parse(name).ok_or_else(|| ConfigError::Invalid {
                    setting: "VECTOR_SYNC_APPS",
                    reason: format!(
                        "'{}' is not one of notes, files, calendar, contacts, deck",
                        name.trim()
                    ),
                })?;
                if !apps.contains(&app) {
                    apps.push(app);
                }
            }
            apps
        }
        None => DocApp::ALL.to_vec(),
    };
    let model_dir = model_dir_setting(&args.embeddings)?;
    Ok(SyncConfig {
        enabled,
        interval,
        apps,
        embeddings: embeddings_settings(args.embeddings)?,
        model_dir,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(enabled: &str, interval: &str, apps: &str) -> SyncArgs {
        SyncArgs {
            vector_sync_enabled: Some(enabled.into()),
            vector_sync_scan_interval: Some(interval.into()),
            vector_sync_apps: Some(apps.into()),
            embeddings: Default::default(),
        }
    }

    #[test]
    fn defaults_are_off_every_five_minutes_every_app() {
        assert_eq!(
            sync_settings(SyncArgs::default()).unwrap(),
            SyncConfig::default()
        );
    }

    #[test]
    fn settings_are_read_and_checked() {
        let config = sync_settings(args("true", "2", "Notes, files,notes")).unwrap();
        assert!(config.enabled);
        assert_eq!(config.interval, Duration::from_secs(2));
        assert_eq!(config.apps, [DocApp::Notes, DocApp::Files]);
        for (bad, setting) in [
            (args("true", "0", ""), "VECTOR_SYNC_SCAN_INTERVAL"),
            (args("true", "soon", ""), "VECTOR_SYNC_SCAN_INTERVAL"),
            (args("true", "60", "notes,mail"), "VECTOR_SYNC_APPS"),
            (args("maybe", "60", ""), "VECTOR_SYNC_ENABLED"),
        ] {
            let err = sync_settings(bad).unwrap_err().to_string();
            assert!(err.starts_with(setting), "{err}");
        }
    }
}
