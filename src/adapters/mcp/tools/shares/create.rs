//! Sharing tools that create shares (`nc_share_*`): with a user, group,
//! email address, federated cloud id or team, or as a public link.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars, tool, tool_router};
use serde::Deserialize;

use super::{now_unix, optional_text, share_line, share_path, today};
use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, failure, success};
use crate::domain::shares::{
    CivilDate, MAX_LABEL_CHARS, MAX_NOTE_CHARS, MAX_PASSWORD_CHARS, ShareDraft, ShareInputError,
    ShareType, check_expiry, check_permissions,
};

const MAX_EXPIRY_MINUTES: i64 = 10 * 366 * 24 * 60;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct CreateShareArgs {
    /// File or folder to share, relative to the files root.
    pub path: String,
    /// Recipient: a user id (share_type 0), group id (1), email address (4), federated cloud id (6) or team id (7).
    #[serde(default)]
    pub share_with: Option<String>,
    /// 0 user (default), 1 group, 3 public link, 4 email, 6 federated, 7 team.
    #[serde(default)]
    pub share_type: Option<i64>,
    /// Sum of 1 read, 2 update, 4 create, 8 delete, 16 share (e.g. 1 read-only, 31 everything); default is the server's.
    #[serde(default)]
    pub permissions: Option<i64>,
    /// Password for link and email shares.
    #[serde(default)]
    pub password: Option<String>,
    /// Last day the share works, YYYY-MM-DD (today or later).
    #[serde(default)]
    pub expire_date: Option<String>,
    /// A note the recipient sees.
    #[serde(default)]
    pub note: Option<String>,
    /// A label for the share (links).
    #[serde(default)]
    pub label: Option<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct CreateLinkArgs {
    /// File or folder to share, relative to the files root.
    pub path: String,
    /// Sum of 1 read, 2 update, 4 create, 8 delete (default 1: view only; 4 alone makes an upload-only drop folder).
    #[serde(default)]
    pub permissions: Option<i64>,
    /// Password visitors must enter.
    #[serde(default)]
    pub password: Option<String>,
    /// Last day the link works, YYYY-MM-DD (today or later).
    #[serde(default)]
    pub expire_date: Option<String>,
    /// Alternative to expire_date: the link expires at the end of the (UTC) day this many minutes from now.
    #[serde(default)]
    pub expires_in_minutes: Option<i64>,
    /// A label to recognise the link by.
    #[serde(default)]
    pub label: Option<String>,
}

impl NextcloudMcp {
    async fn make_share(
        &self,
        request: &RequestContext<RoleServer>,
        draft: ShareDraft,
    ) -> Result<CallToolResult, CallToolResult> {
        let share = self
            .nextcloud(request)
            .await?
            .create_share(&draft)
            .await
            .or_fail()?;
        Ok(success(&share, format!("Shared:\n{}", share_line(&share))))
    }
}

#[tool_router(router = shares_create_router, vis = "pub(super)")]
impl NextcloudMcp {
    #[tool(
        name = "nc_share_create",
        input_schema = crate::adapters::mcp::schema::input::<CreateShareArgs>("nc_share_create"),
        description = "Share a file or folder with a user, group, email address, federated cloud id or team (or as a public link with share_type 3).",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_share_create(
        &self,
        Parameters(args): Parameters<CreateShareArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let path = share_path(&args.path)?;
        let code = args.share_type.unwrap_or(0);
        let share_type = ShareType::from_code(code);
        if matches!(share_type, ShareType::Other(_) | ShareType::TalkRoom) {
            return Err(failure(ShareInputError::BadShareType(code)));
        }
        let share_with = args
            .share_with
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        if share_type.needs_recipient() && share_with.is_none() {
            return Err(failure(ShareInputError::MissingRecipient(
                share_type.name(),
            )));
        }
        let draft = ShareDraft {
            path,
            share_type,
            share_with: share_with.filter(|_| share_type.needs_recipient()),
            permissions: args
                .permissions
                .map(check_permissions)
                .transpose()
                .or_fail()?,
            password: optional_text("password", args.password, MAX_PASSWORD_CHARS)?,
            expire_date: args
                .expire_date
                .as_deref()
                .map(|d| check_expiry(d, today()))
                .transpose()
                .or_fail()?,
            label: optional_text("label", args.label, MAX_LABEL_CHARS)?,
            note: optional_text("note", args.note, MAX_NOTE_CHARS)?,
        };
        self.make_share(&request, draft).await
    }

    #[tool(
        name = "nc_share_create_public_link",
        input_schema = crate::adapters::mcp::schema::input::<CreateLinkArgs>("nc_share_create_public_link"),
        description = "Create a public link to a file or folder, optionally with a password, an expiry date and permissions (view only by default).",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_share_create_public_link(
        &self,
        Parameters(args): Parameters<CreateLinkArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let path = share_path(&args.path)?;
        let expire_date = match (args.expire_date.as_deref(), args.expires_in_minutes) {
            (Some(_), Some(_)) => {
                return Err(failure("give expire_date or expires_in_minutes, not both"));
            }
            (Some(date), None) => Some(check_expiry(date, today()).or_fail()?),
            (None, Some(m)) if !(1..=MAX_EXPIRY_MINUTES).contains(&m) => {
                return Err(failure(format!(
                    "expires_in_minutes must be from 1 to {MAX_EXPIRY_MINUTES}"
                )));
            }
            (None, Some(m)) => Some(CivilDate::from_unix(now_unix() + m * 60)),
            (None, None) => None,
        };
        let draft = ShareDraft {
            path,
            share_type: ShareType::PublicLink,
            share_with: None,
            permissions: Some(check_permissions(args.permissions.unwrap_or(1)).or_fail()?),
            password: optional_text("password", args.password, MAX_PASSWORD_CHARS)?,
            expire_date,
            label: optional_text("label", args.label, MAX_LABEL_CHARS)?,
            note: None,
        };
        self.make_share(&request, draft).await
    }
}
