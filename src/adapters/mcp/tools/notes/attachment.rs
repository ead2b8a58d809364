//! `nc_notes_get_attachment`: a file a note embeds, read from the note's
//! `.attachments.<id>` folder over WebDAV. Images come back as MCP image
//! content, text as text; other files are refused with where they are.

use base64::Engine;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::ContentBlock;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars, tool, tool_router};
use serde::Deserialize;
use serde_json::json;

use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, failure, success};
use crate::domain::notes::{MAX_ATTACHMENT_BYTES, attachment_path, sniff_image};

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct GetAttachmentArgs {
    /// The note's numeric id.
    pub note_id: u64,
    /// The file name as the note links it, e.g. "photo.png" or ".attachments.42/photo.png".
    pub attachment_filename: String,
}

#[tool_router(router = notes_attachment_router, vis = "pub(super)")]
impl NextcloudMcp {
    #[tool(
        name = "nc_notes_get_attachment",
        input_schema = crate::adapters::mcp::schema::input::<GetAttachmentArgs>("nc_notes_get_attachment"),
        description = "Read a file a note embeds (an image pasted into the note, at most 5 MiB). Images come back as image content the client can show, text files as text.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn nc_notes_get_attachment(
        &self,
        Parameters(args): Parameters<GetAttachmentArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let nextcloud = self.nextcloud(&request).await?;
        let note = nextcloud.get_note(args.note_id).await.or_fail()?;
        let path = attachment_path(&note, &args.attachment_filename).or_fail()?;
        let file = nextcloud
            .read_file(&path, MAX_ATTACHMENT_BYTES)
            .await
            .or_fail()?;
        let size = file.bytes.len();
        let name = path.name().unwrap_or_default().to_string();
        if let Some(mime) = sniff_image(&file.bytes) {
            let structured = json!({
                "note_id": note.id, "filename": name, "path": path.to_string(),
                "mime_type": mime, "size": size,
            });
            let text = format!(
                "Image '{name}' of note '{}' ({mime}, {size} bytes)",
                note.title
            );
            let mut result = success(&structured, text);
            let data = base64::engine::general_purpose::STANDARD.encode(&file.bytes);
            result.content.push(ContentBlock::image(data, mime));
            return Ok(result);
        }
        match String::from_utf8(file.bytes) {
            Ok(text) if !text.contains('\0') => {
                let structured = json!({
                    "note_id": note.id, "filename": name, "path": path.to_string(),
                    "mime_type": "text/plain", "size": size, "content": text,
                });
                Ok(success(&structured, text))
            }
            _ => Err(failure(format!(
                "'{name}' of note {} is neither an image (PNG, JPEG, GIF, WebP) nor text, so it cannot be shown here; it is at {path} in your Files",
                note.id
            ))),
        }
    }
}
