//! Folders, feeds, a feed's health and the app's status.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars, tool, tool_router};
use serde::Deserialize;
use serde_json::json;

use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, failure, success};
use crate::adapters::mcp::paging::PageArgs;

/// A folder is a name and an id; a feed a few hundred bytes.
const DEFAULT_FOLDERS: usize = 200;
const DEFAULT_FEEDS: usize = 100;
const MAX_LISTED: usize = 1000;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct FeedIdArgs {
    /// The feed's numeric id (from nc_news_list_feeds).
    pub feed_id: u64,
}

#[tool_router(router = news_feeds_router, vis = "pub(super)")]
impl NextcloudMcp {
    #[tool(
        name = "nc_news_list_folders",
        input_schema = crate::adapters::mcp::schema::input::<PageArgs>("nc_news_list_folders"),
        description = "List your News folders (which group feeds), with their ids.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn nc_news_list_folders(
        &self,
        Parameters(page): Parameters<PageArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let paging = page.request(DEFAULT_FOLDERS, MAX_LISTED)?;
        let folders = self
            .nextcloud(&request)
            .await?
            .list_news_folders()
            .await
            .or_fail()?;
        let (shown, page) = paging.page(&folders);
        let mut text = format!("News folders: {}", folders.len());
        for f in shown {
            let name = if f.name.is_empty() {
                "(no name)"
            } else {
                &f.name
            };
            text.push_str(&format!("\n- {name} (folder {})", f.id));
        }
        Ok(success(
            &json!({ "folders": shown, "total": folders.len(), "page": page }),
            page.under(text, shown.len()),
        ))
    }

    #[tool(
        name = "nc_news_list_feeds",
        input_schema = crate::adapters::mcp::schema::input::<PageArgs>("nc_news_list_feeds"),
        description = "List your News feeds: title, address, folder, unread count, and whether updates fail.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn nc_news_list_feeds(
        &self,
        Parameters(page): Parameters<PageArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let paging = page.request(DEFAULT_FEEDS, MAX_LISTED)?;
        let list = self
            .nextcloud(&request)
            .await?
            .list_feeds()
            .await
            .or_fail()?;
        let mut text = format!(
            "News feeds: {} ({} starred items)",
            list.feeds.len(),
            list.starred_count
        );
        let (shown, page) = paging.page(&list.feeds);
        for f in shown {
            let folder = f
                .folder_id
                .map(|id| format!(", folder {id}"))
                .unwrap_or_default();
            text.push_str(&format!(
                "\n- {} (feed {}{folder}): {} unread, {}",
                f.title, f.id, f.unread_count, f.url
            ));
            if f.update_error_count > 0 {
                text.push_str(&format!(
                    " [updates failing: {} in a row]",
                    f.update_error_count
                ));
            }
        }
        Ok(success(
            &json!({
                "feeds": shown,
                "starred_count": list.starred_count,
                "newest_item_id": list.newest_item_id,
                "page": page,
            }),
            page.under(text, shown.len()),
        ))
    }

    #[tool(
        name = "nc_news_get_feed_health",
        input_schema = crate::adapters::mcp::schema::input::<FeedIdArgs>("nc_news_get_feed_health"),
        description = "Say whether a feed updates, and if not how often it failed and why.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn nc_news_get_feed_health(
        &self,
        Parameters(args): Parameters<FeedIdArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let list = self
            .nextcloud(&request)
            .await?
            .list_feeds()
            .await
            .or_fail()?;
        let feed = list
            .feeds
            .iter()
            .find(|f| f.id == args.feed_id)
            .ok_or_else(|| {
                failure(format!(
                    "news feed {} does not exist; nc_news_list_feeds lists your feeds",
                    args.feed_id
                ))
            })?;
        let health = feed.health();
        let text = format!(
            "{} (feed {}): {}",
            health.title, health.feed_id, health.summary
        );
        Ok(success(&health, text))
    }

    #[tool(
        name = "nc_news_get_status",
        description = "The News app's version and any setup problem that keeps feeds from updating.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn nc_news_get_status(&self, request: RequestContext<RoleServer>) -> ToolOutcome {
        let status = self
            .nextcloud(&request)
            .await?
            .news_status()
            .await
            .or_fail()?;
        let warnings = status.warnings();
        let mut text = format!("News {}", status.version);
        if warnings.is_empty() {
            text.push_str(": no setup problems reported");
        }
        for w in &warnings {
            text.push_str(&format!("\n- {w}"));
        }
        Ok(success(
            &json!({ "status": status, "warnings": warnings }),
            text,
        ))
    }
}
