//! Deck tools that change or remove one card comment, replies included
//! (`deck_update_card_comment`, `deck_delete_card_comment`). Only a
//! comment's author may change it; Deck answers 403 to anyone else.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars, tool, tool_router};
use serde::Deserialize;
use serde_json::json;

use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, success};
use crate::domain::deck::check_comment;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct UpdateCommentArgs {
    /// The numeric id of the card the comment is on.
    pub card_id: u64,
    /// The comment's id (from deck_get_card_comments); a reply's id works too.
    pub comment_id: u64,
    /// The new text (at most 1000 characters).
    pub message: String,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct CommentIdArgs {
    /// The numeric id of the card the comment is on.
    pub card_id: u64,
    /// The comment's id (from deck_get_card_comments); a reply's id works too.
    pub comment_id: u64,
}

#[tool_router(router = deck_comments_router, vis = "pub(super)")]
impl NextcloudMcp {
    #[tool(
        name = "deck_update_card_comment",
        input_schema = crate::adapters::mcp::schema::input::<UpdateCommentArgs>("deck_update_card_comment"),
        description = "Change the text of one of your own comments (or replies) on a card.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_update_card_comment(
        &self,
        Parameters(args): Parameters<UpdateCommentArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        check_comment(&args.message).or_fail()?;
        let deck = self.nextcloud(&request).await?;
        let comment = deck
            .update_comment(args.card_id, args.comment_id, args.message.trim())
            .await
            .or_fail()?;
        let text = format!("Updated comment {} on card {}", comment.id, args.card_id);
        Ok(success(&comment, text))
    }

    #[tool(
        name = "deck_delete_card_comment",
        input_schema = crate::adapters::mcp::schema::input::<CommentIdArgs>("deck_delete_card_comment"),
        description = "Delete one of your own comments (or replies) from a card.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_delete_card_comment(
        &self,
        Parameters(args): Parameters<CommentIdArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let deck = self.nextcloud(&request).await?;
        deck.delete_comment(args.card_id, args.comment_id)
            .await
            .or_fail()?;
        let text = format!(
            "Deleted comment {} from card {}",
            args.comment_id, args.card_id
        );
        Ok(success(
            &json!({ "card_id": args.card_id, "deleted": args.comment_id }),
            text,
        ))
    }
}
