//! Sharing tools (`nc_share_*`), named like the reference server's: list,
//! read, change and delete shares, find recipients. Creating shares is in
//! `create.rs`.

mod create;

use std::time::SystemTime;

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars, tool, tool_router};
use serde::Deserialize;
use serde_json::json;

use super::AppRouter;
use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, failure, success};
use crate::adapters::mcp::paging::{PageArgs, PageRequest};
use crate::adapters::mcp::tool_scopes::Access;
use crate::domain::capabilities::App;
use crate::domain::path::UserPath;
use crate::domain::scopes::Scope;
use crate::domain::shares::{
    CivilDate, MAX_LABEL_CHARS, MAX_NOTE_CHARS, MAX_PASSWORD_CHARS, Share, ShareInputError,
    SharePatch, ShareQuery, check_expiry, check_length, check_permissions,
};
use crate::domain::time::UnixTime;

/// Sharing is the optional `files_sharing` app.
pub(super) fn router() -> AppRouter {
    AppRouter::new(
        Some(App::Sharing),
        Access::read_write(Scope::SharesRead, Scope::SharesWrite),
        NextcloudMcp::shares_router() + NextcloudMcp::shares_create_router(),
    )
}

const DEFAULT_SHAREE_LIMIT: u32 = 25;
const MAX_SHAREE_LIMIT: u32 = 100;
/// The most matches one sharee search asks Nextcloud for (the page's end).
const MAX_SHAREE_WINDOW: usize = 1001;
/// A share is under a kilobyte: 50 keep a page well under 50 KB.
const DEFAULT_SHARE_LIMIT: usize = 50;
const MAX_SHARE_LIMIT: usize = 500;

fn now_unix() -> i64 {
    UnixTime::from_system(SystemTime::now()).0
}

fn today() -> CivilDate {
    CivilDate::from_unix(now_unix())
}

fn share_line(share: &Share) -> String {
    let target = match (&share.share_with_displayname, &share.share_with, &share.url) {
        (_, _, Some(url)) => url.clone(),
        (Some(name), Some(id), _) if name != id => format!("{name} ({id})"),
        (_, Some(id), _) => id.clone(),
        (Some(name), None, _) => name.clone(),
        _ => String::new(),
    };
    let mut line = format!(
        "- share {}: {} {} with {} [{}: {}]",
        share.id,
        share.share_type_name,
        share.path,
        target,
        share.permissions,
        share.permission_names.join(", ")
    );
    if let Some(expiration) = &share.expiration {
        line.push_str(&format!(", expires {expiration}"));
    }
    if share.has_password {
        line.push_str(", password protected");
    }
    line
}

fn optional_text(
    field: &'static str,
    value: Option<String>,
    max: usize,
) -> Result<Option<String>, CallToolResult> {
    if let Some(v) = &value {
        check_length(field, v, max).or_fail()?;
    }
    Ok(value)
}

fn share_path(raw: &str) -> Result<UserPath, CallToolResult> {
    UserPath::parse_non_root(raw).or_fail()
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct ListSharesArgs {
    /// Only shares of this file or folder (relative to the files root, e.g. "Documents/report.md").
    #[serde(default)]
    pub path: Option<String>,
    /// List what others shared with you instead of your own shares.
    #[serde(default)]
    pub shared_with_me: bool,
    /// With path: also reshares others made of it.
    #[serde(default)]
    pub reshares: bool,
    /// With path (a folder): the shares of the items inside it instead.
    #[serde(default)]
    pub subfiles: bool,
    #[serde(flatten)]
    pub page: PageArgs,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct ShareIdArgs {
    /// The share's numeric id (from nc_share_list).
    pub share_id: u64,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct UpdateShareArgs {
    /// The share's numeric id (see nc_share_list).
    pub share_id: u64,
    /// New permissions: sum of 1 read, 2 update, 4 create, 8 delete, 16 share.
    #[serde(default)]
    pub permissions: Option<i64>,
    /// New password; "" removes it.
    #[serde(default)]
    pub password: Option<String>,
    /// New last day, YYYY-MM-DD (today or later); "" removes the expiry.
    #[serde(default)]
    pub expire_date: Option<String>,
    /// New note for the recipient.
    #[serde(default)]
    pub note: Option<String>,
    /// New label.
    #[serde(default)]
    pub label: Option<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct FindShareesArgs {
    /// Part of a user's or group's name or id, e.g. "ali".
    pub search: String,
    /// Maximum number of matches per page (default 25, at most 100).
    #[serde(default)]
    pub limit: Option<usize>,
    /// Where to go on: next_cursor from the previous page; omit for the first page.
    #[serde(default)]
    pub cursor: Option<String>,
}

#[tool_router(router = shares_router)]
impl NextcloudMcp {
    #[tool(
        name = "nc_share_list",
        input_schema = crate::adapters::mcp::schema::input::<ListSharesArgs>("nc_share_list"),
        description = "List shares: your own (optionally only those of one path), or those shared with you. Permissions are given as a number and in words.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn nc_share_list(
        &self,
        Parameters(args): Parameters<ListSharesArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let path = match args.path.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => Some(share_path(raw)?),
        };
        if path.is_none() && (args.reshares || args.subfiles) {
            return Err(failure("reshares and subfiles need a path"));
        }
        let paging = args.page.request(DEFAULT_SHARE_LIMIT, MAX_SHARE_LIMIT)?;
        let query = ShareQuery {
            path,
            reshares: args.reshares,
            subfiles: args.subfiles,
            shared_with_me: args.shared_with_me,
        };
        let shares = self
            .nextcloud(&request)
            .await?
            .list_shares(&query)
            .await
            .or_fail()?;
        let (shown, page) = paging.page(&shares);
        let mut text = format!("Shares: {}", shares.len());
        for share in shown {
            text.push('\n');
            text.push_str(&share_line(share));
        }
        Ok(success(
            &json!({ "shares": shown, "page": page }),
            page.under(text, shown.len()),
        ))
    }

    #[tool(
        name = "nc_share_get",
        input_schema = crate::adapters::mcp::schema::input::<ShareIdArgs>("nc_share_get"),
        description = "Get one share: path, type, recipient or link URL, permissions in words, expiry, note.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn nc_share_get(
        &self,
        Parameters(args): Parameters<ShareIdArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let share = self
            .nextcloud(&request)
            .await?
            .get_share(args.share_id)
            .await
            .or_fail()?;
        Ok(success(&share, share_line(&share)))
    }

    #[tool(
        name = "nc_share_update",
        input_schema = crate::adapters::mcp::schema::input::<UpdateShareArgs>("nc_share_update"),
        description = "Change a share's permissions, password, expiry date, note or label; fields you omit stay as they are.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_share_update(
        &self,
        Parameters(args): Parameters<UpdateShareArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let expire_date = match args.expire_date.as_deref().map(str::trim) {
            None => None,
            Some("") => Some(String::new()),
            Some(date) => Some(check_expiry(date, today()).or_fail()?.to_string()),
        };
        let patch = SharePatch {
            permissions: args
                .permissions
                .map(check_permissions)
                .transpose()
                .or_fail()?,
            password: optional_text("password", args.password, MAX_PASSWORD_CHARS)?,
            expire_date,
            label: optional_text("label", args.label, MAX_LABEL_CHARS)?,
            note: optional_text("note", args.note, MAX_NOTE_CHARS)?,
        };
        if patch.is_empty() {
            return Err(failure(ShareInputError::EmptyUpdate));
        }
        let nextcloud = self.nextcloud(&request).await?;
        let share = nextcloud
            .update_share(args.share_id, &patch)
            .await
            .or_fail()?;
        Ok(success(&share, format!("Updated:\n{}", share_line(&share))))
    }

    #[tool(
        name = "nc_share_delete",
        input_schema = crate::adapters::mcp::schema::input::<ShareIdArgs>("nc_share_delete"),
        description = "Delete a share: the recipient (or everyone with the link) loses access. The file itself stays.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_share_delete(
        &self,
        Parameters(args): Parameters<ShareIdArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        self.nextcloud(&request)
            .await?
            .delete_share(args.share_id)
            .await
            .or_fail()?;
        Ok(success(
            &json!({ "deleted": args.share_id }),
            format!("Deleted share {}", args.share_id),
        ))
    }

    #[tool(
        name = "nc_share_find_sharees",
        input_schema = crate::adapters::mcp::schema::input::<FindShareesArgs>("nc_share_find_sharees"),
        description = "Find users, groups and other recipients to share with, by part of their name; gives the share_with and share_type to use.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn nc_share_find_sharees(
        &self,
        Parameters(args): Parameters<FindShareesArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let search = args.search.trim();
        if search.is_empty() || search.chars().count() > 100 {
            return Err(failure(
                "search must be 1 to 100 characters of a name or id",
            ));
        }
        let paging = PageRequest::parse(
            args.limit,
            args.cursor.as_deref(),
            DEFAULT_SHAREE_LIMIT as usize,
            MAX_SHAREE_LIMIT as usize,
        )?;
        // Nextcloud answers the first matches up to a count: ask up to this
        // page's end (and one more), within a bounded window.
        let window = paging.window();
        if window > MAX_SHAREE_WINDOW {
            return Err(failure(format!(
                "paging stops after {MAX_SHAREE_WINDOW} matches; search for more of the name"
            )));
        }
        let found = self
            .nextcloud(&request)
            .await?
            .find_sharees(search, window as u32)
            .await
            .or_fail()?;
        let (sharees, page) = paging.page_of_window(&found);
        let mut text = format!("Matches for '{search}': {}", sharees.len());
        for s in sharees {
            text.push_str(&format!(
                "\n- {} ({}: share_with '{}', share_type {})",
                s.label, s.share_type_name, s.share_with, s.share_type
            ));
        }
        Ok(success(
            &json!({ "sharees": sharees, "page": page }),
            page.under(text, sharees.len()),
        ))
    }
}
