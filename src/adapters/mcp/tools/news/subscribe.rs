//! Subscribing to a feed and unsubscribing.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars, tool, tool_router};
use serde::Deserialize;
use serde_json::json;

use super::feeds::FeedIdArgs;
use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, success};
use crate::domain::news::FeedDraft;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct AddFeedArgs {
    /// The feed's address (RSS or Atom), e.g. "https://example.org/feed.xml".
    pub url: String,
    /// The folder to put it in (from nc_news_list_folders); omit for the top level.
    #[serde(default)]
    pub folder_id: Option<u64>,
}

#[tool_router(router = news_subscribe_router, vis = "pub(super)")]
impl NextcloudMcp {
    #[tool(
        name = "nc_news_add_feed",
        input_schema = crate::adapters::mcp::schema::input::<AddFeedArgs>("nc_news_add_feed"),
        description = "Subscribe to a feed. News fetches it first, so an address that cannot be reached or is not RSS/Atom is refused with the reason.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_news_add_feed(
        &self,
        Parameters(args): Parameters<AddFeedArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let draft = FeedDraft::new(&args.url, args.folder_id).or_fail()?;
        let (id, title) = self
            .nextcloud(&request)
            .await?
            .add_feed(&draft)
            .await
            .or_fail()?;
        Ok(success(
            &json!({ "feed_id": id, "title": title, "url": draft.url, "folder_id": draft.folder_id }),
            format!("Subscribed to {title} (feed {id})"),
        ))
    }

    #[tool(
        name = "nc_news_remove_feed",
        input_schema = crate::adapters::mcp::schema::input::<FeedIdArgs>("nc_news_remove_feed"),
        description = "Unsubscribe from a feed; its items are deleted with it.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_news_remove_feed(
        &self,
        Parameters(args): Parameters<FeedIdArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        self.nextcloud(&request)
            .await?
            .remove_feed(args.feed_id)
            .await
            .or_fail()?;
        Ok(success(
            &json!({ "removed": true, "feed_id": args.feed_id }),
            format!("Unsubscribed from feed {}", args.feed_id),
        ))
    }
}
