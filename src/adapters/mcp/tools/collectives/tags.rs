//! Tags: list and create a collective's tags, put them on pages.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars, tool, tool_router};
use serde::Deserialize;
use serde_json::json;

use super::{CollectiveListArgs, DEFAULT_LISTED, MAX_LISTED, page_done};
use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, success};
use crate::domain::collectives::{check_title, tag_color};

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct CreateTagArgs {
    /// The numeric id of the collective the tag is for.
    pub collective_id: u64,
    /// The tag's name, e.g. "draft"; unique within the collective.
    pub name: String,
    /// Its colour as 6 hex digits, e.g. "0082c9" (a leading # is accepted).
    pub color: String,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct PageTagArgs {
    /// The numeric id of the collective the page belongs to.
    pub collective_id: u64,
    /// The page's numeric id (from collectives_get_pages).
    pub page_id: u64,
    /// The tag's numeric id (from collectives_get_tags).
    pub tag_id: u64,
}

#[tool_router(router = collectives_tags_router, vis = "pub(super)")]
impl NextcloudMcp {
    #[tool(
        name = "collectives_get_tags",
        input_schema = crate::adapters::mcp::schema::input::<CollectiveListArgs>("collectives_get_tags"),
        description = "List a collective's tags with their ids and colours.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn collectives_get_tags(
        &self,
        Parameters(args): Parameters<CollectiveListArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let paging = args.page.request(DEFAULT_LISTED, MAX_LISTED)?;
        let tags = self
            .nextcloud(&request)
            .await?
            .list_tags(args.collective_id)
            .await
            .or_fail()?;
        let (shown, page) = paging.page(&tags);
        let mut text = format!("Tags of collective {}: {}", args.collective_id, tags.len());
        for t in shown {
            text.push_str(&format!("\n- {} (tag {}, #{})", t.name, t.id, t.color));
        }
        Ok(success(
            &json!({ "tags": shown, "total": tags.len(), "page": page }),
            page.under(text, shown.len()),
        ))
    }

    #[tool(
        name = "collectives_create_tag",
        input_schema = crate::adapters::mcp::schema::input::<CreateTagArgs>("collectives_create_tag"),
        description = "Create a tag in a collective, with a name and a colour of 6 hex digits.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn collectives_create_tag(
        &self,
        Parameters(args): Parameters<CreateTagArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let name = check_title("name", &args.name).or_fail()?;
        let color = tag_color(&args.color).or_fail()?;
        let tag = self
            .nextcloud(&request)
            .await?
            .create_tag(args.collective_id, &name, &color)
            .await
            .or_fail()?;
        let text = format!("Created tag {} (tag {}, #{})", tag.name, tag.id, tag.color);
        Ok(success(&tag, text))
    }

    #[tool(
        name = "collectives_assign_tag",
        input_schema = crate::adapters::mcp::schema::input::<PageTagArgs>("collectives_assign_tag"),
        description = "Put a tag on a page (doing it twice changes nothing).",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn collectives_assign_tag(
        &self,
        Parameters(args): Parameters<PageTagArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let page = self
            .nextcloud(&request)
            .await?
            .assign_tag(args.collective_id, args.page_id, args.tag_id)
            .await
            .or_fail()?;
        let text = page_done(&format!("Tag {} is on", args.tag_id), &page);
        Ok(success(&page, text))
    }

    #[tool(
        name = "collectives_remove_tag",
        input_schema = crate::adapters::mcp::schema::input::<PageTagArgs>("collectives_remove_tag"),
        description = "Take a tag off a page (a tag that is not there changes nothing).",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn collectives_remove_tag(
        &self,
        Parameters(args): Parameters<PageTagArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let page = self
            .nextcloud(&request)
            .await?
            .remove_tag(args.collective_id, args.page_id, args.tag_id)
            .await
            .or_fail()?;
        let text = page_done(&format!("Tag {} is off", args.tag_id), &page);
        Ok(success(&page, text))
    }
}
