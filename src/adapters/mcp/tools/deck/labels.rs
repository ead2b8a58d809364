//! Deck tools for a board's labels (`deck_get_labels`, `deck_create_label`,
//! `deck_get_label`, `deck_update_label`, `deck_delete_label`). Deck answers
//! 403, not 404, for a label that does not exist or was deleted (fixtures
//! deck-extras/06, 40).

use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars, tool, tool_router};
use serde::Deserialize;
use serde_json::json;

use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, failure, success};
use crate::adapters::mcp::paging::PageArgs;
use crate::domain::deck::{DeckInputError, MAX_LABEL_TITLE_CHARS, check_color, check_title};

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct LabelsArgs {
    /// The board's numeric id (from deck_get_boards).
    pub board_id: u64,
    #[serde(flatten)]
    pub page: PageArgs,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct CreateLabelArgs {
    /// The numeric id of the board to add the label to.
    pub board_id: u64,
    /// The label's text, e.g. "Urgent".
    pub title: String,
    /// Colour as six hex digits, e.g. "e9322d".
    pub color: String,
}

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
        name = "deck_get_labels",
        input_schema = crate::adapters::mcp::schema::input::<LabelsArgs>("deck_get_labels"),
        description = "List the labels defined on a board (id, title, colour), for assigning to cards.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn deck_get_labels(
        &self,
        Parameters(args): Parameters<LabelsArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        // A label is an id, a title and a colour.
        let paging = args.page.request(200, 1000)?;
        let board = self
            .nextcloud(&request)
            .await?
            .get_board(args.board_id)
            .await
            .or_fail()?;
        let (shown, page) = paging.page(&board.labels);
        let mut text = format!("Labels of board {}: {}", board.id, board.labels.len());
        for l in shown {
            text.push_str(&format!("\n- {} (label {}, #{})", l.title, l.id, l.color));
        }
        Ok(success(
            &json!({ "board_id": board.id, "labels": shown, "page": page }),
            page.under(text, shown.len()),
        ))
    }

    #[tool(
        name = "deck_create_label",
        input_schema = crate::adapters::mcp::schema::input::<CreateLabelArgs>("deck_create_label"),
        description = "Define a new label on a board.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn deck_create_label(
        &self,
        Parameters(args): Parameters<CreateLabelArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let title = check_title("label title", &args.title, MAX_LABEL_TITLE_CHARS).or_fail()?;
        let color = check_color(&args.color).or_fail()?;
        let deck = self.nextcloud(&request).await?;
        let label = deck
            .create_label(args.board_id, &title, &color)
            .await
            .or_fail()?;
        Ok(success(
            &label,
            format!("Created label '{}' (id {})", label.title, label.id),
        ))
    }

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
