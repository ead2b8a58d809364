//! Server-side file search (`nc_webdav_search_files`, `nc_webdav_find_by_type`):
//! one DAV SEARCH with every filter, newest first. DAV SEARCH has no offset,
//! so a page asks for everything up to its end plus one, which bounds how
//! deep paging may go.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars, tool, tool_router};
use serde::Deserialize;
use serde_json::json;

use super::{listing_text, parse_path};
use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, failure, success};
use crate::adapters::mcp::paging::PageRequest;
use crate::domain::file_meta::query::{FileQuery, MimeFilter, parse_bound};
use crate::domain::files::like_pattern;

const DEFAULT_RESULTS: usize = 50;
const MAX_RESULTS: usize = 500;
/// The deepest result a page may reach: each page re-reads the ones before it.
const MAX_WINDOW: usize = 1000;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct SearchFilesArgs {
    /// Folder to search under, with everything below it (default: the whole files root).
    #[serde(default)]
    pub scope: String,
    /// Name to look for: a part of the name ("report"), or a pattern with * ("*.md", "report-*").
    #[serde(default)]
    pub name_pattern: Option<String>,
    /// MIME type: exact ("application/pdf") or a family ("image" or "image/*").
    #[serde(default)]
    pub mime_type: Option<String>,
    /// Only files and folders marked as favorites (default false).
    #[serde(default)]
    pub only_favorites: bool,
    /// Only entries modified at or after this time: YYYY-MM-DD (start of that day, UTC) or YYYY-MM-DDTHH:MM:SS with an optional offset.
    #[serde(default)]
    pub modified_after: Option<String>,
    /// Only entries modified at or before this time: YYYY-MM-DD (end of that day, UTC) or YYYY-MM-DDTHH:MM:SS with an optional offset.
    #[serde(default)]
    pub modified_before: Option<String>,
    /// Only entries of at least this many bytes.
    #[serde(default)]
    pub min_size: Option<u64>,
    /// Only entries of at most this many bytes.
    #[serde(default)]
    pub max_size: Option<u64>,
    /// Most results per page (default 50, at most 500), newest first.
    #[serde(default)]
    pub limit: Option<usize>,
    /// Where to go on: next_cursor from the previous page; omit for the first page.
    #[serde(default)]
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct FindByTypeArgs {
    /// MIME type: exact ("application/pdf") or a family ("image" or "image/*").
    pub mime_type: String,
    /// Folder to search under, with everything below it (default: the whole files root).
    #[serde(default)]
    pub scope: String,
    /// Most results per page (default 50, at most 500), newest first.
    #[serde(default)]
    pub limit: Option<usize>,
    /// Where to go on: next_cursor from the previous page; omit for the first page.
    #[serde(default)]
    pub cursor: Option<String>,
}

fn non_blank(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

fn query_of(args: &SearchFilesArgs, max_results: u32) -> Result<FileQuery, CallToolResult> {
    let mut query = FileQuery::new(parse_path(&args.scope)?, max_results);
    query.name_like = non_blank(args.name_pattern.clone()).map(|p| like_pattern(&p));
    query.mime = non_blank(args.mime_type.clone())
        .map(|m| MimeFilter::parse(&m))
        .transpose()
        .or_fail()?;
    query.only_favorites = args.only_favorites;
    query.modified_after = non_blank(args.modified_after.clone())
        .map(|d| parse_bound(&d, "modified_after", false))
        .transpose()
        .or_fail()?;
    query.modified_before = non_blank(args.modified_before.clone())
        .map(|d| parse_bound(&d, "modified_before", true))
        .transpose()
        .or_fail()?;
    query.min_size = args.min_size;
    query.max_size = args.max_size;
    query.check().or_fail()?;
    Ok(query)
}

impl NextcloudMcp {
    async fn search_page(
        &self,
        args: SearchFilesArgs,
        request: &RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let paging = PageRequest::parse(
            args.limit,
            args.cursor.as_deref(),
            DEFAULT_RESULTS,
            MAX_RESULTS,
        )?;
        let end = paging.offset() + paging.limit();
        if end > MAX_WINDOW {
            return Err(failure(format!(
                "paging stops after {MAX_WINDOW} results; narrow the search (scope, name_pattern, dates)"
            )));
        }
        // One past the page's end tells whether another page follows.
        let query = query_of(&args, (end + 1) as u32)?;
        let found = self
            .nextcloud(request)
            .await?
            .search_files(&query)
            .await
            .or_fail()?;
        let start = paging.offset().min(found.len());
        let shown = &found[start..end.min(found.len())];
        let has_more = found.len() > end;
        let next_cursor = has_more.then(|| end.to_string());
        let mut text = listing_text(
            format!(
                "{} results under {} (from result {})",
                shown.len(),
                query.scope,
                start + 1
            ),
            shown,
        );
        if let Some(next) = &next_cursor {
            text.push_str(&format!("\nMore: call again with cursor \"{next}\"."));
        }
        let structured = json!({
            "scope": query.scope.to_string(),
            "results": shown,
            "page": { "offset": start, "has_more": has_more, "next_cursor": next_cursor },
        });
        Ok(success(&structured, text))
    }
}

#[tool_router(router = files_search_router, vis = "pub(super)")]
impl NextcloudMcp {
    #[tool(
        name = "nc_webdav_search_files",
        input_schema = crate::adapters::mcp::schema::input::<SearchFilesArgs>("nc_webdav_search_files"),
        description = "Search files and folders on the server by any mix of name pattern, MIME type, favorites, modification dates and size; newest first, a page at a time (limit, cursor).",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn search_files(
        &self,
        Parameters(args): Parameters<SearchFilesArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        self.search_page(args, &request).await
    }

    #[tool(
        name = "nc_webdav_find_by_type",
        input_schema = crate::adapters::mcp::schema::input::<FindByTypeArgs>("nc_webdav_find_by_type"),
        description = "Find files by MIME type (\"application/pdf\", or a family like \"image\"), newest first, a page at a time (limit, cursor).",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn find_by_type(
        &self,
        Parameters(args): Parameters<FindByTypeArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        if args.mime_type.trim().is_empty() {
            return Err(failure(
                "mime_type is empty; give one like \"application/pdf\" or a family like \"image\"",
            ));
        }
        let search = SearchFilesArgs {
            scope: args.scope,
            name_pattern: None,
            mime_type: Some(args.mime_type),
            only_favorites: false,
            modified_after: None,
            modified_before: None,
            min_size: None,
            max_size: None,
            limit: args.limit,
            cursor: args.cursor,
        };
        self.search_page(search, &request).await
    }
}
