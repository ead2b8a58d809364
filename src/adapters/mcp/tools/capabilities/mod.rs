//! `nc_refresh_capabilities`, which re-probes which apps the server has so
//! their tools appear or vanish without a restart.

use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use serde_json::json;

use super::AppRouter;
use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, success};
use crate::adapters::mcp::tool_scopes::Access;
use crate::domain::capabilities::App;
use crate::domain::scopes::Scope;
use crate::ports::nextcloud::CapabilitiesApi;

/// Re-probing changes the tool list every caller sees: administrators only.
pub(super) fn router() -> AppRouter {
    AppRouter::new(
        None,
        Access::only(Scope::WebhooksAdmin),
        NextcloudMcp::capabilities_router(),
    )
}

#[tool_router(router = capabilities_router)]
impl NextcloudMcp {
    #[tool(
        name = "nc_refresh_capabilities",
        description = "Re-check which optional apps (Notes, Deck, Sharing, Tables, Cookbook) this Nextcloud has, so tools of a newly enabled app appear and those of a removed app disappear, without a restart.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn nc_refresh_capabilities(&self, request: RequestContext<RoleServer>) -> ToolOutcome {
        let nextcloud = self.nextcloud(&request).await?;
        let api: &dyn CapabilitiesApi = &*nextcloud;
        let apps = self.refresh_installed_apps(api).await.or_fail()?;
        let present: Vec<App> = apps.present().collect();
        let absent: Vec<App> = apps.absent().collect();
        Ok(success(
            &json!({ "installed": present, "not_installed": absent }),
            format!("Nextcloud apps: {}", apps.summary()),
        ))
    }
}
