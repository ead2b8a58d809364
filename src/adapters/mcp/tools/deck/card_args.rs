//! Arguments of the Deck card tools, with their schemas.

use rmcp::schemars;
use serde::Deserialize;

use super::listing::ListingArgs;
use crate::adapters::mcp::paging::PageArgs;
use crate::domain::deck::CardRef;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct ListCardsArgs {
    /// The board's numeric id.
    pub board_id: u64,
    /// The stack's numeric id.
    pub stack_id: u64,
    /// "full" (default: every field) or "summary" (compact rows with a description preview).
    #[serde(default)]
    pub detail: Option<String>,
    /// "open" (not done), "done", "archived" or "all"; omit for the cards that are not archived.
    #[serde(default)]
    pub status: Option<String>,
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

impl ListCardsArgs {
    pub(super) fn listing(&self) -> ListingArgs<'_> {
        ListingArgs {
            detail: self.detail.as_deref(),
            status: self.status.as_deref(),
            label: self.label.as_deref(),
            assigned_to: self.assigned_to.as_deref(),
            description_max_length: self.description_max_length,
            description_preview_length: self.description_preview_length,
        }
    }
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct CardArgs {
    /// The board the card is on.
    pub board_id: u64,
    /// The stack the card is in now.
    pub stack_id: u64,
    /// The card's numeric id.
    pub card_id: u64,
}

impl CardArgs {
    pub(super) fn card(&self) -> CardRef {
        CardRef {
            board_id: self.board_id,
            stack_id: self.stack_id,
            card_id: self.card_id,
        }
    }
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct CreateCardArgs {
    /// The board's numeric id (see deck_get_boards).
    pub board_id: u64,
    /// The id of the stack (column) to add the card to; it must belong to board_id.
    pub stack_id: u64,
    /// The card's title.
    pub title: String,
    /// Markdown description.
    #[serde(default)]
    pub description: Option<String>,
    /// Due date: "2026-12-04" (12:00 UTC that day), "2026-12-04 17:00" (UTC) or "2026-12-04T17:00:00+01:00".
    #[serde(default)]
    pub duedate: Option<String>,
    /// Position in the stack (default 0: on top).
    #[serde(default)]
    pub order: Option<i64>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct UpdateCardArgs {
    /// The numeric id of the board the card is on.
    pub board_id: u64,
    /// The id of the stack the card is in now.
    pub stack_id: u64,
    /// The card's numeric id.
    pub card_id: u64,
    /// New title; omit to keep it.
    #[serde(default)]
    pub title: Option<String>,
    /// New Markdown description; omit to keep it.
    #[serde(default)]
    pub description: Option<String>,
    /// New due date (as for deck_create_card); "" removes it; omit to keep it.
    #[serde(default)]
    pub duedate: Option<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct ReorderCardArgs {
    /// The numeric id of the board the card is on.
    pub board_id: u64,
    /// The stack the card is in now.
    pub stack_id: u64,
    /// The card's numeric id.
    pub card_id: u64,
    /// New position in the target stack (0 = top).
    pub order: i64,
    /// The stack to move the card to (the same stack to only reorder).
    pub target_stack_id: u64,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct MoveCardToBoardArgs {
    /// The numeric id of the board the card is on now.
    pub source_board_id: u64,
    /// The id of the stack the card is in now.
    pub source_stack_id: u64,
    /// The card's numeric id.
    pub card_id: u64,
    /// The numeric id of the board to move the card to.
    pub target_board_id: u64,
    /// A stack of the target board.
    pub target_stack_id: u64,
    /// Position in the target stack (default 0 = top).
    #[serde(default)]
    pub order: Option<i64>,
}
