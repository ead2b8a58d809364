//! Cookbook tools for the app itself rather than one recipe
//! (`nc_cookbook_set_config`, `nc_cookbook_reindex`).

use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars, tool, tool_router};
use serde::Deserialize;
use serde_json::json;

use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, success};
use crate::domain::cookbook::{ConfigPatch, CookbookConfig};

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct SetConfigArgs {
    /// The folder of your Files that holds the recipes, e.g. "/Recipes"; omit to keep it.
    #[serde(default)]
    pub folder: Option<String>,
    /// Minutes between Cookbook's rescans of that folder (1 to 10080); omit to keep it.
    #[serde(default)]
    pub update_interval: Option<i64>,
    /// Whether printed recipes include their image; omit to keep it.
    #[serde(default)]
    pub print_image: Option<bool>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct NoArgs {}

fn config_text(heading: &str, c: &CookbookConfig) -> String {
    let or_unknown = |v: Option<String>| v.unwrap_or_else(|| "(not reported)".into());
    format!(
        "{heading}\nfolder: {}\nupdate interval: {} minutes\nprint image: {}",
        or_unknown(c.folder.clone()),
        or_unknown(c.update_interval.map(|m| m.to_string())),
        or_unknown(c.print_image.map(|p| p.to_string())),
    )
}

#[tool_router(router = cookbook_admin_router, vis = "pub(super)")]
impl NextcloudMcp {
    #[tool(
        name = "nc_cookbook_set_config",
        input_schema = crate::adapters::mcp::schema::input::<SetConfigArgs>("nc_cookbook_set_config"),
        description = "Change your Cookbook settings: the recipe folder, the rescan interval in minutes, whether prints include the image. Settings you omit stay; the result shows all of them.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_cookbook_set_config(
        &self,
        Parameters(args): Parameters<SetConfigArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let patch = ConfigPatch::parse(
            args.folder.as_deref(),
            args.update_interval,
            args.print_image,
        )
        .or_fail()?;
        let cookbook = self.nextcloud(&request).await?;
        cookbook.set_config(&patch).await.or_fail()?;
        // Cookbook answers a bare "OK": read back what it now has.
        let config = cookbook.get_config().await.or_fail()?;
        Ok(success(
            &config,
            config_text("Cookbook settings changed:", &config),
        ))
    }

    #[tool(
        name = "nc_cookbook_reindex",
        input_schema = crate::adapters::mcp::schema::input::<NoArgs>("nc_cookbook_reindex"),
        description = "Rebuild Cookbook's search index from the recipe folder, e.g. after recipe files were changed outside Cookbook.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_cookbook_reindex(
        &self,
        Parameters(_args): Parameters<NoArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        self.nextcloud(&request).await?.reindex().await.or_fail()?;
        Ok(success(
            &json!({ "reindexed": true }),
            "Cookbook rebuilt its search index",
        ))
    }
}
