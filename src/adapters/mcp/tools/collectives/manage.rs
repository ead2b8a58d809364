//! Collectives themselves: list, create, emoji, trash, restore, delete.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars, tool, tool_router};
use serde::Deserialize;

use super::{CollectiveIdArgs, DEFAULT_LISTED, MAX_LISTED, collectives_page};
use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, failure, success};
use crate::adapters::mcp::paging::PageArgs;
use crate::domain::collectives::{check_title, emoji};
use crate::ports::nextcloud::NextcloudError;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct CreateCollectiveArgs {
    /// The collective's name; it also names its team and its folder.
    pub name: String,
    /// One emoji shown before the name, e.g. "📘" (optional).
    #[serde(default)]
    pub emoji: Option<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct CollectiveEmojiArgs {
    /// The collective's numeric id (from collectives_get_collectives).
    pub collective_id: u64,
    /// The new emoji, e.g. "📗"; omit it (or pass "") to remove the emoji.
    #[serde(default)]
    pub emoji: Option<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct DeleteCollectiveArgs {
    /// The numeric id of a collective in the trash (from collectives_get_trashed_collectives).
    pub collective_id: u64,
    /// Also delete the team (circle) that holds the collective's members (default false).
    #[serde(default)]
    pub delete_team: Option<bool>,
}

#[tool_router(router = collectives_manage_router, vis = "pub(super)")]
impl NextcloudMcp {
    #[tool(
        name = "collectives_get_collectives",
        input_schema = crate::adapters::mcp::schema::input::<PageArgs>("collectives_get_collectives"),
        description = "List the collectives (team knowledge bases) you are a member of, with their ids.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn collectives_get_collectives(
        &self,
        Parameters(page): Parameters<PageArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let paging = page.request(DEFAULT_LISTED, MAX_LISTED)?;
        let list = self
            .nextcloud(&request)
            .await?
            .list_collectives()
            .await
            .or_fail()?;
        collectives_page("Collectives", &list, &paging)
    }

    #[tool(
        name = "collectives_get_trashed_collectives",
        input_schema = crate::adapters::mcp::schema::input::<PageArgs>("collectives_get_trashed_collectives"),
        description = "List the collectives in the trash; they can be restored or deleted for good.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn collectives_get_trashed_collectives(
        &self,
        Parameters(page): Parameters<PageArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let paging = page.request(DEFAULT_LISTED, MAX_LISTED)?;
        let list = self
            .nextcloud(&request)
            .await?
            .list_trashed_collectives()
            .await
            .or_fail()?;
        collectives_page("Collectives in the trash", &list, &paging)
    }

    #[tool(
        name = "collectives_create_collective",
        input_schema = crate::adapters::mcp::schema::input::<CreateCollectiveArgs>("collectives_create_collective"),
        description = "Create a collective (with its team and a landing page), optionally with an emoji.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn collectives_create_collective(
        &self,
        Parameters(args): Parameters<CreateCollectiveArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let name = check_title("name", &args.name).or_fail()?;
        let emoji = emoji(args.emoji.as_deref()).or_fail()?;
        let created = self
            .nextcloud(&request)
            .await?
            .create_collective(&name, emoji)
            .await
            .or_fail()?;
        let text = format!(
            "Created collective {} (collective {})",
            created.label(),
            created.id
        );
        Ok(success(&created, text))
    }

    #[tool(
        name = "collectives_set_collective_emoji",
        input_schema = crate::adapters::mcp::schema::input::<CollectiveEmojiArgs>("collectives_set_collective_emoji"),
        description = "Set or remove the emoji shown before a collective's name.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn collectives_set_collective_emoji(
        &self,
        Parameters(args): Parameters<CollectiveEmojiArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let emoji = emoji(args.emoji.as_deref()).or_fail()?;
        let changed = self
            .nextcloud(&request)
            .await?
            .set_collective_emoji(args.collective_id, emoji)
            .await
            .or_fail()?;
        let text = format!("Collective {} is now {}", changed.id, changed.label());
        Ok(success(&changed, text))
    }

    #[tool(
        name = "collectives_trash_collective",
        input_schema = crate::adapters::mcp::schema::input::<CollectiveIdArgs>("collectives_trash_collective"),
        description = "Move a collective to the trash (its pages become unreachable until it is restored).",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn collectives_trash_collective(
        &self,
        Parameters(args): Parameters<CollectiveIdArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let trashed = self
            .nextcloud(&request)
            .await?
            .trash_collective(args.collective_id)
            .await
            .or_fail()?;
        let text = format!(
            "Moved collective {} (collective {}) to the trash; collectives_restore_collective brings it back",
            trashed.label(),
            trashed.id
        );
        Ok(success(&trashed, text))
    }

    #[tool(
        name = "collectives_restore_collective",
        input_schema = crate::adapters::mcp::schema::input::<CollectiveIdArgs>("collectives_restore_collective"),
        description = "Restore a collective from the trash.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn collectives_restore_collective(
        &self,
        Parameters(args): Parameters<CollectiveIdArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let restored = self
            .nextcloud(&request)
            .await?
            .restore_collective(args.collective_id)
            .await
            .or_fail()?;
        let text = format!(
            "Restored collective {} (collective {})",
            restored.label(),
            restored.id
        );
        Ok(success(&restored, text))
    }

    #[tool(
        name = "collectives_delete_collective",
        input_schema = crate::adapters::mcp::schema::input::<DeleteCollectiveArgs>("collectives_delete_collective"),
        description = "Delete a collective for good, with all its pages. Only a collective in the trash can be deleted: call collectives_trash_collective first.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn collectives_delete_collective(
        &self,
        Parameters(args): Parameters<DeleteCollectiveArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let with_team = args.delete_team.unwrap_or(false);
        let deleted = self
            .nextcloud(&request)
            .await?
            .delete_collective(args.collective_id, with_team)
            .await
            .map_err(|e| match e {
                NextcloudError::NotFound(what) => failure(format!(
                    "{what} does not exist; only a collective in the trash can be deleted for good, so call collectives_trash_collective first"
                )),
                other => failure(other),
            })?;
        let team = if with_team { " and its team" } else { "" };
        let text = format!(
            "Deleted collective {} (collective {}){team} for good",
            deleted.label(),
            deleted.id
        );
        Ok(success(&deleted, text))
    }
}
