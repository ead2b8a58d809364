//! System tags on files (`nc_webdav_*_tag*`): list, read, find by, add and
//! remove. Adding a tag that does not exist yet creates it.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars, tool, tool_router};
use serde::Deserialize;
use serde_json::json;

use super::{listing_text, page_text, parse_target};
use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, failure, success};
use crate::adapters::mcp::paging::{PageArgs, PageRequest};
use crate::domain::file_meta::tags::{SystemTag, check_tag_name, find_tag};
use crate::ports::nextcloud::{Change, NextcloudApi, NextcloudError};

const DEFAULT_TAGGED_LIMIT: usize = 100;
const MAX_TAGGED_LIMIT: usize = 1000;
/// A tag is a name, an id and two flags.
const DEFAULT_TAG_LIMIT: usize = 200;
const MAX_TAG_LIMIT: usize = 1000;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct FileTagsArgs {
    /// Path of the file or folder, relative to the files root, e.g. "Documents/report.pdf".
    pub path: String,
    #[serde(flatten)]
    pub page: PageArgs,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct TagFileArgs {
    /// Path of the file or folder, relative to the files root, e.g. "Documents/report.pdf".
    pub path: String,
    /// The tag's name, e.g. "urgent" (matched exactly, else ignoring case).
    pub tag: String,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct FindByTagArgs {
    /// The tag's name, e.g. "urgent" (matched exactly, else ignoring case).
    pub tag: String,
    /// Most results per page (default 100, at most 1000), sorted by path.
    #[serde(default)]
    pub limit: Option<usize>,
    /// Where to go on: next_cursor from the previous page; omit for the first page.
    #[serde(default)]
    pub cursor: Option<String>,
}

fn tag_line(tag: &SystemTag) -> String {
    let mut line = format!("- {} (id {})", tag.name, tag.id);
    if !tag.user_visible {
        line.push_str(", invisible");
    }
    if !tag.can_assign {
        line.push_str(", only administrators may assign it");
    }
    line
}

fn tags_text(heading: String, tags: &[SystemTag]) -> String {
    let mut text = heading;
    for tag in tags {
        text.push('\n');
        text.push_str(&tag_line(tag));
    }
    text
}

fn no_such_tag(name: &str) -> CallToolResult {
    failure(format!(
        "no tag named '{name}' exists; nc_webdav_list_tags lists the tags"
    ))
}

/// The tag named `name`, created when `create` and none exists. Answers
/// whether it was created.
async fn resolve_tag(
    nextcloud: &dyn NextcloudApi,
    name: &str,
    create: bool,
) -> Result<(SystemTag, bool), CallToolResult> {
    let name = check_tag_name(name).or_fail()?;
    let tags = nextcloud.list_system_tags().await.or_fail()?;
    if let Some(tag) = find_tag(&tags, name) {
        return Ok((tag.clone(), false));
    }
    if !create {
        return Err(no_such_tag(name));
    }
    let id = match nextcloud.create_system_tag(name).await {
        Ok(id) => id,
        // Someone created it a moment ago, or it exists invisibly to this
        // user: look again rather than fail.
        Err(NextcloudError::AlreadyExists(_)) => {
            let tags = nextcloud.list_system_tags().await.or_fail()?;
            return find_tag(&tags, name)
                .map(|t| (t.clone(), false))
                .ok_or_else(|| {
                    failure(format!(
                        "a tag named '{name}' exists but is not visible to you; ask an administrator"
                    ))
                });
        }
        Err(e) => return Err(failure(e)),
    };
    let tag = SystemTag {
        id,
        name: name.to_string(),
        user_visible: true,
        user_assignable: true,
        can_assign: true,
    };
    Ok((tag, true))
}

#[tool_router(router = files_tags_router, vis = "pub(super)")]
impl NextcloudMcp {
    #[tool(
        name = "nc_webdav_list_tags",
        input_schema = crate::adapters::mcp::schema::input::<PageArgs>("nc_webdav_list_tags"),
        description = "List the system tags you can see: name, id, and whether you may assign them.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn list_tags(
        &self,
        Parameters(page): Parameters<PageArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let paging = page.request(DEFAULT_TAG_LIMIT, MAX_TAG_LIMIT)?;
        let mut tags = self
            .nextcloud(&request)
            .await?
            .list_system_tags()
            .await
            .or_fail()?;
        tags.sort_by_cached_key(|t| t.name.to_lowercase());
        let (shown, page) = paging.page(&tags);
        let text = tags_text(format!("{} tags", tags.len()), shown);
        Ok(success(
            &json!({ "tags": shown, "page": page }),
            page_text(text, &page, shown.len()),
        ))
    }

    #[tool(
        name = "nc_webdav_get_file_tags",
        input_schema = crate::adapters::mcp::schema::input::<FileTagsArgs>("nc_webdav_get_file_tags"),
        description = "List the system tags on a file or folder.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn get_file_tags(
        &self,
        Parameters(args): Parameters<FileTagsArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let path = parse_target(&args.path)?;
        let paging = args.page.request(DEFAULT_TAG_LIMIT, MAX_TAG_LIMIT)?;
        let tags = self
            .nextcloud(&request)
            .await?
            .file_tags(&path)
            .await
            .or_fail()?;
        let (shown, page) = paging.page(&tags);
        let text = tags_text(format!("{} tags on {path}", tags.len()), shown);
        Ok(success(
            &json!({ "path": path.to_string(), "tags": shown, "page": page }),
            page_text(text, &page, shown.len()),
        ))
    }

    #[tool(
        name = "nc_webdav_find_by_tag_name",
        input_schema = crate::adapters::mcp::schema::input::<FindByTagArgs>("nc_webdav_find_by_tag_name"),
        description = "Find the files and folders that carry a system tag, by the tag's name; a page at a time (limit, cursor).",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn find_by_tag_name(
        &self,
        Parameters(args): Parameters<FindByTagArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let paging = PageRequest::parse(
            args.limit,
            args.cursor.as_deref(),
            DEFAULT_TAGGED_LIMIT,
            MAX_TAGGED_LIMIT,
        )?;
        let nextcloud = self.nextcloud(&request).await?;
        let (tag, _) = resolve_tag(&*nextcloud, &args.tag, false).await?;
        let mut entries = nextcloud.files_with_tag(&tag).await.or_fail()?;
        entries.sort_by_cached_key(|e| e.path.to_string());
        let (shown, page) = paging.page(&entries);
        let text = page_text(
            listing_text(format!("{} tagged '{}'", entries.len(), tag.name), shown),
            &page,
            shown.len(),
        );
        Ok(success(
            &json!({ "tag": tag, "results": shown, "page": page }),
            text,
        ))
    }

    #[tool(
        name = "nc_webdav_tag_file",
        input_schema = crate::adapters::mcp::schema::input::<TagFileArgs>("nc_webdav_tag_file"),
        description = "Put a system tag on a file or folder. A tag that does not exist yet is created (visible and assignable), and the result says so.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn tag_file(
        &self,
        Parameters(args): Parameters<TagFileArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let path = parse_target(&args.path)?;
        let nextcloud = self.nextcloud(&request).await?;
        let (tag, created) = resolve_tag(&*nextcloud, &args.tag, true).await?;
        if !tag.can_assign {
            return Err(failure(format!(
                "tag '{}' is restricted: only administrators may assign it",
                tag.name
            )));
        }
        let change = nextcloud.assign_system_tag(&path, &tag).await.or_fail()?;
        let mut text = match change {
            Change::Done => format!("Tagged {path} with '{}'", tag.name),
            Change::AlreadySo => format!("{path} already had tag '{}'", tag.name),
        };
        if created {
            text = format!("Created tag '{}' (id {}). {text}", tag.name, tag.id);
        }
        let structured = json!({
            "path": path.to_string(),
            "tag": tag,
            "tag_created": created,
            "changed": change == Change::Done,
        });
        Ok(success(&structured, text))
    }

    #[tool(
        name = "nc_webdav_untag_file",
        input_schema = crate::adapters::mcp::schema::input::<TagFileArgs>("nc_webdav_untag_file"),
        description = "Remove a system tag from a file or folder; the tag itself stays.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn untag_file(
        &self,
        Parameters(args): Parameters<TagFileArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let path = parse_target(&args.path)?;
        let nextcloud = self.nextcloud(&request).await?;
        let (tag, _) = resolve_tag(&*nextcloud, &args.tag, false).await?;
        let change = nextcloud.unassign_system_tag(&path, &tag).await.or_fail()?;
        let text = match change {
            Change::Done => format!("Removed tag '{}' from {path}", tag.name),
            Change::AlreadySo => format!("{path} did not have tag '{}'", tag.name),
        };
        let structured = json!({
            "path": path.to_string(),
            "tag": tag,
            "changed": change == Change::Done,
        });
        Ok(success(&structured, text))
    }
}
