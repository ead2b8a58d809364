//! Comments on files (`nc_webdav_*_comment*`): list a page, write, and edit
//! or delete one's own (Nextcloud refuses others' with a clear 403).

use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars, tool, tool_router};
use serde::Deserialize;
use serde_json::json;

use super::parse_target;
use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, failure, success};
use crate::domain::file_meta::comments::{FileComment, check_message};

const DEFAULT_COMMENT_LIMIT: u32 = 20;
const MAX_COMMENT_LIMIT: u32 = 100;
/// Past this offset a listing is almost certainly a runaway loop.
const MAX_COMMENT_OFFSET: u32 = 100_000;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct ListCommentsArgs {
    /// Path of the file or folder, relative to the files root, e.g. "Documents/report.pdf".
    pub path: String,
    /// Most comments per page (default 20, at most 100), newest first.
    #[serde(default)]
    pub limit: Option<u32>,
    /// How many of the newest comments to skip: next_offset from the previous page; 0 or omitted for the first page.
    #[serde(default)]
    pub offset: Option<u32>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct CreateCommentArgs {
    /// Path of the file or folder to comment on, relative to the files root.
    pub path: String,
    /// The comment's text (at most 1000 characters); "@user" mentions that user.
    pub message: String,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct UpdateCommentArgs {
    /// Path of the file or folder the comment is on, relative to the files root.
    pub path: String,
    /// The comment's id, from nc_webdav_list_comments; only your own comments can be edited.
    pub comment_id: u64,
    /// The comment's new text (at most 1000 characters).
    pub message: String,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct DeleteCommentArgs {
    /// Path of the file or folder the comment is on, relative to the files root.
    pub path: String,
    /// The comment's id, from nc_webdav_list_comments; only your own comments can be deleted.
    pub comment_id: u64,
}

fn comment_line(comment: &FileComment) -> String {
    let when = comment.created.as_deref().unwrap_or("unknown time");
    format!(
        "- [{}] {} ({when}): {}",
        comment.id, comment.author_name, comment.message
    )
}

#[tool_router(router = files_comments_router, vis = "pub(super)")]
impl NextcloudMcp {
    #[tool(
        name = "nc_webdav_list_comments",
        input_schema = crate::adapters::mcp::schema::input::<ListCommentsArgs>("nc_webdav_list_comments"),
        description = "List the comments on a file or folder, newest first, a page at a time (limit, offset): id, author, date, text.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn list_comments(
        &self,
        Parameters(args): Parameters<ListCommentsArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let path = parse_target(&args.path)?;
        let limit = args.limit.unwrap_or(DEFAULT_COMMENT_LIMIT);
        if limit == 0 || limit > MAX_COMMENT_LIMIT {
            return Err(failure(format!(
                "limit must be between 1 and {MAX_COMMENT_LIMIT}"
            )));
        }
        let offset = args.offset.unwrap_or(0);
        if offset > MAX_COMMENT_OFFSET {
            return Err(failure(format!(
                "offset must be at most {MAX_COMMENT_OFFSET}"
            )));
        }
        // One more than the page shows tells whether another page follows.
        let mut comments = self
            .nextcloud(&request)
            .await?
            .list_file_comments(&path, limit + 1, offset)
            .await
            .or_fail()?;
        let has_more = comments.len() > limit as usize;
        comments.truncate(limit as usize);
        let next_offset = has_more.then(|| offset + limit);
        let mut text = format!("{} comments on {path}", comments.len());
        if offset > 0 {
            text.push_str(&format!(" (after the newest {offset})"));
        }
        for comment in &comments {
            text.push('\n');
            text.push_str(&comment_line(comment));
        }
        if let Some(next) = next_offset {
            text.push_str(&format!("\nMore: call again with offset {next}."));
        }
        let structured = json!({
            "path": path.to_string(),
            "comments": comments,
            "page": { "offset": offset, "has_more": has_more, "next_offset": next_offset },
        });
        Ok(success(&structured, text))
    }

    #[tool(
        name = "nc_webdav_create_comment",
        input_schema = crate::adapters::mcp::schema::input::<CreateCommentArgs>("nc_webdav_create_comment"),
        description = "Comment on a file or folder (as you); \"@user\" in the text mentions and notifies that user.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn create_comment(
        &self,
        Parameters(args): Parameters<CreateCommentArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let path = parse_target(&args.path)?;
        let message = check_message(&args.message).or_fail()?;
        let id = self
            .nextcloud(&request)
            .await?
            .create_file_comment(&path, message)
            .await
            .or_fail()?;
        Ok(success(
            &json!({ "path": path.to_string(), "comment_id": id }),
            format!("Commented on {path} (comment {id})"),
        ))
    }

    #[tool(
        name = "nc_webdav_update_comment",
        input_schema = crate::adapters::mcp::schema::input::<UpdateCommentArgs>("nc_webdav_update_comment"),
        description = "Change the text of one of your own comments on a file or folder.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn update_comment(
        &self,
        Parameters(args): Parameters<UpdateCommentArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let path = parse_target(&args.path)?;
        let message = check_message(&args.message).or_fail()?;
        self.nextcloud(&request)
            .await?
            .update_file_comment(&path, args.comment_id, message)
            .await
            .or_fail()?;
        Ok(success(
            &json!({ "path": path.to_string(), "comment_id": args.comment_id }),
            format!("Updated comment {} on {path}", args.comment_id),
        ))
    }

    #[tool(
        name = "nc_webdav_delete_comment",
        input_schema = crate::adapters::mcp::schema::input::<DeleteCommentArgs>("nc_webdav_delete_comment"),
        description = "Delete one of your own comments on a file or folder.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn delete_comment(
        &self,
        Parameters(args): Parameters<DeleteCommentArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let path = parse_target(&args.path)?;
        self.nextcloud(&request)
            .await?
            .delete_file_comment(&path, args.comment_id)
            .await
            .or_fail()?;
        Ok(success(
            &json!({ "path": path.to_string(), "deleted_comment_id": args.comment_id }),
            format!("Deleted comment {} on {path}", args.comment_id),
        ))
    }
}
