//! Earlier versions of a file (`nc_webdav_list_versions`, `nc_webdav_restore_version`).

use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars, tool, tool_router};
use serde::Deserialize;
use serde_json::json;

use super::{page_text, parse_target};
use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, success};
use crate::adapters::mcp::paging::PageArgs;
use crate::domain::file_meta::ids::check_segment;
use crate::domain::file_meta::versions::FileVersion;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct ListVersionsArgs {
    /// Path of the file, relative to the files root, e.g. "Documents/plan.md".
    pub path: String,
    #[serde(flatten)]
    pub page: PageArgs,
}

/// A version is an id, a size, a date and an author.
const DEFAULT_VERSION_LIMIT: usize = 100;
const MAX_VERSION_LIMIT: usize = 1000;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct RestoreVersionArgs {
    /// Path of the file, relative to the files root, e.g. "Documents/plan.md".
    pub path: String,
    /// The version_id from nc_webdav_list_versions, e.g. "1795423106".
    pub version_id: String,
}

fn version_line(version: &FileVersion) -> String {
    let mut line = format!(
        "- {} ({} bytes, {})",
        version.version_id,
        version.size.unwrap_or(0),
        version.modified.as_deref().unwrap_or("unknown time")
    );
    if let Some(author) = &version.author {
        line.push_str(&format!(", by {author}"));
    }
    if let Some(label) = &version.label {
        line.push_str(&format!(", \"{label}\""));
    }
    line
}

/// Version ids are timestamps; newest first, with a text fallback.
fn newest_first(versions: &mut [FileVersion]) {
    versions.sort_by(|a, b| {
        let number = |v: &FileVersion| v.version_id.parse::<u64>().ok();
        number(b)
            .cmp(&number(a))
            .then_with(|| b.version_id.cmp(&a.version_id))
    });
}

#[tool_router(router = files_versions_router, vis = "pub(super)")]
impl NextcloudMcp {
    #[tool(
        name = "nc_webdav_list_versions",
        input_schema = crate::adapters::mcp::schema::input::<ListVersionsArgs>("nc_webdav_list_versions"),
        description = "List the earlier versions Nextcloud keeps of a file, newest first: version_id, size, date, author.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn list_versions(
        &self,
        Parameters(args): Parameters<ListVersionsArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let path = parse_target(&args.path)?;
        let paging = args
            .page
            .request(DEFAULT_VERSION_LIMIT, MAX_VERSION_LIMIT)?;
        let mut versions = self
            .nextcloud(&request)
            .await?
            .list_versions(&path)
            .await
            .or_fail()?;
        newest_first(&mut versions);
        let (shown, page) = paging.page(&versions);
        let mut text = format!("{} earlier versions of {path}", versions.len());
        for version in shown {
            text.push('\n');
            text.push_str(&version_line(version));
        }
        Ok(success(
            &json!({ "path": path.to_string(), "versions": shown, "page": page }),
            page_text(text, &page, shown.len()),
        ))
    }

    #[tool(
        name = "nc_webdav_restore_version",
        input_schema = crate::adapters::mcp::schema::input::<RestoreVersionArgs>("nc_webdav_restore_version"),
        description = "Make an earlier version the file's current content; the content it replaces is kept as a version too.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn restore_version(
        &self,
        Parameters(args): Parameters<RestoreVersionArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let path = parse_target(&args.path)?;
        let version_id = check_segment(&args.version_id, "version_id").or_fail()?;
        self.nextcloud(&request)
            .await?
            .restore_version(&path, version_id)
            .await
            .or_fail()?;
        Ok(success(
            &json!({ "path": path.to_string(), "restored_version": version_id }),
            format!("Restored version {version_id} of {path}"),
        ))
    }
}
