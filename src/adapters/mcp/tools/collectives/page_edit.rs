//! Changing pages: create, move or copy, emoji, Markdown content, trash,
//! restore, delete for good.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars, tool, tool_router};
use serde::Deserialize;
use serde_json::json;

use super::{PageIdArgs, page_done, page_line};
use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, failure, success};
use crate::domain::collectives::{check_title, emoji};
use crate::domain::files::{MAX_WRITE_BYTES, WriteCondition};
use crate::ports::nextcloud::{NextcloudError, PagePlacement};

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct CreatePageArgs {
    /// The numeric id of the collective to add the page to.
    pub collective_id: u64,
    /// The page to create it under (the landing page's id for a top-level page; see collectives_get_pages).
    pub parent_id: u64,
    /// The new page's title; it also names its Markdown file, so no '/'.
    pub title: String,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct MovePageArgs {
    /// The numeric id of the collective the page belongs to.
    pub collective_id: u64,
    /// The numeric id of the page to move or copy.
    pub page_id: u64,
    /// The page to put it under; omit to keep its parent.
    #[serde(default)]
    pub parent_id: Option<u64>,
    /// A new title; omit to keep it.
    #[serde(default)]
    pub title: Option<String>,
    /// Position among the new parent's subpages, 0 for first; omit to let the app decide.
    #[serde(default)]
    pub index: Option<u64>,
    /// Copy the page (with its emoji) instead of moving it (default false).
    #[serde(default)]
    pub copy: Option<bool>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct PageEmojiArgs {
    /// The numeric id of the collective the page belongs to.
    pub collective_id: u64,
    /// The page's numeric id (from collectives_get_pages).
    pub page_id: u64,
    /// The new emoji, e.g. "📜"; omit it (or pass "") to remove the emoji.
    #[serde(default)]
    pub emoji: Option<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct UpdateContentArgs {
    /// The numeric id of the collective the page belongs to.
    pub collective_id: u64,
    /// The page's numeric id (from collectives_get_pages).
    pub page_id: u64,
    /// The page's complete new Markdown text (it replaces the old text).
    pub content: String,
    /// The etag from collectives_get_page; the write is refused if the page changed since.
    pub etag: String,
}

#[tool_router(router = collectives_page_edit_router, vis = "pub(super)")]
impl NextcloudMcp {
    #[tool(
        name = "collectives_create_page",
        input_schema = crate::adapters::mcp::schema::input::<CreatePageArgs>("collectives_create_page"),
        description = "Create an empty page under a parent page; write its text with collectives_update_page_content.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn collectives_create_page(
        &self,
        Parameters(args): Parameters<CreatePageArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let title = check_title("title", &args.title).or_fail()?;
        let page = self
            .nextcloud(&request)
            .await?
            .create_page(args.collective_id, args.parent_id, &title)
            .await
            .or_fail()?;
        Ok(success(&page, page_done("Created", &page)))
    }

    #[tool(
        name = "collectives_move_page",
        input_schema = crate::adapters::mcp::schema::input::<MovePageArgs>("collectives_move_page"),
        description = "Move a page under another parent, rename it or change its position; with copy=true, copy it instead.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn collectives_move_page(
        &self,
        Parameters(args): Parameters<MovePageArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let title = args
            .title
            .as_deref()
            .map(|t| check_title("title", t))
            .transpose()
            .or_fail()?;
        let copy = args.copy.unwrap_or(false);
        if !copy && args.parent_id.is_none() && title.is_none() && args.index.is_none() {
            return Err(failure(
                "nothing to change: give parent_id, title or index (or copy=true to copy the page)",
            ));
        }
        if args.parent_id == Some(args.page_id) {
            return Err(failure("a page cannot be put under itself"));
        }
        let placement = PagePlacement {
            parent_id: args.parent_id,
            title,
            index: args.index,
            copy,
        };
        let page = self
            .nextcloud(&request)
            .await?
            .place_page(args.collective_id, args.page_id, &placement)
            .await
            .or_fail()?;
        let verb = if copy { "Copied to" } else { "Moved" };
        Ok(success(&page, page_done(verb, &page)))
    }

    #[tool(
        name = "collectives_set_page_emoji",
        input_schema = crate::adapters::mcp::schema::input::<PageEmojiArgs>("collectives_set_page_emoji"),
        description = "Set or remove the emoji shown before a page's title.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn collectives_set_page_emoji(
        &self,
        Parameters(args): Parameters<PageEmojiArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let emoji = emoji(args.emoji.as_deref()).or_fail()?;
        let page = self
            .nextcloud(&request)
            .await?
            .set_page_emoji(args.collective_id, args.page_id, emoji)
            .await
            .or_fail()?;
        Ok(success(&page, format!("Page is now {}", page_line(&page))))
    }

    #[tool(
        name = "collectives_update_page_content",
        input_schema = crate::adapters::mcp::schema::input::<UpdateContentArgs>("collectives_update_page_content"),
        description = "Replace a page's Markdown text. Pass the etag from collectives_get_page: if someone changed the page since, nothing is written and you are asked to read it again.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn collectives_update_page_content(
        &self,
        Parameters(args): Parameters<UpdateContentArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        if args.content.len() > MAX_WRITE_BYTES {
            return Err(failure(format!(
                "content is {} bytes; the most this tool writes is {MAX_WRITE_BYTES}",
                args.content.len()
            )));
        }
        let etag = args.etag.trim();
        if etag.is_empty() {
            return Err(failure(
                "etag must not be empty; read the page with collectives_get_page first",
            ));
        }
        let nextcloud = self.nextcloud(&request).await?;
        let page = nextcloud
            .get_page(args.collective_id, args.page_id)
            .await
            .or_fail()?;
        let path = page.file_path().or_fail()?;
        let written = nextcloud
            .write_file(
                &path,
                args.content.into_bytes(),
                Some("text/markdown".into()),
                WriteCondition::IfMatch(etag.to_string()),
            )
            .await
            .map_err(|e| match e {
                NextcloudError::Conflict(_) => failure(format!(
                    "page {} was changed by someone else since you read it; read it again with collectives_get_page and retry with the new etag",
                    page.id
                )),
                other => failure(other),
            })?;
        Ok(success(
            &json!({ "page": page, "etag": written.etag, "file": path.to_string() }),
            format!("Updated the text of {}", page_line(&page)),
        ))
    }

    #[tool(
        name = "collectives_trash_page",
        input_schema = crate::adapters::mcp::schema::input::<PageIdArgs>("collectives_trash_page"),
        description = "Move a page to the collective's trash; collectives_restore_page brings it back.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn collectives_trash_page(
        &self,
        Parameters(args): Parameters<PageIdArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let page = self
            .nextcloud(&request)
            .await?
            .trash_page(args.collective_id, args.page_id)
            .await
            .or_fail()?;
        Ok(success(
            &page,
            format!("Moved {} to the trash", page_line(&page)),
        ))
    }

    #[tool(
        name = "collectives_restore_page",
        input_schema = crate::adapters::mcp::schema::input::<PageIdArgs>("collectives_restore_page"),
        description = "Restore a page from the collective's trash to where it was.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn collectives_restore_page(
        &self,
        Parameters(args): Parameters<PageIdArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let page = self
            .nextcloud(&request)
            .await?
            .restore_page(args.collective_id, args.page_id)
            .await
            .or_fail()?;
        Ok(success(&page, page_done("Restored", &page)))
    }

    #[tool(
        name = "collectives_delete_page",
        input_schema = crate::adapters::mcp::schema::input::<PageIdArgs>("collectives_delete_page"),
        description = "Delete a page for good. Only a page in the trash can be deleted: call collectives_trash_page first.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn collectives_delete_page(
        &self,
        Parameters(args): Parameters<PageIdArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        self.nextcloud(&request)
            .await?
            .delete_page(args.collective_id, args.page_id)
            .await
            .map_err(|e| match e {
                NextcloudError::NotFound(what) => failure(format!(
                    "{what} does not exist; only a page in the trash can be deleted for good, so call collectives_trash_page first"
                )),
                other => failure(other),
            })?;
        Ok(success(
            &json!({ "deleted": true, "page_id": args.page_id }),
            format!(
                "Deleted page {} of collective {} for good",
                args.page_id, args.collective_id
            ),
        ))
    }
}
