//! Deck tools for what hangs on a card (`deck_*`): labels, assigned users
//! and comments.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars, tool, tool_router};
use serde::Deserialize;
use serde_json::json;

use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, failure, success};
use crate::domain::deck::{CardRef, check_comment, check_user_id};

const DEFAULT_COMMENT_LIMIT: u32 = 20;
const MAX_COMMENT_LIMIT: u32 = 100;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct CardLabelArgs {
    /// The numeric id of the board the card is on.
    pub board_id: u64,
    /// The id of the stack the card is in.
    pub stack_id: u64,
    /// The card's numeric id.
    pub card_id: u64,
    /// A label of the card's board (from deck_get_labels).
    pub label_id: u64,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct CardUserArgs {
    /// The numeric id of the board the card is on.
    pub board_id: u64,
    /// The id of the stack the card is in.
    pub stack_id: u64,
    /// The card's numeric id.
    pub card_id: u64,
    /// The Nextcloud user id (login name) of a board member, e.g. "alice".
    pub user_id: String,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct ListCommentsArgs {
    /// The card's numeric id.
    pub card_id: u64,
    /// How many comments, newest first (default 20, at most 100).
    #[serde(default)]
    pub limit: Option<u32>,
    /// How many of the newest comments to skip, for paging (default 0).
    #[serde(default)]
    pub offset: Option<u32>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct AddCommentArgs {
    /// The numeric id of the card to comment on.
    pub card_id: u64,
    /// The comment text (at most 1000 characters); @mentions work as in Deck.
    pub message: String,
    /// Answer this comment (its id, from deck_get_card_comments) instead of starting a new thread.
    #[serde(default)]
    pub parent_id: Option<u64>,
}

#[tool_router(router = deck_card_links_router, vis = "pub(super)")]
impl NextcloudMcp {
    #[tool(
        name = "deck_assign_label_to_card",
        input_schema = crate::adapters::mcp::schema::input::<CardLabelArgs>("deck_assign_label_to_card"),
        description = "Put one of the board's labels on a card.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_assign_label_to_card(
        &self,
        Parameters(args): Parameters<CardLabelArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        self.card_label(args, true, request).await
    }

    #[tool(
        name = "deck_remove_label_from_card",
        input_schema = crate::adapters::mcp::schema::input::<CardLabelArgs>("deck_remove_label_from_card"),
        description = "Take a label off a card.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_remove_label_from_card(
        &self,
        Parameters(args): Parameters<CardLabelArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        self.card_label(args, false, request).await
    }

    #[tool(
        name = "deck_assign_user_to_card",
        input_schema = crate::adapters::mcp::schema::input::<CardUserArgs>("deck_assign_user_to_card"),
        description = "Assign a board member to a card.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn deck_assign_user_to_card(
        &self,
        Parameters(args): Parameters<CardUserArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        self.card_user(args, true, request).await
    }

    #[tool(
        name = "deck_unassign_user_from_card",
        input_schema = crate::adapters::mcp::schema::input::<CardUserArgs>("deck_unassign_user_from_card"),
        description = "Remove a user's assignment from a card.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_unassign_user_from_card(
        &self,
        Parameters(args): Parameters<CardUserArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        self.card_user(args, false, request).await
    }

    #[tool(
        name = "deck_get_card_comments",
        input_schema = crate::adapters::mcp::schema::input::<ListCommentsArgs>("deck_get_card_comments"),
        description = "List a card's comments, newest first, with paging (limit, offset).",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn deck_get_card_comments(
        &self,
        Parameters(args): Parameters<ListCommentsArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let limit = args.limit.unwrap_or(DEFAULT_COMMENT_LIMIT);
        if !(1..=MAX_COMMENT_LIMIT).contains(&limit) {
            return Err(failure(format!(
                "limit must be from 1 to {MAX_COMMENT_LIMIT}"
            )));
        }
        let offset = args.offset.unwrap_or(0);
        let deck = self.nextcloud(&request).await?;
        let comments = deck
            .list_comments(args.card_id, limit, offset)
            .await
            .or_fail()?;
        let mut text = format!("Comments on card {}: {}", args.card_id, comments.len());
        for c in &comments {
            text.push_str(&format!(
                "\n- {} ({}, {}): {}",
                c.actor_display_name, c.actor_id, c.created, c.message
            ));
        }
        Ok(success(
            &json!({ "card_id": args.card_id, "comments": comments }),
            text,
        ))
    }

    #[tool(
        name = "deck_create_card_comment",
        input_schema = crate::adapters::mcp::schema::input::<AddCommentArgs>("deck_create_card_comment"),
        description = "Add a comment to a card.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn deck_create_card_comment(
        &self,
        Parameters(args): Parameters<AddCommentArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        check_comment(&args.message).or_fail()?;
        let deck = self.nextcloud(&request).await?;
        let comment = deck
            .add_comment(args.card_id, args.message.trim(), args.parent_id)
            .await
            .or_fail()?;
        Ok(success(
            &comment,
            format!(
                "Commented on card {} (comment {})",
                args.card_id, comment.id
            ),
        ))
    }
}

impl NextcloudMcp {
    async fn card_label(
        &self,
        args: CardLabelArgs,
        assign: bool,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let at = CardRef {
            board_id: args.board_id,
            stack_id: args.stack_id,
            card_id: args.card_id,
        };
        let deck = self.nextcloud(&request).await?;
        if assign {
            deck.assign_label(at, args.label_id).await.or_fail()?;
        } else {
            deck.remove_label(at, args.label_id).await.or_fail()?;
        }
        let text = if assign {
            format!("Label {} is now on card {}", args.label_id, args.card_id)
        } else {
            format!(
                "Label {} is no longer on card {}",
                args.label_id, args.card_id
            )
        };
        let structured =
            json!({ "card_id": args.card_id, "label_id": args.label_id, "assigned": assign });
        Ok(success(&structured, text))
    }

    async fn card_user(
        &self,
        args: CardUserArgs,
        assign: bool,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let user_id = check_user_id(&args.user_id).or_fail()?;
        let at = CardRef {
            board_id: args.board_id,
            stack_id: args.stack_id,
            card_id: args.card_id,
        };
        let deck = self.nextcloud(&request).await?;
        let assignment = if assign {
            deck.assign_user(at, &user_id).await.or_fail()?
        } else {
            deck.unassign_user(at, &user_id).await.or_fail()?
        };
        let text = if assign {
            format!(
                "Assigned {} ({}) to card {}",
                assignment.display_name, assignment.user_id, args.card_id
            )
        } else {
            format!(
                "Unassigned {} ({}) from card {}",
                assignment.display_name, assignment.user_id, args.card_id
            )
        };
        let structured =
            json!({ "card_id": args.card_id, "user_id": assignment.user_id, "assigned": assign });
        Ok(success(&structured, text))
    }
}
