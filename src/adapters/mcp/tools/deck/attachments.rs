//! Deck tools for card attachments: list, delete, and attach a file or a
//! note of the user's Files. Attaching shares the file with the card
//! (Deck's share type), as Deck's own "share from Files" does: nothing is
//! copied, and the card links to the file as it changes.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars, tool, tool_router};
use serde::Deserialize;
use serde_json::json;

use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, failure, success};
use crate::domain::deck::{
    AttachmentType, CardRef, DECK_CARD_SHARE_PERMISSIONS, DECK_CARD_SHARE_TYPE,
};
use crate::domain::path::UserPath;
use crate::domain::shares::{ShareDraft, ShareType};
use crate::ports::nextcloud::NextcloudApi;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct AttachmentCardArgs {
    /// The numeric id of the board the card is on.
    pub board_id: u64,
    /// The id of the stack the card is in.
    pub stack_id: u64,
    /// The card's numeric id.
    pub card_id: u64,
    #[serde(flatten)]
    pub page: crate::adapters::mcp::paging::PageArgs,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct DeleteAttachmentArgs {
    /// The numeric id of the board the card is on.
    pub board_id: u64,
    /// The id of the stack the card is in.
    pub stack_id: u64,
    /// The card's numeric id.
    pub card_id: u64,
    /// The attachment's id (from deck_list_attachments).
    pub attachment_id: u64,
    /// "deck_file" (default: uploaded into Deck, restorable in Deck) or "file" (a file of your Files linked to the card; the file stays) as deck_list_attachments shows it.
    #[serde(default)]
    pub attachment_type: Option<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct AttachFileArgs {
    /// The card's numeric id.
    pub card_id: u64,
    /// The file in your Files, e.g. "/Documents/spec.pdf".
    pub path: String,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct AttachNoteArgs {
    /// The card's numeric id.
    pub card_id: u64,
    /// The note's numeric id (from nc_notes_list_notes).
    pub note_id: u64,
}

impl NextcloudMcp {
    /// Shares `path` with the card read-only; the share is the attachment.
    async fn share_with_card(
        &self,
        deck: &dyn NextcloudApi,
        card_id: u64,
        path: UserPath,
    ) -> Result<CallToolResult, CallToolResult> {
        let draft = ShareDraft {
            path: path.clone(),
            share_type: ShareType::from_code(DECK_CARD_SHARE_TYPE),
            share_with: Some(card_id.to_string()),
            permissions: Some(DECK_CARD_SHARE_PERMISSIONS),
            password: None,
            expire_date: None,
            label: None,
            note: None,
        };
        let share = deck.create_share(&draft).await.or_fail()?;
        let text = format!(
            "Attached {path} to card {card_id} (share {}); deck_list_attachments lists it as a \"file\" attachment",
            share.id
        );
        Ok(success(
            &json!({ "card_id": card_id, "path": path.to_string(), "share_id": share.id }),
            text,
        ))
    }
}

#[tool_router(router = deck_attachments_router, vis = "pub(super)")]
impl NextcloudMcp {
    #[tool(
        name = "deck_list_attachments",
        description = "List a card's attachments: files uploaded into Deck (deck_file) and files of Files linked to it (file), with name, size and type. Deleted deck_file attachments are marked.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn deck_list_attachments(
        &self,
        Parameters(args): Parameters<AttachmentCardArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let at = CardRef {
            board_id: args.board_id,
            stack_id: args.stack_id,
            card_id: args.card_id,
        };
        // An attachment is a name, an id, a type and a size.
        let paging = args.page.request(100, 1000)?;
        let deck = self.nextcloud(&request).await?;
        let all = deck.list_attachments(at).await.or_fail()?;
        let (attachments, page) = paging.page(&all);
        let mut text = format!("Attachments of card {}: {}", args.card_id, all.len());
        for a in attachments {
            text.push_str(&format!(
                "\n- {} (attachment {}, {}",
                a.name,
                a.id,
                a.attachment_type.wire()
            ));
            if let Some(size) = a.size {
                text.push_str(&format!(", {size} bytes"));
            }
            if a.deleted_at > 0 {
                text.push_str(", deleted");
            }
            text.push(')');
        }
        Ok(success(
            &json!({ "card_id": args.card_id, "attachments": attachments, "page": page }),
            page.under(text, attachments.len()),
        ))
    }

    #[tool(
        name = "deck_delete_attachment",
        description = "Remove an attachment from a card. A deck_file attachment goes to Deck's trash; a file attachment is unlinked and the file stays in Files.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn deck_delete_attachment(
        &self,
        Parameters(args): Parameters<DeleteAttachmentArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let raw = args.attachment_type.as_deref().unwrap_or("deck_file");
        let Some(kind) = AttachmentType::parse(raw) else {
            return Err(failure(format!(
                "attachment_type '{raw}' is not \"deck_file\" or \"file\"; deck_list_attachments shows each attachment's type"
            )));
        };
        let at = CardRef {
            board_id: args.board_id,
            stack_id: args.stack_id,
            card_id: args.card_id,
        };
        let deck = self.nextcloud(&request).await?;
        let attachment = deck
            .delete_attachment(at, args.attachment_id, kind)
            .await
            .or_fail()?;
        let text = match kind {
            AttachmentType::DeckFile => format!(
                "Deleted attachment '{}' (id {}) from card {}; it stays in Deck's trash",
                attachment.name, attachment.id, args.card_id
            ),
            AttachmentType::File => format!(
                "Unlinked '{}' (id {}) from card {}; the file stays in Files",
                attachment.name, attachment.id, args.card_id
            ),
        };
        Ok(success(
            &json!({ "deleted": attachment.id, "attachment": attachment }),
            text,
        ))
    }

    #[tool(
        name = "deck_attach_file",
        description = "Attach a file of your Files to a card without copying it: the card links to the file (read-only for the board's members).",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn deck_attach_file(
        &self,
        Parameters(args): Parameters<AttachFileArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let path = UserPath::parse_non_root(&args.path).or_fail()?;
        let deck = self.nextcloud(&request).await?;
        self.share_with_card(deck.as_ref(), args.card_id, path)
            .await
    }

    #[tool(
        name = "deck_attach_note",
        description = "Attach a note of the Notes app to a card without copying it: the card links to the note's file.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn deck_attach_note(
        &self,
        Parameters(args): Parameters<AttachNoteArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let deck = self.nextcloud(&request).await?;
        let note = deck.get_note(args.note_id).await.or_fail()?;
        // The Notes app says where the note's file is; rebuilding the path
        // from title and category would miss the names it sanitises.
        if note.internal_path.trim().is_empty() {
            return Err(failure(format!(
                "the Notes app did not say where note {} is stored; attach its file with deck_attach_file",
                args.note_id
            )));
        }
        let path = UserPath::parse_non_root(&note.internal_path).or_fail()?;
        self.share_with_card(deck.as_ref(), args.card_id, path)
            .await
    }
}
