//! Deck tools for card attachments: list, delete, and attach a file or a
//! note of the user's Files. Attaching a path shares the file with the card
//! (Deck's share type), as Deck's own "share from Files" does: nothing is
//! copied, and the card links to the file as it changes. Attaching content
//! uploads a new file through Deck's attachment API instead.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars, tool, tool_router};
use serde::Deserialize;
use serde_json::json;

use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, failure, success};
use crate::domain::deck::{
    AttachmentName, AttachmentType, AttachmentUpload, CardRef, DECK_CARD_SHARE_PERMISSIONS,
    DECK_CARD_SHARE_TYPE, UploadContent,
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
    /// A file in your Files to link, e.g. "/Documents/spec.pdf". With content, only its name is used.
    #[serde(default)]
    pub path: Option<String>,
    /// Text to upload as a new file.
    #[serde(default)]
    pub content: Option<String>,
    /// Bytes to upload as a new file, base64.
    #[serde(default)]
    pub content_base64: Option<String>,
    /// The uploaded file's name (default: the last part of path).
    #[serde(default)]
    pub file_name: Option<String>,
    /// For uploads: the card's board.
    #[serde(default)]
    pub board_id: Option<u64>,
    /// For uploads: the card's stack.
    #[serde(default)]
    pub stack_id: Option<u64>,
    /// For uploads: "file" (default, kept in your Files' Deck folder, as Deck's web page does) or "deck_file" (Deck's own storage).
    #[serde(default)]
    pub attachment_type: Option<String>,
}

/// What an attach call asks for, decided before any request.
enum AttachRequest {
    Link(UserPath),
    Upload {
        at: CardRef,
        kind: AttachmentType,
        upload: AttachmentUpload,
    },
}

fn parse_type(raw: &str) -> Result<AttachmentType, CallToolResult> {
    AttachmentType::parse(raw).ok_or_else(|| {
        failure(format!(
            "attachment_type '{raw}' is not \"deck_file\" or \"file\"; deck_list_attachments shows each attachment's type"
        ))
    })
}

impl AttachFileArgs {
    fn into_request(self) -> Result<AttachRequest, CallToolResult> {
        let path = self
            .path
            .as_deref()
            .map(UserPath::parse_non_root)
            .transpose()
            .or_fail()?;
        let content = match (self.content, self.content_base64) {
            (Some(_), Some(_)) => {
                return Err(failure("give content or content_base64, not both"));
            }
            (Some(text), None) => UploadContent::text(text).or_fail()?,
            (None, Some(encoded)) => UploadContent::base64(encoded).or_fail()?,
            (None, None) => {
                return path.map(AttachRequest::Link).ok_or_else(|| {
                    failure("give path (a file in your Files to link) or content or content_base64 (to upload)")
                });
            }
        };
        let (Some(board_id), Some(stack_id)) = (self.board_id, self.stack_id) else {
            return Err(failure(
                "uploading content needs the card's board_id and stack_id (deck_get_cards lists them)",
            ));
        };
        let raw_name = match (self.file_name, &path) {
            (Some(name), _) => name,
            (None, Some(path)) => path.segments().last().cloned().unwrap_or_default(),
            (None, None) => return Err(failure("name the uploaded file with file_name")),
        };
        let name = AttachmentName::parse(&raw_name).or_fail()?;
        let kind = parse_type(self.attachment_type.as_deref().unwrap_or("file"))?;
        Ok(AttachRequest::Upload {
            at: CardRef {
                board_id,
                stack_id,
                card_id: self.card_id,
            },
            kind,
            upload: AttachmentUpload { name, content },
        })
    }
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
        input_schema = crate::adapters::mcp::schema::input::<AttachmentCardArgs>("deck_list_attachments"),
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
        input_schema = crate::adapters::mcp::schema::input::<DeleteAttachmentArgs>("deck_delete_attachment"),
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
        let kind = parse_type(args.attachment_type.as_deref().unwrap_or("deck_file"))?;
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
        input_schema = crate::adapters::mcp::schema::input::<AttachFileArgs>("deck_attach_file"),
        description = "Attach a file to a card. With path only: links that file of your Files, not copied (read-only for the board's members). With content (text) or content_base64 (at most 10 MiB), board_id and stack_id: uploads a new file through Deck's attachment API.",
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
        let card_id = args.card_id;
        let (at, kind, upload) = match args.into_request()? {
            AttachRequest::Link(path) => {
                let deck = self.nextcloud(&request).await?;
                return self.share_with_card(deck.as_ref(), card_id, path).await;
            }
            AttachRequest::Upload { at, kind, upload } => (at, kind, upload),
        };
        let size = upload.content.len();
        let deck = self.nextcloud(&request).await?;
        let attachment = deck.upload_attachment(at, kind, upload).await.or_fail()?;
        let text = format!(
            "Uploaded '{}' ({size} bytes) to card {card_id} as {} attachment {}",
            attachment.name,
            kind.wire(),
            attachment.id
        );
        Ok(success(
            &json!({ "card_id": card_id, "uploaded": true, "attachment": attachment }),
            text,
        ))
    }

    #[tool(
        name = "deck_attach_note",
        input_schema = crate::adapters::mcp::schema::input::<AttachNoteArgs>("deck_attach_note"),
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
