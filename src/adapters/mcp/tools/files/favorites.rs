//! Favorites (`nc_webdav_list_favorites`, `nc_webdav_set_favorite`).

use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars, tool, tool_router};
use serde::Deserialize;
use serde_json::json;

use super::{listing_text, page_text, parse_path, parse_target};
use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, success};
use crate::adapters::mcp::paging::PageRequest;

const DEFAULT_FAVORITES_LIMIT: usize = 100;
const MAX_FAVORITES_LIMIT: usize = 1000;

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct ListFavoritesArgs {
    /// Folder to look under, with everything below it (default: the whole files root).
    #[serde(default)]
    pub scope: String,
    /// Most entries per page (default 100, at most 1000), sorted by path.
    #[serde(default)]
    pub limit: Option<usize>,
    /// Where to go on: next_cursor from the previous page; omit for the first page.
    #[serde(default)]
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct SetFavoriteArgs {
    /// Path of the file or folder, relative to the files root.
    pub path: String,
    /// true marks it a favorite (the default), false removes the mark.
    #[serde(default = "yes")]
    pub favorite: bool,
}

#[tool_router(router = files_favorites_router, vis = "pub(super)")]
impl NextcloudMcp {
    #[tool(
        name = "nc_webdav_list_favorites",
        input_schema = crate::adapters::mcp::schema::input::<ListFavoritesArgs>("nc_webdav_list_favorites"),
        description = "List the files and folders marked as favorites, under a folder (default: everywhere); a page at a time (limit, cursor).",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn list_favorites(
        &self,
        Parameters(args): Parameters<ListFavoritesArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let scope = parse_path(&args.scope)?;
        let paging = PageRequest::parse(
            args.limit,
            args.cursor.as_deref(),
            DEFAULT_FAVORITES_LIMIT,
            MAX_FAVORITES_LIMIT,
        )?;
        let mut entries = self
            .nextcloud(&request)
            .await?
            .list_favorites(&scope)
            .await
            .or_fail()?;
        entries.sort_by_cached_key(|e| e.path.to_string());
        let (shown, page) = paging.page(&entries);
        let text = page_text(
            listing_text(format!("{} favorites under {scope}", entries.len()), shown),
            &page,
            shown.len(),
        );
        Ok(success(
            &json!({ "scope": scope.to_string(), "favorites": shown, "page": page }),
            text,
        ))
    }

    #[tool(
        name = "nc_webdav_set_favorite",
        input_schema = crate::adapters::mcp::schema::input::<SetFavoriteArgs>("nc_webdav_set_favorite"),
        description = "Mark a file or folder as a favorite, or (favorite false) remove the mark.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn set_favorite(
        &self,
        Parameters(args): Parameters<SetFavoriteArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let path = parse_target(&args.path)?;
        self.nextcloud(&request)
            .await?
            .set_favorite(&path, args.favorite)
            .await
            .or_fail()?;
        let text = if args.favorite {
            format!("Marked {path} as a favorite")
        } else {
            format!("{path} is no longer a favorite")
        };
        Ok(success(
            &json!({ "path": path.to_string(), "favorite": args.favorite }),
            text,
        ))
    }
}
