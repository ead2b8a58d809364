//! Marking items read or unread, starred or not.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars, tool, tool_router};
use serde::Deserialize;
use serde_json::json;

use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, failure, success};

/// Most items one call marks.
const MAX_IDS: usize = 500;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct MarkReadArgs {
    /// The items' numeric ids (from an item list).
    pub item_ids: Vec<u64>,
    /// true to mark them read (the default), false to mark them unread.
    #[serde(default)]
    pub read: Option<bool>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct StarArgs {
    /// The items' numeric ids (from an item list).
    pub item_ids: Vec<u64>,
    /// true to star them (the default), false to remove the star.
    #[serde(default)]
    pub starred: Option<bool>,
}

fn check_ids(ids: &[u64]) -> Result<Vec<u64>, CallToolResult> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() || ids.len() > MAX_IDS {
        return Err(failure(format!("give 1 to {MAX_IDS} item ids")));
    }
    Ok(ids)
}

fn ids_text(ids: &[u64]) -> String {
    let list: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
    format!("item(s) {}", list.join(", "))
}

#[tool_router(router = news_marks_router, vis = "pub(super)")]
impl NextcloudMcp {
    #[tool(
        name = "nc_news_mark_items",
        input_schema = crate::adapters::mcp::schema::input::<MarkReadArgs>("nc_news_mark_items"),
        description = "Mark news items read (or unread with read=false).",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_news_mark_items(
        &self,
        Parameters(args): Parameters<MarkReadArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let ids = check_ids(&args.item_ids)?;
        let read = args.read.unwrap_or(true);
        self.nextcloud(&request)
            .await?
            .set_items_read(&ids, read)
            .await
            .or_fail()?;
        let state = if read { "read" } else { "unread" };
        Ok(success(
            &json!({ "item_ids": ids, "read": read }),
            format!("Marked {} {state}", ids_text(&ids)),
        ))
    }

    #[tool(
        name = "nc_news_star_items",
        input_schema = crate::adapters::mcp::schema::input::<StarArgs>("nc_news_star_items"),
        description = "Star news items to keep them (or remove the star with starred=false).",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_news_star_items(
        &self,
        Parameters(args): Parameters<StarArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let ids = check_ids(&args.item_ids)?;
        let starred = args.starred.unwrap_or(true);
        self.nextcloud(&request)
            .await?
            .set_items_starred(&ids, starred)
            .await
            .or_fail()?;
        let state = if starred { "starred" } else { "not starred" };
        Ok(success(
            &json!({ "item_ids": ids, "starred": starred }),
            format!("{} now {state}", ids_text(&ids)),
        ))
    }
}
