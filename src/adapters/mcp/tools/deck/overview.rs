//! `deck_get_board_overview`: a board, its label legend, and every stack
//! with its cards as compact rows, in one result.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars, tool, tool_router};
use serde::Deserialize;
use serde_json::json;

use super::label_names;
use super::listing::{Listing, ListingArgs, merge_archived};
use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, success};
use crate::domain::deck::{Detail, Stack};
use crate::ports::nextcloud::NextcloudApi;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct BoardOverviewArgs {
    /// The board's numeric id (see deck_get_boards).
    pub board_id: u64,
    /// Which cards: "open" (default: not done, not archived), "done", "archived" or "all".
    #[serde(default)]
    pub status: Option<String>,
    /// Only cards carrying a label with this title (case does not matter).
    #[serde(default)]
    pub label: Option<String>,
    /// Only cards assigned to this user id, e.g. "alice".
    #[serde(default)]
    pub assigned_to: Option<String>,
    /// Characters of each card's description to show (default 140).
    #[serde(default)]
    pub description_preview_length: Option<i64>,
}

/// The board's stacks with the cards `listing` needs, in board order.
pub(super) async fn stacks_for(
    deck: &dyn NextcloudApi,
    board_id: u64,
    listing: &Listing,
) -> Result<Vec<Stack>, CallToolResult> {
    let filter = &listing.filter;
    let mut stacks = deck
        .list_stacks(board_id, !filter.needs_active())
        .await
        .or_fail()?;
    if filter.needs_active() && filter.needs_archived() {
        let archived = deck.list_stacks(board_id, true).await.or_fail()?;
        merge_archived(&mut stacks, archived);
    }
    stacks.sort_by_key(|s| s.order);
    Ok(stacks)
}

#[tool_router(router = deck_overview_router, vis = "pub(super)")]
impl NextcloudMcp {
    #[tool(
        name = "deck_get_board_overview",
        input_schema = crate::adapters::mcp::schema::input::<BoardOverviewArgs>("deck_get_board_overview"),
        description = "A whole board in one call: title, label legend, and every stack with its cards as compact rows (labels, assignees, due date, description preview). Filters: status (open by default), label, assigned_to.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn deck_get_board_overview(
        &self,
        Parameters(args): Parameters<BoardOverviewArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let listing = Listing::parse(
            ListingArgs {
                detail: Some("summary"),
                status: Some(args.status.as_deref().unwrap_or("open")),
                label: args.label.as_deref(),
                assigned_to: args.assigned_to.as_deref(),
                description_max_length: None,
                description_preview_length: args.description_preview_length,
            },
            Detail::Summary,
        )?;
        let deck = self.nextcloud(&request).await?;
        let board = deck.get_board(args.board_id).await.or_fail()?;
        let stacks = stacks_for(deck.as_ref(), args.board_id, &listing).await?;
        let mut text = format!(
            "{} (board {})\nlabels: {}",
            board.title,
            board.id,
            label_names(&board.labels)
        );
        let mut rows = Vec::with_capacity(stacks.len());
        let mut total = 0;
        for stack in stacks {
            let (cards, lines) = listing.shape(stack.cards)?;
            total += cards.len();
            text.push_str(&format!(
                "\n{} (stack {}): {} cards",
                stack.title,
                stack.id,
                cards.len()
            ));
            for line in lines {
                text.push_str(&format!("\n  {line}"));
            }
            rows.push(json!({
                "id": stack.id, "title": stack.title, "order": stack.order, "cards": cards,
            }));
        }
        let structured = json!({
            "board": { "id": board.id, "title": board.title, "color": board.color,
                       "archived": board.archived },
            "labels": board.labels,
            "stacks": rows,
            "total_cards": total,
        });
        Ok(success(&structured, text))
    }
}
