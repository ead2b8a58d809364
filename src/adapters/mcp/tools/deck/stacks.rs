//! Deck tools for stacks (columns) (`deck_*`).

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars, tool, tool_router};
use serde::Deserialize;
use serde_json::json;

use super::listing::{Listing, ListingArgs};
use super::{card_line, check_order};
use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, failure, success};
use crate::adapters::mcp::paging::PageArgs;

/// Stacks come with their cards: a page of 20 columns; a stack's own
/// cards page with deck_get_cards.
const DEFAULT_STACKS: usize = 20;
const MAX_STACKS: usize = 200;
use crate::domain::deck::{
    DeckInputError, Detail, MAX_TITLE_CHARS, Stack, check_title, renumber_for_move,
};

fn stack_text(heading: String, stacks: &[Stack]) -> String {
    let mut text = heading;
    for stack in stacks {
        text.push_str(&format!(
            "\n{} (stack {}, order {}): {} cards",
            stack.title,
            stack.id,
            stack.order,
            stack.cards.len()
        ));
        for card in &stack.cards {
            text.push_str(&format!("\n  {}", card_line(card)));
        }
    }
    text
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct GetStacksArgs {
    /// The board's numeric id (see deck_get_boards).
    pub board_id: u64,
    /// Include each stack's cards (default true).
    #[serde(default)]
    pub include_cards: Option<bool>,
    #[serde(flatten)]
    pub page: PageArgs,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct ArchivedStacksArgs {
    /// The board's numeric id (see deck_get_boards).
    pub board_id: u64,
    /// "full" (default: every field) or "summary" (compact rows with a description preview).
    #[serde(default)]
    pub detail: Option<String>,
    /// Only cards carrying a label with this title (case does not matter).
    #[serde(default)]
    pub label: Option<String>,
    /// Only cards assigned to this user id, e.g. "alice".
    #[serde(default)]
    pub assigned_to: Option<String>,
    /// With detail "full": cut each description to this many characters.
    #[serde(default)]
    pub description_max_length: Option<i64>,
    /// With detail "summary": characters of description preview (default 140).
    #[serde(default)]
    pub description_preview_length: Option<i64>,
    #[serde(flatten)]
    pub page: PageArgs,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct StackIdArgs {
    /// The numeric id of the board the stack is on.
    pub board_id: u64,
    /// The stack's numeric id (from deck_get_stacks).
    pub stack_id: u64,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct CreateStackArgs {
    /// The numeric id of the board to add the stack to.
    pub board_id: u64,
    /// The stack's (column's) title, e.g. "To do".
    pub title: String,
    /// Position among the board's stacks: lower comes first.
    pub order: i64,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct UpdateStackArgs {
    /// The numeric id of the board the stack is on.
    pub board_id: u64,
    /// The stack's numeric id.
    pub stack_id: u64,
    /// New title; omit to keep it.
    #[serde(default)]
    pub title: Option<String>,
    /// New position; omit to keep it.
    #[serde(default)]
    pub order: Option<i64>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct ReorderStackArgs {
    /// The numeric id of the board the stack is on.
    pub board_id: u64,
    /// The stack's numeric id.
    pub stack_id: u64,
    /// New position among the board's stacks: lower comes first.
    pub order: i64,
}

#[tool_router(router = deck_stacks_router, vis = "pub(super)")]
impl NextcloudMcp {
    #[tool(
        name = "deck_get_stacks",
        input_schema = crate::adapters::mcp::schema::input::<GetStacksArgs>("deck_get_stacks"),
        description = "List a board's stacks (columns) in order, with their cards (title, id, due date, labels, assignees).",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn deck_get_stacks(
        &self,
        Parameters(args): Parameters<GetStacksArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let paging = args.page.request(DEFAULT_STACKS, MAX_STACKS)?;
        let deck = self.nextcloud(&request).await?;
        let mut stacks = deck.list_stacks(args.board_id, false).await.or_fail()?;
        stacks.sort_by_key(|s| s.order);
        if args.include_cards == Some(false) {
            stacks.iter_mut().for_each(|s| s.cards.clear());
        }
        let (shown, page) = paging.page(&stacks);
        let text = stack_text(
            format!("Stacks of board {}: {}", args.board_id, stacks.len()),
            shown,
        );
        Ok(success(
            &json!({ "board_id": args.board_id, "stacks": shown, "page": page }),
            page.under(text, shown.len()),
        ))
    }

    #[tool(
        name = "deck_get_archived_stacks",
        input_schema = crate::adapters::mcp::schema::input::<ArchivedStacksArgs>("deck_get_archived_stacks"),
        description = "List a board's stacks with only their archived cards; label and assigned_to narrow them, detail \"summary\" gives compact rows.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn deck_get_archived_stacks(
        &self,
        Parameters(args): Parameters<ArchivedStacksArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        // Every card on this route is archived: the status filter is fixed.
        let listing = Listing::parse(
            ListingArgs {
                detail: args.detail.as_deref(),
                status: Some("all"),
                label: args.label.as_deref(),
                assigned_to: args.assigned_to.as_deref(),
                description_max_length: args.description_max_length,
                description_preview_length: args.description_preview_length,
            },
            Detail::Full,
        )?;
        let paging = args.page.request(DEFAULT_STACKS, MAX_STACKS)?;
        let deck = self.nextcloud(&request).await?;
        let stacks = deck.list_stacks(args.board_id, true).await.or_fail()?;
        let (shown, page) = paging.page(&stacks);
        let mut text = format!("Archived cards of board {}", args.board_id);
        let mut rows = Vec::with_capacity(shown.len());
        for stack in shown.iter().cloned() {
            let (cards, lines) = listing.shape(stack.cards)?;
            text.push_str(&format!(
                "\n{} (stack {}, order {}): {} cards",
                stack.title,
                stack.id,
                stack.order,
                cards.len()
            ));
            for line in lines {
                text.push_str(&format!("\n  {line}"));
            }
            rows.push(json!({
                "id": stack.id, "board_id": stack.board_id, "title": stack.title,
                "order": stack.order, "deleted_at": stack.deleted_at, "cards": cards,
                "etag": stack.etag,
            }));
        }
        Ok(success(
            &json!({ "board_id": args.board_id, "stacks": rows, "page": page }),
            page.under(text, shown.len()),
        ))
    }

    #[tool(
        name = "deck_get_stack",
        input_schema = crate::adapters::mcp::schema::input::<StackIdArgs>("deck_get_stack"),
        description = "Get one stack of a board with its cards.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn deck_get_stack(
        &self,
        Parameters(args): Parameters<StackIdArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let deck = self.nextcloud(&request).await?;
        let stack = deck
            .get_stack(args.board_id, args.stack_id)
            .await
            .or_fail()?;
        let heading = if stack.is_deleted() {
            String::from("Stack (deleted: it is no longer on the board)")
        } else {
            String::from("Stack")
        };
        let text = stack_text(heading, std::slice::from_ref(&stack));
        Ok(success(
            &json!({ "stack": stack, "deleted": stack.is_deleted() }),
            text,
        ))
    }

    #[tool(
        name = "deck_create_stack",
        input_schema = crate::adapters::mcp::schema::input::<CreateStackArgs>("deck_create_stack"),
        description = "Add a stack (column) to a board at a position (lower order comes first).",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn deck_create_stack(
        &self,
        Parameters(args): Parameters<CreateStackArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let title = check_title("stack title", &args.title, MAX_TITLE_CHARS).or_fail()?;
        let order = check_order(args.order)?;
        let deck = self.nextcloud(&request).await?;
        let stack = deck
            .create_stack(args.board_id, &title, order)
            .await
            .or_fail()?;
        Ok(success(
            &stack,
            format!("Created stack '{}' (id {})", stack.title, stack.id),
        ))
    }

    #[tool(
        name = "deck_update_stack",
        input_schema = crate::adapters::mcp::schema::input::<UpdateStackArgs>("deck_update_stack"),
        description = "Rename a stack and/or change its position; fields you omit stay as they are.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_update_stack(
        &self,
        Parameters(args): Parameters<UpdateStackArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        if args.title.is_none() && args.order.is_none() {
            return Err(failure(DeckInputError::EmptyUpdate));
        }
        let title = args
            .title
            .map(|t| check_title("stack title", &t, MAX_TITLE_CHARS))
            .transpose()
            .or_fail()?;
        let order = args.order.map(check_order).transpose()?;
        self.put_stack(&request, args.board_id, args.stack_id, title, order)
            .await
    }

    #[tool(
        name = "deck_reorder_stack",
        input_schema = crate::adapters::mcp::schema::input::<ReorderStackArgs>("deck_reorder_stack"),
        description = "Move a stack to another position on its board (lower order comes first).",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_reorder_stack(
        &self,
        Parameters(args): Parameters<ReorderStackArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let order = check_order(args.order)?;
        let deck = self.nextcloud(&request).await?;
        let stacks = deck.list_stacks(args.board_id, false).await.or_fail()?;
        let Some(moved) = stacks.iter().find(|s| s.id == args.stack_id) else {
            return Err(failure(format!(
                "stack {} is not on board {}; list its stacks with deck_get_stacks",
                args.stack_id, args.board_id
            )));
        };
        let stack = deck
            .update_stack(args.board_id, moved.id, &moved.title, order)
            .await
            .or_fail()?;
        let mut text = format!(
            "Moved stack '{}' (id {}) to order {}",
            stack.title, stack.id, stack.order
        );
        let mut renumbered = Vec::new();
        for (id, new_order) in renumber_for_move(&stacks, moved.id, order) {
            let other = stacks
                .iter()
                .find(|s| s.id == id)
                .expect("planned from stacks");
            deck.update_stack(args.board_id, id, &other.title, new_order)
                .await
                .or_fail()?;
            text.push_str(&format!(
                "
- '{}' (stack {id}) moved from order {} to {new_order}",
                other.title, other.order
            ));
            renumbered.push(json!({ "id": id, "order": new_order }));
        }
        Ok(success(
            &json!({ "stack": stack, "renumbered": renumbered }),
            text,
        ))
    }

    #[tool(
        name = "deck_delete_stack",
        input_schema = crate::adapters::mcp::schema::input::<StackIdArgs>("deck_delete_stack"),
        description = "Delete a stack and the cards in it.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_delete_stack(
        &self,
        Parameters(args): Parameters<StackIdArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let deck = self.nextcloud(&request).await?;
        let stack = deck
            .delete_stack(args.board_id, args.stack_id)
            .await
            .or_fail()?;
        let text = format!("Deleted stack '{}' (id {})", stack.title, stack.id);
        Ok(success(
            &json!({ "deleted": stack.id, "stack": stack }),
            text,
        ))
    }
}

impl NextcloudMcp {
    /// Deck's stack update takes title and order together: read the stack
    /// for whichever is not changing.
    async fn put_stack(
        &self,
        request: &RequestContext<RoleServer>,
        board_id: u64,
        stack_id: u64,
        title: Option<String>,
        order: Option<i64>,
    ) -> Result<CallToolResult, CallToolResult> {
        let deck = self.nextcloud(request).await?;
        let current = deck.get_stack(board_id, stack_id).await.or_fail()?;
        let title = title.unwrap_or(current.title);
        let order = order.unwrap_or(current.order);
        let stack = deck
            .update_stack(board_id, stack_id, &title, order)
            .await
            .or_fail()?;
        let text = format!(
            "Updated stack '{}' (id {}, order {})",
            stack.title, stack.id, stack.order
        );
        Ok(success(&stack, text))
    }
}
