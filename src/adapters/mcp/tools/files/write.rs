//! `nc_webdav_write_file`: the content is streamed to Nextcloud in chunks,
//! and a client that sent a progress token hears how far the upload got.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars, tool, tool_router};
use serde::Deserialize;

use super::parse_target;
use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, failure, success};
use crate::adapters::mcp::progress::{ByteProgress, Progress};
use crate::domain::files::{MAX_WRITE_BYTES, WriteCondition};

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct WriteFileArgs {
    /// Path of the file to create or overwrite; its folder must exist.
    pub path: String,
    /// The file's new content (text).
    pub content: String,
    /// MIME type to store, e.g. "text/markdown"; default is decided by Nextcloud from the name.
    #[serde(default)]
    pub content_type: Option<String>,
    /// Only overwrite if the file still has this etag (from a listing or read). Nextcloud keeps the etag when a file is overwritten within the same second, so such a change is not caught.
    #[serde(default)]
    pub if_match: Option<String>,
}

#[tool_router(router = files_write_router, vis = "pub(super)")]
impl NextcloudMcp {
    #[tool(
        name = "nc_webdav_write_file",
        input_schema = crate::adapters::mcp::schema::input::<WriteFileArgs>("nc_webdav_write_file"),
        description = "Create or overwrite a text file (at most 10 MiB). Pass if_match with the etag you read to refuse overwriting someone else's change; Nextcloud keeps a file's etag when it is overwritten within the same second, so a change made in the same second as the version you read is not caught. Reports upload progress when the request carries a progress token.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn write_file(
        &self,
        Parameters(args): Parameters<WriteFileArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let path = parse_target(&args.path)?;
        if args.content.len() > MAX_WRITE_BYTES {
            return Err(failure(format!(
                "content is {} bytes; the limit is {MAX_WRITE_BYTES} bytes",
                args.content.len()
            )));
        }
        let condition = match args.if_match.as_deref().map(str::trim) {
            None | Some("") => WriteCondition::Any,
            Some(etag) if etag.starts_with('"') => WriteCondition::IfMatch(etag.to_string()),
            Some(etag) => WriteCondition::IfMatch(format!("\"{etag}\"")),
        };
        let reporting = Progress::of(&request).map(|p| p.bytes("uploaded"));
        let outcome = self
            .nextcloud(&request)
            .await?
            .upload(
                &path,
                args.content.into_bytes(),
                args.content_type,
                condition,
                reporting.as_ref().map(ByteProgress::callback),
            )
            .await;
        if let Some(reporting) = reporting {
            reporting.flush().await;
        }
        let outcome = outcome.or_fail()?;
        let verb = if outcome.created {
            "Created"
        } else {
            "Overwrote"
        };
        let structured = serde_json::json!({
            "path": path.to_string(),
            "created": outcome.created,
            "etag": outcome.etag,
        });
        Ok(success(&structured, format!("{verb} {path}")))
    }
}
