//! Deck tools for card dependencies (Deck 1.18.0 and later): a card lists
//! the cards it depends on, as Deck's "Assign dependent cards" does.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars, tool, tool_router};
use serde::Deserialize;
use serde_json::json;

use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, failure, success};
use crate::domain::deck::CardRef;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct DependentCardArgs {
    /// The numeric id of the board the card is on.
    pub board_id: u64,
    /// The id of the stack the card is in.
    pub stack_id: u64,
    /// The card's numeric id.
    pub card_id: u64,
    /// The id of the other card (any board you can read).
    pub dependent_card_id: u64,
}

impl DependentCardArgs {
    fn card(&self) -> Result<CardRef, rmcp::model::CallToolResult> {
        if self.card_id == self.dependent_card_id {
            return Err(failure(format!(
                "card {} cannot depend on itself; give another card as dependent_card_id",
                self.card_id
            )));
        }
        Ok(CardRef {
            board_id: self.board_id,
            stack_id: self.stack_id,
            card_id: self.card_id,
        })
    }
}

fn listed(ids: &[u64]) -> String {
    if ids.is_empty() {
        return "none".into();
    }
    ids.iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[tool_router(router = deck_dependencies_router, vis = "pub(super)")]
impl NextcloudMcp {
    #[tool(
        name = "deck_assign_dependent_card",
        input_schema = crate::adapters::mcp::schema::input::<DependentCardArgs>("deck_assign_dependent_card"),
        description = "Make another card a dependent card of this one (Deck 1.18 or later). Answers the card's dependent cards afterwards; adding one twice changes nothing.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_assign_dependent_card(
        &self,
        Parameters(args): Parameters<DependentCardArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let at = args.card()?;
        let deck = self.nextcloud(&request).await?;
        let ids = deck
            .assign_dependent_card(at, args.dependent_card_id)
            .await
            .or_fail()?;
        Ok(dependents_now(&args, "now has", &ids))
    }

    #[tool(
        name = "deck_remove_dependent_card",
        input_schema = crate::adapters::mcp::schema::input::<DependentCardArgs>("deck_remove_dependent_card"),
        description = "Remove a dependent card from a card (Deck 1.18 or later); the other card stays. Answers the remaining dependent cards.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_remove_dependent_card(
        &self,
        Parameters(args): Parameters<DependentCardArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let at = args.card()?;
        let deck = self.nextcloud(&request).await?;
        let ids = deck
            .remove_dependent_card(at, args.dependent_card_id)
            .await
            .or_fail()?;
        Ok(dependents_now(&args, "no longer has", &ids))
    }
}

/// What both changes answer: the card's dependent cards after the change.
fn dependents_now(
    args: &DependentCardArgs,
    change: &str,
    ids: &[u64],
) -> rmcp::model::CallToolResult {
    let text = format!(
        "Card {} {change} card {} as a dependent card (dependent cards: {})",
        args.card_id,
        args.dependent_card_id,
        listed(ids)
    );
    success(
        &json!({ "card_id": args.card_id, "dependent_cards": ids }),
        text,
    )
}
