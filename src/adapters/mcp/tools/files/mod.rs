//! Files tools over WebDAV (`nc_webdav_*`), named like the reference server's.
//! This file holds the core file operations and the router; tags, comments,
//! favorites, the trash bin, versions and search have a file each.

mod comments;
mod favorites;
mod search;
mod tags;
mod trash;
mod versions;

mod read;
mod write;

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars, tool, tool_router};
use serde::Deserialize;

use super::AppRouter;
use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, failure, success};
use crate::adapters::mcp::paging::{PageInfo, PageRequest};
use crate::adapters::mcp::tool_scopes::Access;
use crate::domain::files::{EntryKind, FileEntry, like_pattern};
use crate::domain::path::UserPath;
use crate::domain::scopes::Scope;

/// Files are core Nextcloud (WebDAV), present on every server.
pub(super) fn router() -> AppRouter {
    AppRouter::new(
        None,
        Access::read_write(Scope::FilesRead, Scope::FilesWrite),
        NextcloudMcp::files_router()
            + NextcloudMcp::files_tags_router()
            + NextcloudMcp::files_comments_router()
            + NextcloudMcp::files_favorites_router()
            + NextcloudMcp::files_trash_router()
            + NextcloudMcp::files_versions_router()
            + NextcloudMcp::files_search_router()
            + NextcloudMcp::files_read_router()
            + NextcloudMcp::files_write_router(),
    )
}

const DEFAULT_SEARCH_LIMIT: usize = 50;
const MAX_SEARCH_LIMIT: usize = 500;
/// The most results one name search asks Nextcloud for (the page's end).
const MAX_SEARCH_WINDOW: usize = 10_001;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct PathArgs {
    /// Path relative to the user's files root, e.g. "Documents/report.md"; "/" or "" is the root.
    #[serde(default)]
    pub path: String,
}

/// A listing entry takes about 260 bytes (JSON and text line together), so a
/// default page stays under 50 KB.
const DEFAULT_LIST_LIMIT: usize = 150;
const MAX_LIST_LIMIT: usize = 1000;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct ListDirectoryArgs {
    /// Path of the folder relative to the user's files root, e.g. "Documents"; "/" or "" is the root.
    #[serde(default)]
    pub path: String,
    /// Most entries per page (default 150, at most 1000), sorted by path.
    #[serde(default)]
    pub limit: Option<usize>,
    /// Where to go on: next_cursor from the previous page; omit for the first page.
    #[serde(default)]
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct TransferArgs {
    /// Path of the file or folder to move or copy, relative to the files root.
    pub source_path: String,
    /// Its new path, including the name; the parent folder must exist.
    pub destination_path: String,
    /// Replace an existing file or folder at the destination (default false).
    #[serde(default)]
    pub overwrite: bool,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct FindByNameArgs {
    /// Name to look for: a part of the name ("report"), or a pattern with * ("*.md", "report-*").
    pub pattern: String,
    /// Folder to search under (default: the whole files root).
    #[serde(default)]
    pub scope: Option<String>,
    /// Maximum number of results per page (default 50, at most 500).
    #[serde(default)]
    pub limit: Option<usize>,
    /// Where to go on: next_cursor from the previous page; omit for the first page.
    #[serde(default)]
    pub cursor: Option<String>,
}

fn parse_path(raw: &str) -> Result<UserPath, CallToolResult> {
    UserPath::parse(raw).or_fail()
}

fn parse_target(raw: &str) -> Result<UserPath, CallToolResult> {
    UserPath::parse_non_root(raw).or_fail()
}

enum Transfer {
    Move,
    Copy,
}

impl NextcloudMcp {
    /// Move and copy differ only in the WebDAV method and the words.
    async fn transfer(
        &self,
        args: TransferArgs,
        request: &RequestContext<RoleServer>,
        kind: Transfer,
    ) -> ToolOutcome {
        let from = parse_target(&args.source_path)?;
        let to = parse_target(&args.destination_path)?;
        let nextcloud = self.nextcloud(request).await?;
        let done = match kind {
            Transfer::Move => nextcloud.move_entry(&from, &to, args.overwrite).await,
            Transfer::Copy => nextcloud.copy_entry(&from, &to, args.overwrite).await,
        };
        done.or_fail()?;
        let verb = match kind {
            Transfer::Move => "Moved",
            Transfer::Copy => "Copied",
        };
        let structured = serde_json::json!({ "from": from.to_string(), "to": to.to_string() });
        Ok(success(&structured, format!("{verb} {from} to {to}")))
    }
}

fn entry_line(entry: &FileEntry) -> String {
    match entry.kind {
        EntryKind::Folder => format!("- {}/", entry.path),
        EntryKind::File => format!("- {} ({} bytes)", entry.path, entry.size.unwrap_or(0)),
    }
}

/// A listing's text with the paging line, when there is one.
fn page_text(mut text: String, page: &PageInfo, shown: usize) -> String {
    let more = page.line(shown);
    if !more.is_empty() {
        text.push('\n');
        text.push_str(&more);
    }
    text
}

fn listing_text(heading: String, entries: &[FileEntry]) -> String {
    let mut text = heading;
    for entry in entries {
        text.push('\n');
        text.push_str(&entry_line(entry));
    }
    text
}

#[tool_router(router = files_router)]
impl NextcloudMcp {
    #[tool(
        name = "nc_webdav_list_directory",
        input_schema = crate::adapters::mcp::schema::input::<ListDirectoryArgs>("nc_webdav_list_directory"),
        description = "List the files and folders in a folder: name, type, size, modified date, etag, file id; a page at a time (limit, cursor).",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn list_directory(
        &self,
        Parameters(args): Parameters<ListDirectoryArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let path = parse_path(&args.path)?;
        let paging = PageRequest::parse(
            args.limit,
            args.cursor.as_deref(),
            DEFAULT_LIST_LIMIT,
            MAX_LIST_LIMIT,
        )?;
        let mut entries = self
            .nextcloud(&request)
            .await?
            .list_folder(&path)
            .await
            .or_fail()?;
        // A stable order, so consecutive pages neither skip nor repeat.
        entries.sort_by_cached_key(|e| e.path.to_string());
        let (shown, page) = paging.page(&entries);
        let mut text = listing_text(format!("{} entries in {path}", entries.len()), shown);
        let more = page.line(shown.len());
        if !more.is_empty() {
            text.push('\n');
            text.push_str(&more);
        }
        Ok(success(
            &serde_json::json!({ "path": path.to_string(), "entries": shown, "page": page }),
            text,
        ))
    }

    #[tool(
        name = "nc_webdav_get_file_info",
        input_schema = crate::adapters::mcp::schema::input::<PathArgs>("nc_webdav_get_file_info"),
        description = "Get a file's or folder's details: type, size, modified date, etag, file id, content type.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn get_file_info(
        &self,
        Parameters(args): Parameters<PathArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let path = parse_path(&args.path)?;
        let entry = self
            .nextcloud(&request)
            .await?
            .file_info(&path)
            .await
            .or_fail()?;
        Ok(success(&entry, entry_line(&entry)))
    }

    #[tool(
        name = "nc_webdav_create_directory",
        input_schema = crate::adapters::mcp::schema::input::<PathArgs>("nc_webdav_create_directory"),
        description = "Create a folder; its parent must exist.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn create_directory(
        &self,
        Parameters(args): Parameters<PathArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let path = parse_target(&args.path)?;
        self.nextcloud(&request)
            .await?
            .create_folder(&path)
            .await
            .or_fail()?;
        Ok(success(
            &serde_json::json!({ "created": path.to_string() }),
            format!("Created folder {path}"),
        ))
    }

    #[tool(
        name = "nc_webdav_move_resource",
        input_schema = crate::adapters::mcp::schema::input::<TransferArgs>("nc_webdav_move_resource"),
        description = "Move or rename a file or folder. Fails if the destination exists unless overwrite is true.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn move_resource(
        &self,
        Parameters(args): Parameters<TransferArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        self.transfer(args, &request, Transfer::Move).await
    }

    #[tool(
        name = "nc_webdav_copy_resource",
        input_schema = crate::adapters::mcp::schema::input::<TransferArgs>("nc_webdav_copy_resource"),
        description = "Copy a file or folder. Fails if the destination exists unless overwrite is true.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn copy_resource(
        &self,
        Parameters(args): Parameters<TransferArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        self.transfer(args, &request, Transfer::Copy).await
    }

    #[tool(
        name = "nc_webdav_delete_resource",
        input_schema = crate::adapters::mcp::schema::input::<PathArgs>("nc_webdav_delete_resource"),
        description = "Delete a file or folder (it goes to the Nextcloud trash bin when that app is enabled).",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn delete_resource(
        &self,
        Parameters(args): Parameters<PathArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let path = parse_target(&args.path)?;
        self.nextcloud(&request)
            .await?
            .delete_entry(&path)
            .await
            .or_fail()?;
        Ok(success(
            &serde_json::json!({ "deleted": path.to_string() }),
            format!("Deleted {path}"),
        ))
    }

    #[tool(
        name = "nc_webdav_find_by_name",
        input_schema = crate::adapters::mcp::schema::input::<FindByNameArgs>("nc_webdav_find_by_name"),
        description = "Find files and folders by name under a folder (default: everywhere), newest first. The pattern matches part of the name, or use * as a wildcard.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn find_by_name(
        &self,
        Parameters(args): Parameters<FindByNameArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        if args.pattern.trim().is_empty() {
            return Err(failure(
                "pattern is empty; give part of a name or a pattern like *.md",
            ));
        }
        let paging = PageRequest::parse(
            args.limit,
            args.cursor.as_deref(),
            DEFAULT_SEARCH_LIMIT,
            MAX_SEARCH_LIMIT,
        )?;
        // Nextcloud pages a search only by its length: ask for the results
        // up to this page's end (and one more), within a bounded window.
        let window = paging.window();
        if window > MAX_SEARCH_WINDOW {
            return Err(failure(format!(
                "paging stops after {MAX_SEARCH_WINDOW} results; narrow the pattern or the scope"
            )));
        }
        let scope = parse_path(args.scope.as_deref().unwrap_or(""))?;
        let found = self
            .nextcloud(&request)
            .await?
            .search_by_name(&scope, &like_pattern(&args.pattern), window as u32)
            .await
            .or_fail()?;
        let (shown, page) = paging.page_of_window(&found);
        let text = listing_text(
            format!(
                "{} matches for '{}' under {scope}",
                shown.len(),
                args.pattern
            ),
            shown,
        );
        Ok(success(
            &serde_json::json!({ "pattern": args.pattern, "scope": scope.to_string(), "results": shown, "page": page }),
            page_text(text, &page, shown.len()),
        ))
    }
}
