//! The trash bin (`nc_webdav_list_trash`, `nc_webdav_restore_from_trash`).

use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars, tool, tool_router};
use serde::Deserialize;
use serde_json::json;

use super::page_text;
use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, success};
use crate::adapters::mcp::paging::PageRequest;
use crate::domain::dates::http_date;
use crate::domain::file_meta::ids::check_segment;
use crate::domain::file_meta::trash::TrashEntry;
use crate::domain::files::EntryKind;

const DEFAULT_TRASH_LIMIT: usize = 100;
const MAX_TRASH_LIMIT: usize = 1000;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct ListTrashArgs {
    /// Most entries per page (default 100, at most 1000), most recently deleted first.
    #[serde(default)]
    pub limit: Option<usize>,
    /// Where to go on: next_cursor from the previous page; omit for the first page.
    #[serde(default)]
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct RestoreFromTrashArgs {
    /// The entry_id from nc_webdav_list_trash, e.g. "report.md.d1795423109" (not the original path).
    pub entry_id: String,
}

fn trash_line(entry: &TrashEntry) -> String {
    let folder = if entry.kind == EntryKind::Folder {
        "/"
    } else {
        ""
    };
    let from = entry.original_location.as_deref().unwrap_or("?");
    let when = entry
        .deleted_at
        .map(http_date)
        .unwrap_or_else(|| "unknown time".into());
    format!(
        "- {}{folder} from /{from}, deleted {when} [entry_id: {}]",
        entry.name, entry.entry_id
    )
}

#[tool_router(router = files_trash_router, vis = "pub(super)")]
impl NextcloudMcp {
    #[tool(
        name = "nc_webdav_list_trash",
        input_schema = crate::adapters::mcp::schema::input::<ListTrashArgs>("nc_webdav_list_trash"),
        description = "List the trash bin: name, original location, deletion time and the entry_id to restore with; most recently deleted first, a page at a time (limit, cursor).",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn list_trash(
        &self,
        Parameters(args): Parameters<ListTrashArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let paging = PageRequest::parse(
            args.limit,
            args.cursor.as_deref(),
            DEFAULT_TRASH_LIMIT,
            MAX_TRASH_LIMIT,
        )?;
        let mut entries = self
            .nextcloud(&request)
            .await?
            .list_trash()
            .await
            .or_fail()?;
        // Newest first; the id breaks ties so pages stay stable.
        entries.sort_by(|a, b| {
            b.deleted_at
                .cmp(&a.deleted_at)
                .then_with(|| a.entry_id.cmp(&b.entry_id))
        });
        let (shown, page) = paging.page(&entries);
        let mut text = format!("{} entries in the trash bin", entries.len());
        for entry in shown {
            text.push('\n');
            text.push_str(&trash_line(entry));
        }
        let text = page_text(text, &page, shown.len());
        Ok(success(&json!({ "entries": shown, "page": page }), text))
    }

    #[tool(
        name = "nc_webdav_restore_from_trash",
        input_schema = crate::adapters::mcp::schema::input::<RestoreFromTrashArgs>("nc_webdav_restore_from_trash"),
        description = "Restore an entry of the trash bin to where it was deleted from (Nextcloud renames it if that name is taken again).",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn restore_from_trash(
        &self,
        Parameters(args): Parameters<RestoreFromTrashArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let entry_id = check_segment(&args.entry_id, "entry_id").or_fail()?;
        self.nextcloud(&request)
            .await?
            .restore_from_trash(entry_id)
            .await
            .or_fail()?;
        Ok(success(
            &json!({ "restored": entry_id }),
            format!("Restored {entry_id} from the trash bin"),
        ))
    }
}
