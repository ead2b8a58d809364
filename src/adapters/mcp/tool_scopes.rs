//! Which soft scopes each tool needs: the app comes from the tool's name
//! prefix, read or write from its `readOnlyHint`. Built once from the router.

use std::collections::HashMap;

use rmcp::model::Tool;

use crate::domain::scopes::{MissingScopes, Scope, ScopeCheck, ScopeSet};

/// Tool-name prefix -> (scope for reading, scope for writing); the first
/// match wins. A `*` in a prefix stands for any text, so
/// `nc_calendar_*_todo` takes the task tools (`nc_calendar_list_todos`,
/// `nc_calendar_complete_todo`...) before the general calendar rule.
const APP_SCOPES: &[(&str, Scope, Scope)] = &[
    ("nc_notes_", Scope::NotesRead, Scope::NotesWrite),
    ("nc_webdav_", Scope::FilesRead, Scope::FilesWrite),
    ("nc_calendar_*_todo", Scope::TodoRead, Scope::TodoWrite),
    ("nc_calendar_", Scope::CalendarRead, Scope::CalendarWrite),
    ("nc_contacts_", Scope::ContactsRead, Scope::ContactsWrite),
    ("nc_deck_", Scope::DeckRead, Scope::DeckWrite),
    ("nc_share_", Scope::SharesRead, Scope::SharesWrite),
    ("nc_search_", Scope::SearchRead, Scope::SearchRead),
    // The reference server names its Deck tools `deck_*`.
    ("deck_", Scope::DeckRead, Scope::DeckWrite),
    ("nc_tables_", Scope::TablesRead, Scope::TablesWrite),
    ("nc_cookbook_", Scope::CookbookRead, Scope::CookbookWrite),
    // Re-probing changes the tool list every caller sees: admin only.
    (
        "nc_refresh_capabilities",
        Scope::WebhooksAdmin,
        Scope::WebhooksAdmin,
    ),
    ("nc_webhooks_", Scope::WebhooksAdmin, Scope::WebhooksAdmin),
];

/// Tools any authenticated caller may use on their own behalf.
const UNSCOPED: &[&str] = &[
    "provision_nextcloud_access",
    "check_provisioning_status",
    "revoke_nextcloud_access",
];

/// `prefix` is a plain prefix, or `head*tail`: starts with head, and tail
/// occurs somewhere after it.
fn name_matches(prefix: &str, name: &str) -> bool {
    match prefix.split_once('*') {
        Some((head, tail)) => name
            .strip_prefix(head)
            .is_some_and(|rest| rest.contains(tail)),
        None => name.starts_with(prefix),
    }
}

#[derive(Clone, Debug, Default)]
pub struct ToolScopes(HashMap<String, Vec<Scope>>);

impl ToolScopes {
    /// Panics on a tool whose app has no scope: every tool must be gated, and
    /// the tests build this table, so a new app cannot slip through ungated.
    pub fn from_tools(tools: &[Tool]) -> Self {
        let table = tools
            .iter()
            .map(|tool| {
                if UNSCOPED.contains(&tool.name.as_ref()) {
                    return (tool.name.to_string(), Vec::new());
                }
                let read_only = tool
                    .annotations
                    .as_ref()
                    .and_then(|a| a.read_only_hint)
                    .unwrap_or(false);
                let (_, read, write) = APP_SCOPES
                    .iter()
                    .find(|(prefix, _, _)| name_matches(prefix, &tool.name))
                    .unwrap_or_else(|| panic!("tool {} has no scope mapping", tool.name));
                let scope = if read_only { *read } else { *write };
                (tool.name.to_string(), vec![scope])
            })
            .collect();
        Self(table)
    }

    pub fn required(&self, tool: &str) -> Option<&[Scope]> {
        self.0.get(tool).map(Vec::as_slice)
    }

    /// `Ok` if `granted` allows `tool` (unknown tools are left to the router,
    /// which answers them as unknown).
    pub fn check(&self, tool: &str, granted: &ScopeSet) -> Result<(), MissingScopes> {
        match self.required(tool) {
            Some(required) => ScopeCheck::new(granted).require(required),
            None => Ok(()),
        }
    }

    /// Every scope some tool needs, for RFC 9728 `scopes_supported`.
    pub fn all_scopes(&self) -> Vec<&'static str> {
        let set: ScopeSet = self.0.values().flatten().copied().collect();
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
        let scopes = ToolScopes::from_tools(&[
            tool("nc_notes_get_note", true),
            tool("nc_notes_delete_note", false),
            tool("nc_webdav_read_file", true),
        ]);
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
    fn task_tools_need_todo_scopes_and_event_tools_calendar_scopes() {
        let scopes = ToolScopes::from_tools(&[
            tool("nc_calendar_list_todos", true),
            tool("nc_calendar_complete_todo", false),
            tool("nc_calendar_search_todos", true),
            tool("nc_calendar_list_events", true),
            tool("nc_calendar_create_event", false),
        ]);
        let need = |name: &str| scopes.required(name).unwrap()[0];
        assert_eq!(need("nc_calendar_list_todos"), Scope::TodoRead);
        assert_eq!(need("nc_calendar_complete_todo"), Scope::TodoWrite);
        assert_eq!(need("nc_calendar_search_todos"), Scope::TodoRead);
        assert_eq!(need("nc_calendar_list_events"), Scope::CalendarRead);
        assert_eq!(need("nc_calendar_create_event"), Scope::CalendarWrite);
    }

    #[test]
    #[should_panic(expected = "no scope mapping")]
    fn an_unmapped_tool_is_refused() {
        ToolScopes::from_tools(&[tool("nc_mystery_thing", true)]);
    }
}
