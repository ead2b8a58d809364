//! Reading items: filtered lists paged by cursor, one item in full.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars, tool, tool_router};
use serde::Deserialize;
use serde_json::json;

use super::{cursor, item_line, item_summary};
use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, failure, success};
use crate::domain::news::{ItemQuery, ItemSelection, body_text, take_page};

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct ListItemsArgs {
    /// Only items of this feed (from nc_news_list_feeds).
    #[serde(default)]
    pub feed_id: Option<u64>,
    /// Only items of the feeds in this folder (from nc_news_list_folders).
    #[serde(default)]
    pub folder_id: Option<u64>,
    /// Only starred items (default false).
    #[serde(default)]
    pub starred_only: Option<bool>,
    /// Only unread items (default false).
    #[serde(default)]
    pub unread_only: Option<bool>,
    /// Items per page, newest first (default 20, at most 100).
    #[serde(default)]
    pub limit: Option<u32>,
    /// next_cursor from the previous page; omit for the first page.
    #[serde(default)]
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct PageArgs {
    /// Items per page, newest first (default 20, at most 100).
    #[serde(default)]
    pub limit: Option<u32>,
    /// next_cursor from the previous page; omit for the first page.
    #[serde(default)]
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct ItemIdArgs {
    /// The item's numeric id (from an item list).
    pub item_id: u64,
}

fn selection(args: &ListItemsArgs) -> Result<(ItemSelection, bool), CallToolResult> {
    let starred = args.starred_only.unwrap_or(false);
    match (args.feed_id, args.folder_id) {
        (Some(_), Some(_)) => Err(failure(
            "give feed_id or folder_id, not both (a feed's items are already in its folder)",
        )),
        // News lists a feed or a folder, or the starred items; starred
        // within a feed or folder is filtered here.
        (Some(feed), None) => Ok((ItemSelection::Feed(feed), starred)),
        (None, Some(folder)) => Ok((ItemSelection::Folder(folder), starred)),
        (None, None) if starred => Ok((ItemSelection::Starred, false)),
        (None, None) => Ok((ItemSelection::All, false)),
    }
}

impl NextcloudMcp {
    /// One page of items; `starred_here` drops unstarred ones after fetching.
    async fn news_page(
        &self,
        request: &RequestContext<RoleServer>,
        selection: ItemSelection,
        unread_only: bool,
        starred_here: bool,
        paging: (Option<u32>, Option<&str>),
        heading: &str,
    ) -> ToolOutcome {
        let limit = cursor::limit(paging.0)?;
        let before_id = cursor::decode(paging.1)?;
        let query = ItemQuery {
            selection,
            unread_only,
            // One more than shown tells whether another page exists.
            limit: limit + 1,
            before_id,
        };
        let fetched = self
            .nextcloud(request)
            .await?
            .list_items(&query)
            .await
            .or_fail()?;
        let (mut items, next) = take_page(fetched, &query, limit as usize);
        if starred_here {
            items.retain(|i| i.starred);
        }
        let next_cursor = next.map(cursor::encode);
        let mut text = format!("{heading}: {} on this page", items.len());
        for item in &items {
            text.push('\n');
            text.push_str(&item_line(item));
        }
        match &next_cursor {
            Some(c) => text.push_str(&format!("\nMore: call again with cursor \"{c}\".")),
            None => text.push_str("\nThis is the last page."),
        }
        let listed: Vec<_> = items.iter().map(item_summary).collect();
        Ok(success(
            &json!({
                "items": listed,
                "count": items.len(),
                "has_more": next_cursor.is_some(),
                "next_cursor": next_cursor,
            }),
            text,
        ))
    }
}

#[tool_router(router = news_items_router, vis = "pub(super)")]
impl NextcloudMcp {
    #[tool(
        name = "nc_news_list_items",
        input_schema = crate::adapters::mcp::schema::input::<ListItemsArgs>("nc_news_list_items"),
        description = "List news items, newest first, optionally of one feed or folder, only starred or only unread. Pages: pass next_cursor back as cursor.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn nc_news_list_items(
        &self,
        Parameters(args): Parameters<ListItemsArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let (selection, starred_here) = selection(&args)?;
        let unread = args.unread_only.unwrap_or(false);
        self.news_page(
            &request,
            selection,
            unread,
            starred_here,
            (args.limit, args.cursor.as_deref()),
            "News items",
        )
        .await
    }

    #[tool(
        name = "nc_news_get_starred_items",
        input_schema = crate::adapters::mcp::schema::input::<PageArgs>("nc_news_get_starred_items"),
        description = "List your starred news items, newest first. Pages: pass next_cursor back as cursor.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn nc_news_get_starred_items(
        &self,
        Parameters(args): Parameters<PageArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        self.news_page(
            &request,
            ItemSelection::Starred,
            false,
            false,
            (args.limit, args.cursor.as_deref()),
            "Starred items",
        )
        .await
    }

    #[tool(
        name = "nc_news_get_unread_items",
        input_schema = crate::adapters::mcp::schema::input::<PageArgs>("nc_news_get_unread_items"),
        description = "List your unread news items, newest first. Pages: pass next_cursor back as cursor.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn nc_news_get_unread_items(
        &self,
        Parameters(args): Parameters<PageArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        self.news_page(
            &request,
            ItemSelection::All,
            true,
            false,
            (args.limit, args.cursor.as_deref()),
            "Unread items",
        )
        .await
    }

    #[tool(
        name = "nc_news_get_item",
        input_schema = crate::adapters::mcp::schema::input::<ItemIdArgs>("nc_news_get_item"),
        description = "Get one news item in full: title, link, author, dates and its text.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn nc_news_get_item(
        &self,
        Parameters(args): Parameters<ItemIdArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let item = self
            .nextcloud(&request)
            .await?
            .get_item(args.item_id)
            .await
            .or_fail()?
            .ok_or_else(|| {
                failure(format!(
                    "news item {} does not exist (or belongs to another user)",
                    args.item_id
                ))
            })?;
        let body = body_text(&item.body);
        let mut text = item_line(&item);
        if let Some(author) = &item.author {
            text.push_str(&format!("\nby {author}"));
        }
        if let Some(link) = &item.enclosure_link {
            text.push_str(&format!("\nattachment: {link}"));
        }
        text.push_str(&format!("\n\n{body}"));
        Ok(success(&json!({ "item": item, "text": body }), text))
    }
}
