//! Deck tools for boards (`deck_*`, the reference server's names), and the
//! helpers the other Deck tool files share: stacks are in `stacks.rs`, a
//! board's labels in `labels.rs`, cards in `cards.rs`, a card's
//! labels, assignees and comments in `card_links.rs` and `comments.rs`,
//! attachments in `attachments.rs`, card dependencies in `dependencies.rs`,
//! the whole-board view in `overview.rs`, and the card filters of the
//! listings in `listing.rs`.

mod attachments;
mod card_args;
mod card_links;
mod cards;
mod comments;
mod dependencies;
mod labels;
mod listing;
mod overview;
mod stacks;

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars, tool, tool_router};
use serde::Deserialize;
use serde_json::json;

use super::AppRouter;
use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, failure, success};
use crate::adapters::mcp::paging::PageArgs;
use crate::adapters::mcp::tool_scopes::Access;
use crate::domain::capabilities::App;
use crate::domain::deck::{
    Board, BoardFields, Card, DeckInputError, Label, MAX_TITLE_CHARS, check_color, check_title,
    parse_since,
};
use crate::domain::scopes::Scope;

/// Deck is an optional app.
pub(super) fn router() -> AppRouter {
    AppRouter::new(
        Some(App::Deck),
        Access::read_write(Scope::DeckRead, Scope::DeckWrite),
        NextcloudMcp::deck_boards_router()
            + NextcloudMcp::deck_stacks_router()
            + NextcloudMcp::deck_cards_router()
            + NextcloudMcp::deck_card_links_router()
            + NextcloudMcp::deck_labels_router()
            + NextcloudMcp::deck_comments_router()
            + NextcloudMcp::deck_attachments_router()
            + NextcloudMcp::deck_dependencies_router()
            + NextcloudMcp::deck_overview_router(),
    )
}

/// Orders beyond this are refused as mistakes.
const MAX_ORDER: i64 = 1_000_000;

fn check_order(order: i64) -> Result<i64, CallToolResult> {
    if (-MAX_ORDER..=MAX_ORDER).contains(&order) {
        Ok(order)
    } else {
        Err(failure(format!(
            "order {order} is out of range; use a small number such as 0 (first) or 1"
        )))
    }
}

fn label_names(labels: &[Label]) -> String {
    labels
        .iter()
        .map(|l| l.title.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn card_line(card: &Card) -> String {
    let mut line = format!(
        "- {} (card {}, stack {})",
        card.title, card.id, card.stack_id
    );
    if let Some(due) = &card.duedate {
        line.push_str(&format!(", due {due}"));
    }
    if !card.labels.is_empty() {
        line.push_str(&format!(", labels: {}", label_names(&card.labels)));
    }
    if !card.assigned_users.is_empty() {
        line.push_str(&format!(", assigned: {}", card.assigned_users.join(", ")));
    }
    if card.archived {
        line.push_str(", archived");
    }
    line
}

fn board_line(board: &Board) -> String {
    let mut line = format!("- {} (board {}, #{})", board.title, board.id, board.color);
    if board.archived {
        line.push_str(", archived");
    }
    if board.deleted_at > 0 {
        line.push_str(", deleted (can be restored)");
    }
    line
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct ListBoardsArgs {
    /// Also list boards in the trash (deleted, restorable with deck_restore_board). Default false.
    #[serde(default)]
    pub include_deleted: bool,
    /// Only boards changed since this moment (e.g. "2026-11-23" or "2026-11-23T08:00:00Z").
    #[serde(default)]
    pub modified_since: Option<String>,
    #[serde(flatten)]
    pub page: PageArgs,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct BoardIdArgs {
    /// The board's numeric id (from deck_get_boards).
    pub board_id: u64,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct CreateBoardArgs {
    /// The board's title.
    pub title: String,
    /// Colour as six hex digits, e.g. "0082c9" (a leading # is fine).
    pub color: String,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct UpdateBoardArgs {
    /// The board's numeric id (see deck_get_boards).
    pub board_id: u64,
    /// New title; omit to keep it.
    #[serde(default)]
    pub title: Option<String>,
    /// New colour (six hex digits); omit to keep it.
    #[serde(default)]
    pub color: Option<String>,
}

impl NextcloudMcp {
    /// Reads a board, applies `change`, and writes all its fields back
    /// (Deck's update replaces title, colour and archived together).
    async fn change_board(
        &self,
        request: &RequestContext<RoleServer>,
        board_id: u64,
        change: impl FnOnce(&mut BoardFields),
    ) -> Result<Board, CallToolResult> {
        let deck = self.nextcloud(request).await?;
        let board = deck.get_board(board_id).await.or_fail()?;
        let mut fields = BoardFields {
            title: board.title,
            color: board.color,
            archived: board.archived,
        };
        change(&mut fields);
        deck.update_board(board_id, &fields).await.or_fail()
    }
}

#[tool_router(router = deck_boards_router)]
impl NextcloudMcp {
    #[tool(
        name = "deck_get_boards",
        input_schema = crate::adapters::mcp::schema::input::<ListBoardsArgs>("deck_get_boards"),
        description = "List the user's Deck boards (id, title, colour, archived). Deleted boards are hidden unless include_deleted.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn deck_get_boards(
        &self,
        Parameters(args): Parameters<ListBoardsArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let since = match args.modified_since.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => Some(parse_since(raw).map_err(|_| {
                failure(format!(
                    "modified_since '{raw}' is not a date; use 2026-11-23 or 2026-11-23T08:00:00Z"
                ))
            })?),
        };
        // A board in the list carries its labels and members: a few hundred bytes.
        let paging = args.page.request(50, 500)?;
        let boards = self
            .nextcloud(&request)
            .await?
            .list_boards(since)
            .await
            .or_fail()?;
        let kept: Vec<&Board> = boards
            .iter()
            .filter(|b| args.include_deleted || b.deleted_at == 0)
            .collect();
        let (shown, page) = paging.page(&kept);
        let mut text = format!("Boards: {}", kept.len());
        for board in shown {
            text.push('\n');
            text.push_str(&board_line(board));
        }
        Ok(success(
            &json!({ "boards": shown, "page": page }),
            page.under(text, shown.len()),
        ))
    }

    #[tool(
        name = "deck_get_board",
        input_schema = crate::adapters::mcp::schema::input::<BoardIdArgs>("deck_get_board"),
        description = "Get one Deck board with its labels, stacks (without cards) and members.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn deck_get_board(
        &self,
        Parameters(args): Parameters<BoardIdArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let deck = self.nextcloud(&request).await?;
        let board = deck.get_board(args.board_id).await.or_fail()?;
        let text = format!(
            "{}\nstacks: {}\nlabels: {}\nmembers: {}",
            board_line(&board).trim_start_matches("- "),
            board
                .stacks
                .iter()
                .map(|s| format!("{} ({})", s.title, s.id))
                .collect::<Vec<_>>()
                .join(", "),
            label_names(&board.labels),
            board.users.join(", ")
        );
        Ok(success(&board, text))
    }

    #[tool(
        name = "deck_create_board",
        input_schema = crate::adapters::mcp::schema::input::<CreateBoardArgs>("deck_create_board"),
        description = "Create a Deck board with a title and a colour. Deck adds its default labels.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn deck_create_board(
        &self,
        Parameters(args): Parameters<CreateBoardArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let title = check_title("board title", &args.title, MAX_TITLE_CHARS).or_fail()?;
        let color = check_color(&args.color).or_fail()?;
        let deck = self.nextcloud(&request).await?;
        let board = deck.create_board(&title, &color).await.or_fail()?;
        let text = format!("Created board '{}' (id {})", board.title, board.id);
        Ok(success(&board, text))
    }

    #[tool(
        name = "deck_update_board",
        input_schema = crate::adapters::mcp::schema::input::<UpdateBoardArgs>("deck_update_board"),
        description = "Rename a Deck board or change its colour; fields you omit stay as they are.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_update_board(
        &self,
        Parameters(args): Parameters<UpdateBoardArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        if args.title.is_none() && args.color.is_none() {
            return Err(failure(DeckInputError::EmptyUpdate));
        }
        let title = args
            .title
            .map(|t| check_title("board title", &t, MAX_TITLE_CHARS))
            .transpose()
            .or_fail()?;
        let color = args.color.map(|c| check_color(&c)).transpose().or_fail()?;
        let board = self
            .change_board(&request, args.board_id, |f| {
                f.title = title.unwrap_or(f.title.clone());
                f.color = color.unwrap_or(f.color.clone());
            })
            .await?;
        Ok(success(
            &board,
            format!("Updated board '{}' (id {})", board.title, board.id),
        ))
    }

    #[tool(
        name = "deck_archive_board",
        input_schema = crate::adapters::mcp::schema::input::<BoardIdArgs>("deck_archive_board"),
        description = "Archive a Deck board: it stays readable but is moved out of the active list.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_archive_board(
        &self,
        Parameters(args): Parameters<BoardIdArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let board = self
            .change_board(&request, args.board_id, |f| f.archived = true)
            .await?;
        Ok(success(
            &board,
            format!("Archived board '{}' (id {})", board.title, board.id),
        ))
    }

    #[tool(
        name = "deck_unarchive_board",
        input_schema = crate::adapters::mcp::schema::input::<BoardIdArgs>("deck_unarchive_board"),
        description = "Bring an archived Deck board back to the active list.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_unarchive_board(
        &self,
        Parameters(args): Parameters<BoardIdArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let board = self
            .change_board(&request, args.board_id, |f| f.archived = false)
            .await?;
        Ok(success(
            &board,
            format!("Unarchived board '{}' (id {})", board.title, board.id),
        ))
    }

    #[tool(
        name = "deck_delete_board",
        input_schema = crate::adapters::mcp::schema::input::<BoardIdArgs>("deck_delete_board"),
        description = "Delete a Deck board. Deck moves it to its trash first; deck_restore_board brings it back until the trash is emptied.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_delete_board(
        &self,
        Parameters(args): Parameters<BoardIdArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let deck = self.nextcloud(&request).await?;
        let board = deck.delete_board(args.board_id).await.or_fail()?;
        let text = format!(
            "Deleted board '{}' (id {}); deck_restore_board can undo this",
            board.title, board.id
        );
        Ok(success(
            &json!({ "deleted": board.id, "board": board }),
            text,
        ))
    }

    #[tool(
        name = "deck_restore_board",
        input_schema = crate::adapters::mcp::schema::input::<BoardIdArgs>("deck_restore_board"),
        description = "Restore a deleted Deck board from Deck's trash.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_restore_board(
        &self,
        Parameters(args): Parameters<BoardIdArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let deck = self.nextcloud(&request).await?;
        let board = deck.restore_board(args.board_id).await.or_fail()?;
        Ok(success(
            &board,
            format!("Restored board '{}' (id {})", board.title, board.id),
        ))
    }
}
