//! Deck tools for one board label (`deck_get_label`, `deck_update_label`,
//! `deck_delete_label`). Deck answers 403, not 404, for a label that does
//! not exist or was deleted (fixtures deck-extras/06, 40).

use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars, tool, tool_router};
use serde::Deserialize;
use serde_json::json;

use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, failure, success};
use crate::domain::deck::{DeckInputError, MAX_LABEL_TITLE_CHARS, check_color, check_title};

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct LabelArgs {
    /// The numeric id of the board the label is on.
    pub board_id: u64,
    /// The label's numeric id (from deck_get_labels).
    pub label_id: u64,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct UpdateLabelArgs {
    /// The numeric id of the board the label is on.
    pub board_id: u64,
    /// The label's numeric id (from deck_get_labels).
    pub label_id: u64,
    /// New text; omit to keep it.
    #[serde(default)]
    pub title: Option<String>,
    /// New colour as six hex digits, e.g. "e9322d"; omit to keep it.
    #[serde(default)]
    pub color: Option<String>,
}

#[tool_router(router = deck_labels_router, vis = "pub(super)")]
impl NextcloudMcp {
    #[tool(
        name = "deck_get_label",
        input_schema = crate::adapters::mcp::schema::input::<LabelArgs>("deck_get_label"),
        description = "Get one label of a board (title, colour).",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn deck_get_label(
        &self,
        Parameters(args): Parameters<LabelArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let deck = self.nextcloud(&request).await?;
        let label = deck
            .get_label(args.board_id, args.label_id)
            .await
            .or_fail()?;
        let text = format!("{} (label {}, #{})", label.title, label.id, label.color);
        Ok(success(&label, text))
    }

    #[tool(
        name = "deck_update_label",
        input_schema = crate::adapters::mcp::schema::input::<UpdateLabelArgs>("deck_update_label"),
        description = "Rename a board label or change its colour; fields you omit stay as they are. Cards keep the label.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_update_label(
        &self,
        Parameters(args): Parameters<UpdateLabelArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        if args.title.is_none() && args.color.is_none() {
            return Err(failure(DeckInputError::EmptyUpdate));
        }
        let title = args
            .title
            .map(|t| check_title("label title", &t, MAX_LABEL_TITLE_CHARS))
            .transpose()
            .or_fail()?;
        let color = args.color.map(|c| check_color(&c)).transpose().or_fail()?;
        let deck = self.nextcloud(&request).await?;
        // Deck's update refuses a missing title (400, fixture
        // deck-extras/07): read the label for whichever field stays.
        let current = deck
            .get_label(args.board_id, args.label_id)
            .await
            .or_fail()?;
        let label = deck
            .update_label(
                args.board_id,
                args.label_id,
                title.as_deref().unwrap_or(&current.title),
                color.as_deref().unwrap_or(&current.color),
            )
            .await
            .or_fail()?;
        let text = format!(
            "Updated label '{}' (id {}, #{})",
            label.title, label.id, label.color
        );
        Ok(success(&label, text))
    }

    #[tool(
        name = "deck_delete_label",
        input_schema = crate::adapters::mcp::schema::input::<LabelArgs>("deck_delete_label"),
        description = "Delete a label from a board; it disappears from every card that had it.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_delete_label(
        &self,
        Parameters(args): Parameters<LabelArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let deck = self.nextcloud(&request).await?;
        let label = deck
            .delete_label(args.board_id, args.label_id)
            .await
            .or_fail()?;
        let text = format!("Deleted label '{}' (id {})", label.title, label.id);
        Ok(success(
            &json!({ "deleted": label.id, "label": label }),
            text,
        ))
    }
}
