//! Which optional Nextcloud apps a server has.
//!
//! Tools of an app that is not installed are hidden and refuse calls (which
//! tool belongs to which app is known only at the MCP edge, where the tools
//! live). Until a probe has run every app is assumed present, so a server
//! whose probe is not wired (or fails) loses nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;

/// An app whose tools depend on it being installed and enabled.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum App {
    Notes,
    Deck,
    Sharing,
    Tables,
    Cookbook,
    Collectives,
    News,
}

impl App {
    pub const ALL: &'static [App] = &[
        App::Notes,
        App::Deck,
        App::Sharing,
        App::Tables,
        App::Cookbook,
        App::Collectives,
        App::News,
    ];

    /// The Nextcloud app id, which is also its capabilities key.
    pub fn app_id(self) -> &'static str {
        match self {
            App::Notes => "notes",
            App::Deck => "deck",
            App::Sharing => "files_sharing",
            App::Tables => "tables",
            App::Cookbook => "cookbook",
            App::Collectives => "collectives",
            App::News => "news",
        }
    }

    /// The name a person knows the app by.
    pub fn display_name(self) -> &'static str {
        match self {
            App::Notes => "Notes",
            App::Deck => "Deck",
            App::Sharing => "File sharing",
            App::Tables => "Tables",
            App::Cookbook => "Cookbook",
            App::Collectives => "Collectives",
            App::News => "News",
        }
    }
}

/// Serialised as its app id (`files_sharing`), as in the logs.
impl Serialize for App {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.app_id())
    }
}

impl fmt::Display for App {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.app_id())
    }
}

/// What the OCS capabilities reply says about apps: every top-level key, and
/// the keys whose app reports itself disabled (`enabled: false`, or
/// `api_enabled: false` for sharing).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ServerCapabilities {
    pub version: String,
    pub keys: BTreeSet<String>,
    pub disabled: BTreeSet<String>,
}

impl ServerCapabilities {
    /// `Some(installed)` when the capabilities decide it, `None` when the app
    /// publishes no capabilities key and only a probe of its API can tell.
    pub fn decides(&self, app: App) -> Option<bool> {
        let key = app.app_id();
        if self.keys.contains(key) {
            return Some(!self.disabled.contains(key));
        }
        match app {
            // These apps always publish capabilities when enabled.
            App::Notes | App::Deck | App::Sharing => Some(false),
            // Older releases of these apps publish none, and News none at
            // all.
            App::Tables | App::Cookbook | App::Collectives | App::News => None,
        }
    }
}

/// The set of optional apps found on the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstalledApps {
    present: BTreeSet<App>,
    probed: bool,
}

impl Default for InstalledApps {
    /// Before any probe: everything assumed present.
    fn default() -> Self {
        Self::all()
    }
}

impl InstalledApps {
    pub fn all() -> Self {
        Self {
            present: App::ALL.iter().copied().collect(),
            probed: false,
        }
    }

    /// The outcome of a probe: capabilities decide where they can, the
    /// endpoint probes (`true` = the API answered) decide the rest, and an app
    /// neither can decide is assumed present rather than hidden on a guess.
    pub fn from_probe(capabilities: &ServerCapabilities, probes: &BTreeMap<App, bool>) -> Self {
        let present = App::ALL
            .iter()
            .copied()
            .filter(|app| {
                capabilities
                    .decides(*app)
                    .or_else(|| probes.get(app).copied())
                    .unwrap_or(true)
            })
            .collect();
        Self {
            present,
            probed: true,
        }
    }

    pub fn contains(&self, app: App) -> bool {
        self.present.contains(&app)
    }

    /// Whether this set came from a probe (false: the all-present default).
    pub fn probed(&self) -> bool {
        self.probed
    }

    pub fn present(&self) -> impl Iterator<Item = App> + '_ {
        self.present.iter().copied()
    }

    pub fn absent(&self) -> impl Iterator<Item = App> + '_ {
        App::ALL
            .iter()
            .copied()
            .filter(|app| !self.present.contains(app))
    }

    /// One line for the log: "found notes, deck; not found tables, cookbook".
    pub fn summary(&self) -> String {
        let join = |apps: Vec<App>| {
            if apps.is_empty() {
                "none".to_string()
            } else {
                apps.iter()
                    .map(|a| a.app_id())
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        };
        format!(
            "found {}; not found {}",
            join(self.present().collect()),
            join(self.absent().collect())
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(keys: &[&str], disabled: &[&str]) -> ServerCapabilities {
        ServerCapabilities {
            version: "34.0.1".into(),
            keys: keys.iter().map(|k| k.to_string()).collect(),
            disabled: disabled.iter().map(|k| k.to_string()).collect(),
        }
    }

    #[test]
    fn default_assumes_everything_present() {
        let apps = InstalledApps::default();
        assert!(App::ALL.iter().all(|a| apps.contains(*a)));
        assert!(!apps.probed());
        assert!(apps.contains(App::Deck));
    }

    #[test]
    fn capabilities_decide_and_probes_fill_in() {
        let probes = BTreeMap::from([
            (App::Tables, false),
            (App::Cookbook, true),
            (App::Collectives, true),
            (App::News, false),
        ]);
        let apps = InstalledApps::from_probe(&caps(&["notes", "files_sharing"], &[]), &probes);
        assert!(apps.contains(App::Notes) && apps.contains(App::Sharing));
        assert!(!apps.contains(App::Deck));
        assert!(!apps.contains(App::Tables));
        assert!(apps.contains(App::Cookbook));
        assert!(apps.contains(App::Collectives));
        assert!(!apps.contains(App::News));
        assert_eq!(
            apps.summary(),
            "found notes, files_sharing, cookbook, collectives; not found deck, tables, news"
        );
    }

    #[test]
    fn disabled_keys_and_unprobed_apps() {
        let apps = InstalledApps::from_probe(
            &caps(
                &["deck", "tables", "files_sharing"],
                &["tables", "files_sharing"],
            ),
            &BTreeMap::new(),
        );
        assert!(apps.contains(App::Deck));
        assert!(!apps.contains(App::Tables));
        assert!(!apps.contains(App::Sharing));
        // No capabilities key and no probe answer: assumed present.
        assert!(apps.contains(App::Cookbook));
    }
}
