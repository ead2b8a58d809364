//! `nc_webdav_write_file`: the content is streamed to Nextcloud in chunks,
//! and a client that sent a progress token hears how far the upload got.

use std::sync::Arc;

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{ProgressNotificationParam, ProgressToken};
use rmcp::service::{Peer, RequestContext};
use rmcp::{RoleServer, schemars, tool, tool_router};
use serde::Deserialize;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::parse_target;
use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, failure, success};
use crate::domain::files::{MAX_WRITE_BYTES, WriteCondition};
use crate::ports::nextcloud::UploadProgress;

/// Longest the result waits for progress notifications still in flight.
const PROGRESS_FLUSH: std::time::Duration = std::time::Duration::from_secs(2);

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

/// Forwards upload progress to the client as `notifications/progress`. The
/// upload calls back from inside the HTTP body stream, which must not wait
/// on the client, so the numbers go through a channel to a task that sends
/// them; a slow client only delays its own notifications. The task ends
/// when the upload drops the callback.
fn progress_reporter(
    peer: Peer<RoleServer>,
    token: ProgressToken,
) -> (UploadProgress, JoinHandle<()>) {
    let (sender, mut receiver) = mpsc::unbounded_channel::<(u64, u64)>();
    let task = tokio::spawn(async move {
        while let Some((sent, total)) = receiver.recv().await {
            let mut note = ProgressNotificationParam::new(token.clone(), sent as f64);
            note.total = Some(total as f64);
            note.message = Some(format!("{sent} of {total} bytes uploaded"));
            if peer.notify_progress(note).await.is_err() {
                break;
            }
        }
    });
    let report: UploadProgress = Arc::new(move |sent, total| {
        let _ = sender.send((sent, total));
    });
    (report, task)
}

#[tool_router(router = files_write_router, vis = "pub(super)")]
impl NextcloudMcp {
    #[tool(
        name = "nc_webdav_write_file",
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
        let (progress, reporting) = match request.meta.get_progress_token() {
            Some(token) => {
                let (report, task) = progress_reporter(request.peer.clone(), token);
                (Some(report), Some(task))
            }
            None => (None, None),
        };
        let outcome = self
            .nextcloud(&request)
            .await?
            .upload(
                &path,
                args.content.into_bytes(),
                args.content_type,
                condition,
                progress,
            )
            .await;
        // The notifications go out before the result: once the result is
        // sent, the client stops listening for this request.
        if let Some(task) = reporting {
            let _ = tokio::time::timeout(PROGRESS_FLUSH, task).await;
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
