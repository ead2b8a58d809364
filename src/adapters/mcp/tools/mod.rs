//! One folder per Nextcloud app. Each folder's `router()` returns the app's
//! tools together with what gates them (the optional app they belong to, the
//! soft scopes they need), so the gating table is built from where a tool
//! lives and a new app is one folder plus one line in [`every_app`].

use std::ops::{Add, AddAssign};

use rmcp::handler::server::router::tool::ToolRouter;

use super::NextcloudMcp;
use super::schema::harden;
use super::tool_scopes::{Access, ToolScopes};
use crate::domain::capabilities::App;

mod calendar;
mod capabilities;
mod collectives;
mod consent;
mod contacts;
mod cookbook;
mod deck;
mod files;
mod news;
mod notes;
mod search;
mod shares;
mod tables;
mod webhooks;

/// Every tool this server offers; the offline-access tools only when
/// progressive consent is on.
pub(super) fn every_app(consent: bool, index: bool) -> AppRouter {
    let mut tools = notes::router()
        + files::router()
        + calendar::router()
        + contacts::router()
        + deck::router()
        + shares::router()
        + search::router()
        + tables::router()
        + cookbook::router()
        + collectives::router()
        + news::router()
        + webhooks::router()
        + capabilities::router();
    if consent {
        tools += consent::router();
    }
    if index {
        tools += search::index::router();
    }
    harden(&mut tools.tools);
    tools
}

/// Tools and the table that gates them, built together so neither can name
/// a tool the other lacks.
pub(super) struct AppRouter {
    pub tools: ToolRouter<NextcloudMcp>,
    pub scopes: ToolScopes,
}

impl AppRouter {
    /// `tools` belong to `app` (`None`: core Nextcloud, or this server itself)
    /// and need `access`.
    fn new(app: Option<App>, access: Access, tools: ToolRouter<NextcloudMcp>) -> Self {
        let scopes = ToolScopes::of(&tools.list_all(), app, access);
        Self { tools, scopes }
    }
}

impl Add for AppRouter {
    type Output = Self;

    fn add(mut self, other: Self) -> Self {
        self += other;
        self
    }
}

impl AddAssign for AppRouter {
    fn add_assign(&mut self, other: Self) {
        self.tools += other.tools;
        self.scopes.merge(other.scopes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::scopes::Scope;

    #[test]
    fn every_tool_is_gated_by_the_folder_it_lives_in() {
        let AppRouter { tools, scopes } = every_app(true, true);
        for tool in tools.list_all() {
            assert!(scopes.required(&tool.name).is_some(), "{}", tool.name);
        }
        assert_eq!(scopes.app("deck_get_boards"), Some(App::Deck));
        assert_eq!(scopes.app("nc_share_list"), Some(App::Sharing));
        assert_eq!(scopes.app("nc_tables_list_tables"), Some(App::Tables));
        assert_eq!(scopes.app("nc_cookbook_get_recipe"), Some(App::Cookbook));
        assert_eq!(scopes.app("collectives_get_pages"), Some(App::Collectives));
        assert_eq!(scopes.app("nc_news_list_items"), Some(App::News));
        assert_eq!(scopes.app("nc_notes_get_note"), Some(App::Notes));
        assert_eq!(scopes.app("nc_webdav_read_file"), None);
        assert_eq!(scopes.app("nc_search_query"), None);
        assert_eq!(scopes.app("nc_refresh_capabilities"), None);

        let need = |name: &str| scopes.required(name).unwrap().to_vec();
        assert_eq!(need("nc_calendar_list_todos"), [Scope::TodoRead]);
        assert_eq!(need("nc_calendar_complete_todo"), [Scope::TodoWrite]);
        assert_eq!(need("nc_calendar_search_todos"), [Scope::TodoRead]);
        assert_eq!(need("nc_calendar_list_events"), [Scope::CalendarRead]);
        assert_eq!(need("nc_calendar_create_event"), [Scope::CalendarWrite]);
        assert_eq!(need("nc_refresh_capabilities"), [Scope::WebhooksAdmin]);
        assert_eq!(need("nc_webhooks_list"), [Scope::WebhooksAdmin]);
        assert_eq!(need("nc_search_query"), [Scope::SearchRead]);
        assert_eq!(need("collectives_get_page"), [Scope::CollectivesRead]);
        assert_eq!(
            need("collectives_update_page_content"),
            [Scope::CollectivesWrite]
        );
        assert_eq!(need("nc_news_get_item"), [Scope::NewsRead]);
        assert_eq!(need("nc_news_add_feed"), [Scope::NewsWrite]);
        assert!(need("provision_nextcloud_access").is_empty());
    }

    #[test]
    fn offline_access_tools_exist_only_with_progressive_consent() {
        let names = |consent| -> Vec<String> {
            every_app(consent, false)
                .tools
                .list_all()
                .into_iter()
                .map(|t| t.name.to_string())
                .collect()
        };
        let with = names(true);
        let without = names(false);
        assert!(with.iter().any(|n| n == "provision_nextcloud_access"));
        assert!(!without.iter().any(|n| n == "provision_nextcloud_access"));
        assert_eq!(with.len(), without.len() + 3);
    }

    #[test]
    fn index_tools_exist_only_with_the_sync_on() {
        let names = |index| -> Vec<String> {
            every_app(false, index)
                .tools
                .list_all()
                .into_iter()
                .map(|t| t.name.to_string())
                .collect()
        };
        let with = names(true);
        let without = names(false);
        for tool in ["nc_semantic_search", "nc_get_vector_sync_status"] {
            assert!(with.iter().any(|n| n == tool), "{tool}");
            assert!(!without.iter().any(|n| n == tool), "{tool}");
        }
        assert_eq!(with.len(), without.len() + 2);
    }
}
