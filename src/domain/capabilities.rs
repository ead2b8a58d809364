//! Which optional Nextcloud apps a server has, and which tools belong to them.
//!
//! Tools of an app that is not installed are hidden and refuse calls with a
//! message that says so. Until a probe has run every app is assumed present,
//! so a server whose probe is not wired (or fails) loses nothing.

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
}

impl App {
    pub const ALL: &'static [App] = &[
        App::Notes,
        App::Deck,
        App::Sharing,
        App::Tables,
        App::Cookbook,
    ];

    /// The Nextcloud app id, which is also its capabilities key.
    pub fn app_id(self) -> &'static str {
        match self {
            App::Notes => "notes",
            App::Deck => "deck",
            App::Sharing => "files_sharing",
            App::Tables => "tables",
            App::Cookbook => "cookbook",
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
        }
    }

    /// Tool-name prefixes of this app's tools.
    fn tool_prefixes(self) -> &'static [&'static str] {
        match self {
            App::Notes => &["nc_notes_"],
            App::Deck => &["deck_", "nc_deck_"],
            App::Sharing => &["nc_share_"],
            App::Tables => &["nc_tables_"],
            App::Cookbook => &["nc_cookbook_"],
        }
    }

    /// The tool error for a call to a tool of this app while it is absent.
    pub fn not_installed_message(self) -> String {
        format!(
            "{} is not installed on this Nextcloud (or is disabled for this account); \
             an administrator can enable the '{}' app, then call nc_refresh_capabilities",
            self.display_name(),
            self.app_id()
        )
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

/// The app a tool belongs to; `None` for tools that need only core Nextcloud
/// (files, unified search) or none at all.
pub fn app_of_tool(tool: &str) -> Option<App> {
    App::ALL
        .iter()
        .copied()
        .find(|app| app.tool_prefixes().iter().any(|p| tool.starts_with(p)))
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
            // Older releases of these apps publish none.
            App::Tables | App::Cookbook => None,
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

    /// `Err(message)` if `tool` belongs to an app that is not installed.
    pub fn check_tool(&self, tool: &str) -> Result<(), String> {
        match app_of_tool(tool) {
            Some(app) if !self.contains(app) => Err(app.not_installed_message()),
            _ => Ok(()),
        }
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
    fn tools_map_to_their_app() {
        assert_eq!(app_of_tool("deck_get_boards"), Some(App::Deck));
        assert_eq!(app_of_tool("nc_share_list"), Some(App::Sharing));
        assert_eq!(app_of_tool("nc_tables_list_tables"), Some(App::Tables));
        assert_eq!(app_of_tool("nc_cookbook_get_recipe"), Some(App::Cookbook));
        assert_eq!(app_of_tool("nc_notes_get_note"), Some(App::Notes));
        assert_eq!(app_of_tool("nc_webdav_read_file"), None);
        assert_eq!(app_of_tool("nc_search_query"), None);
        assert_eq!(app_of_tool("nc_refresh_capabilities"), None);
    }

    #[test]
    fn default_assumes_everything_present() {
        let apps = InstalledApps::default();
        assert!(App::ALL.iter().all(|a| apps.contains(*a)));
        assert!(!apps.probed());
        assert!(apps.check_tool("deck_get_boards").is_ok());
    }

    #[test]
    fn capabilities_decide_and_probes_fill_in() {
        let probes = BTreeMap::from([(App::Tables, false), (App::Cookbook, true)]);
        let apps = InstalledApps::from_probe(&caps(&["notes", "files_sharing"], &[]), &probes);
        assert!(apps.contains(App::Notes) && apps.contains(App::Sharing));
        assert!(!apps.contains(App::Deck));
        assert!(!apps.contains(App::Tables));
        assert!(apps.contains(App::Cookbook));
        assert_eq!(
            apps.summary(),
            "found notes, files_sharing, cookbook; not found deck, tables"
        );
        let err = apps.check_tool("deck_create_card").unwrap_err();
        assert!(
            err.starts_with("Deck is not installed on this Nextcloud"),
            "{err}"
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
