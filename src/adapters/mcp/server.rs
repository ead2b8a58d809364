//! The rmcp handler: one tool router built once, soft-scope gating of
//! tools/list and tools/call, and per-call credential resolution (sessions are
//! not bound to an identity, so nothing is cached on the handler).

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::tool::ToolCallContext;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, Implementation, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, tool_handler};

use super::credentials::{CredentialResolver, caller_of};
use super::outcome::failure;
use super::tool_scopes::ToolScopes;
use super::tools::{AppRouter, every_app};
use super::webhook_routes::WebhookEdge;
use crate::domain::capabilities::{App, InstalledApps};
use crate::ports::consent::ConsentService;
use crate::ports::nextcloud::{CapabilitiesApi, NextcloudApi, NextcloudError};
use crate::ports::webhooks::WebhookAdmin;

/// What every tool call needs, shared by all handler instances.
pub struct ToolContext {
    pub credentials: CredentialResolver,
    /// Flow 2, when progressive consent is on; its tools exist only then.
    pub consent: Option<Arc<dyn ConsentService>>,
    /// Webhooks, when WEBHOOK_SECRET is set: the admin service for the
    /// `nc_webhooks_*` tools and the receiver's routes.
    pub webhooks: Option<WebhookEdge>,
}

#[derive(Clone)]
pub struct NextcloudMcp {
    context: Arc<ToolContext>,
    tools: Arc<ToolRouter<NextcloudMcp>>,
    scopes: Arc<ToolScopes>,
    /// Optional apps the server has; tools of the others are hidden.
    installed: Arc<RwLock<InstalledApps>>,
}

impl NextcloudMcp {
    pub fn new(context: ToolContext) -> Self {
        let AppRouter { tools, scopes } = every_app(context.consent.is_some());
        Self {
            context: Arc::new(context),
            tools: Arc::new(tools),
            scopes: Arc::new(scopes),
            installed: Arc::new(RwLock::new(InstalledApps::default())),
        }
    }

    /// A Nextcloud client for this call, with the credential the mode decides
    /// for this call's own caller.
    pub(crate) async fn nextcloud(
        &self,
        request: &RequestContext<RoleServer>,
    ) -> Result<Box<dyn NextcloudApi>, CallToolResult> {
        let caller = caller_of(request);
        self.context
            .credentials
            .nextcloud_for(caller.as_ref())
            .await
            .map_err(failure)
    }

    /// The names of every tool this server offers, for logs and tests.
    pub fn tool_names(&self) -> Vec<String> {
        self.tools
            .list_all()
            .into_iter()
            .map(|t| t.name.to_string())
            .collect()
    }

    pub(crate) fn consent(&self) -> Option<Arc<dyn ConsentService>> {
        self.context.consent.clone()
    }

    pub(crate) fn webhooks(&self) -> Option<Arc<dyn WebhookAdmin>> {
        self.context.webhooks.as_ref().map(|w| w.admin.clone())
    }

    /// The webhook receiver and metrics routes, when webhooks are on.
    pub fn webhook_routes(&self) -> Option<axum::Router> {
        self.context
            .webhooks
            .as_ref()
            .map(|w| super::webhook_routes::routes(w.receiver.clone()))
    }

    /// The soft scopes each tool needs (shared with the HTTP auth layer).
    pub fn tool_scopes(&self) -> Arc<ToolScopes> {
        self.scopes.clone()
    }

    /// Which optional apps the server has; all of them until a probe ran.
    pub fn installed_apps(&self) -> InstalledApps {
        self.installed
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Probes which optional apps the server has (capabilities, then a cheap
    /// call for apps they do not decide) and hides the tools of absent ones.
    /// When the capabilities cannot be read the previous set stays.
    pub async fn refresh_installed_apps(
        &self,
        api: &dyn CapabilitiesApi,
    ) -> Result<InstalledApps, NextcloudError> {
        let capabilities = api.capabilities().await.inspect_err(|e| {
            tracing::warn!(error = %e, "capability probe failed; keeping the current app set");
        })?;
        let mut probes = BTreeMap::new();
        for app in App::ALL.iter().copied() {
            if capabilities.decides(app).is_none() {
                match api.app_responds(app).await {
                    Ok(found) => {
                        probes.insert(app, found);
                    }
                    Err(e) => {
                        tracing::warn!(%app, error = %e, "app probe failed; assuming it is installed")
                    }
                }
            }
        }
        let apps = InstalledApps::from_probe(&capabilities, &probes);
        tracing::info!(version = %capabilities.version, "Nextcloud apps: {}", apps.summary());
        *self
            .installed
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = apps.clone();
        Ok(apps)
    }
}

#[tool_handler(router = self.tools)]
impl ServerHandler for NextcloudMcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new(
                "nextcloud-mcp",
                env!("CARGO_PKG_VERSION"),
            ))
            .with_instructions(
                "Works in the user's Nextcloud as that user: notes (nc_notes_*), files \
                 (nc_webdav_*), calendar and tasks (nc_calendar_*), contacts (nc_contacts_*), \
                 Deck (deck_*), sharing (nc_share_*), unified search (nc_search_*), Tables \
                 (nc_tables_*) and Cookbook (nc_cookbook_*), as installed. Paths are relative \
                 to the user's files root. Updates need the etag from a previous read, so \
                 concurrent edits are never overwritten silently.",
            )
    }

    /// Only the tools the caller's scopes allow; without an authenticated
    /// caller (basic mode, stdio) every tool.
    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let installed = self.installed_apps();
        let mut tools = self.tools.list_all();
        tools.retain(|tool| self.scopes.check_installed(&tool.name, &installed).is_ok());
        if let Some(caller) = caller_of(&context) {
            tools.retain(|tool| self.scopes.check(&tool.name, caller.soft_scopes()).is_ok());
        }
        Ok(ListToolsResult {
            tools,
            ..ListToolsResult::default()
        })
    }

    /// The HTTP layer already answers a missing scope with 403; this is the
    /// same check for any path that reaches the handler another way.
    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        if let Some(Err(missing)) =
            caller_of(&context).map(|caller| self.scopes.check(&request.name, caller.soft_scopes()))
        {
            return Ok(failure(missing).into());
        }
        if let Err(not_installed) = self
            .scopes
            .check_installed(&request.name, &self.installed_apps())
        {
            return Ok(failure(not_installed).into());
        }
        let call = ToolCallContext::new(self, request, context);
        self.tools.call(call).await
    }
}
