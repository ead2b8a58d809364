//! The one table of what gates each tool: the optional Nextcloud app it
//! belongs to, and the soft scopes it needs (read or write by its
//! `readOnlyHint`). Each tool folder declares its app and scopes next to its
//! router, so the table follows from where a tool lives, not from its name.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use rmcp::model::Tool;

use crate::domain::capabilities::{App, InstalledApps};
use crate::domain::scopes::{MissingScopes, Scope, ScopeCheck, ScopeSet};

/// The soft scopes the tools of one router need.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Any authenticated caller may use them on their own behalf.
    Unscoped,
    /// `read` for tools whose `readOnlyHint` is true, `write` for the others.
    ReadWrite { read: Scope, write: Scope },
}

impl Access {
    pub const fn read_write(read: Scope, write: Scope) -> Self {
        Self::ReadWrite { read, write }
    }

    /// One scope whether the tool reads or writes.
    pub const fn only(scope: Scope) -> Self {
        Self::ReadWrite {
            read: scope,
            write: scope,
        }
    }

    fn scopes_for(self, tool: &Tool) -> Vec<Scope> {
        match self {
            Self::Unscoped => Vec::new(),
            Self::ReadWrite { read, write } => {
                let read_only = tool
                    .annotations
                    .as_ref()
                    .and_then(|a| a.read_only_hint)
                    .unwrap_or(false);
                vec![if read_only { read } else { write }]
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Gate {
    /// `None` for tools that need only core Nextcloud, or none at all.
    app: Option<App>,
    scopes: Vec<Scope>,
}

#[derive(Clone, Debug, Default)]
pub struct ToolScopes(HashMap<String, Gate>);

impl ToolScopes {
    /// The gates of `tools`, which all belong to `app` and need `access`.
    pub fn of(tools: &[Tool], app: Option<App>, access: Access) -> Self {
        let table = tools
            .iter()
            .map(|tool| {
                let gate = Gate {
                    app,
                    scopes: access.scopes_for(tool),
                };
                (tool.name.to_string(), gate)
            })
            .collect();
        Self(table)
    }

    /// Panics on a tool name both tables gate: the routers would keep one
    /// of the two tools, and the table could gate it as the other. Every
    /// server build (and so every test that starts one) merges all tables,
    /// so a clash cannot ship.
    pub fn merge(&mut self, other: Self) {
        for (name, gate) in other.0 {
            match self.0.entry(name) {
                Entry::Occupied(taken) => panic!("tool {} is declared twice", taken.key()),
                Entry::Vacant(free) => {
                    free.insert(gate);
                }
            }
        }
    }

    pub fn required(&self, tool: &str) -> Option<&[Scope]> {
        self.0.get(tool).map(|gate| gate.scopes.as_slice())
    }

    /// `Ok` if `granted` allows `tool` (unknown tools are left to the router,
    /// which answers them as unknown).
    pub fn check(&self, tool: &str, granted: &ScopeSet) -> Result<(), MissingScopes> {
        match self.required(tool) {
            Some(required) => ScopeCheck::new(granted).require(required),
            None => Ok(()),
        }
    }

    /// The optional app `tool` belongs to.
    pub fn app(&self, tool: &str) -> Option<App> {
        self.0.get(tool).and_then(|gate| gate.app)
    }

    /// `Err(message)` if `tool` belongs to an app `installed` lacks; the
    /// message tells an administrator how to bring the tool back.
    pub fn check_installed(&self, tool: &str, installed: &InstalledApps) -> Result<(), String> {
        match self.app(tool) {
            Some(app) if !installed.contains(app) => Err(format!(
                "{} is not installed on this Nextcloud (or is disabled for this account); \
                 an administrator can enable the '{}' app, then call nc_refresh_capabilities",
                app.display_name(),
                app.app_id()
            )),
            _ => Ok(()),
        }
    }

    /// Every scope some tool needs, for RFC 9728 `scopes_supported`.
    pub fn all_scopes(&self) -> Vec<&'static str> {
        let set: ScopeSet = self
            .0
            .values()
            .flat_map(|gate| gate.scopes.iter().copied())
            .collect();
        set.iter().map(Scope::as_str).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rmcp::model::ToolAnnotations;
    use std::sync::Arc;

    fn tool(name: &str, read_only: bool) -> Tool {
        Tool::new(name.to_string(), "d", Arc::new(serde_json::Map::new()))
            .with_annotations(ToolAnnotations::new().read_only(read_only))
    }

    #[test]
    fn read_tools_need_read_and_write_tools_need_write() {
        let mut scopes = ToolScopes::of(
            &[
                tool("nc_notes_get_note", true),
                tool("nc_notes_delete_note", false),
            ],
            Some(App::Notes),
            Access::read_write(Scope::NotesRead, Scope::NotesWrite),
        );
        scopes.merge(ToolScopes::of(
            &[tool("nc_webdav_read_file", true)],
            None,
            Access::read_write(Scope::FilesRead, Scope::FilesWrite),
        ));
        assert_eq!(
            scopes.required("nc_notes_get_note"),
            Some(&[Scope::NotesRead][..])
        );
        assert_eq!(
            scopes.required("nc_notes_delete_note"),
            Some(&[Scope::NotesWrite][..])
        );
        assert_eq!(
            scopes.required("nc_webdav_read_file"),
            Some(&[Scope::FilesRead][..])
        );
        let reader = ScopeSet::from_oauth("openid notes:read");
        assert!(scopes.check("nc_notes_get_note", &reader).is_ok());
        let missing = scopes.check("nc_notes_delete_note", &reader).unwrap_err();
        assert_eq!(missing.challenge_scope(), "notes:write");
        assert_eq!(
            scopes.all_scopes(),
            vec!["notes:read", "notes:write", "files:read"]
        );
    }

    #[test]
    fn unscoped_tools_need_nothing_and_unknown_tools_pass_to_the_router() {
        let scopes = ToolScopes::of(
            &[tool("check_provisioning_status", true)],
            None,
            Access::Unscoped,
        );
        assert_eq!(scopes.required("check_provisioning_status"), Some(&[][..]));
        let nothing = ScopeSet::from_oauth("openid");
        assert!(scopes.check("check_provisioning_status", &nothing).is_ok());
        assert_eq!(scopes.required("nc_mystery_thing"), None);
        assert!(scopes.all_scopes().is_empty());
    }

    #[test]
    fn tools_of_an_absent_app_are_refused_with_its_name() {
        let mut scopes = ToolScopes::of(
            &[tool("deck_get_boards", true)],
            Some(App::Deck),
            Access::read_write(Scope::DeckRead, Scope::DeckWrite),
        );
        scopes.merge(ToolScopes::of(
            &[tool("nc_webdav_read_file", true)],
            None,
            Access::read_write(Scope::FilesRead, Scope::FilesWrite),
        ));
        assert_eq!(scopes.app("deck_get_boards"), Some(App::Deck));
        assert_eq!(scopes.app("nc_webdav_read_file"), None);
        let without_deck = InstalledApps::from_probe(
            &crate::domain::capabilities::ServerCapabilities::default(),
            &Default::default(),
        );
        let err = scopes
            .check_installed("deck_get_boards", &without_deck)
            .unwrap_err();
        assert_eq!(
            err,
            "Deck is not installed on this Nextcloud (or is disabled for this account); \
             an administrator can enable the 'deck' app, then call nc_refresh_capabilities"
        );
        assert!(
            scopes
                .check_installed("nc_webdav_read_file", &without_deck)
                .is_ok()
        );
        assert!(
            scopes
                .check_installed("deck_get_boards", &InstalledApps::all())
                .is_ok()
        );
    }

    #[test]
    #[should_panic(expected = "tool nc_notes_get_note is declared twice")]
    fn a_tool_declared_by_two_apps_is_refused() {
        let notes = || {
            ToolScopes::of(
                &[tool("nc_notes_get_note", true)],
                Some(App::Notes),
                Access::only(Scope::NotesRead),
            )
        };
        notes().merge(notes());
    }
}
