//! The rmcp handler: one tool router built once, soft-scope gating of
//! tools/list and tools/call, and per-call credential resolution (sessions are
//! not bound to an identity; only whether a caller is an admin is kept, by
//! caller, for listing the admin-only tools).
// rmcp marks the logging types deprecated (a later protocol drops them);
// clients of today's protocol still send logging/setLevel.
#![allow(deprecated)]

use std::borrow::Cow;
use std::sync::{Arc, RwLock};

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::tool::ToolCallContext;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, Implementation,
    ListResourceTemplatesResult, ListResourcesResult, ListToolsResult, LoggingLevel,
    PaginatedRequestParams, ReadResourceRequestParams, ReadResourceResponse, ServerCapabilities,
    ServerConfig, SetLevelRequestParams,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, tool_handler};

use super::admins::{AdminCache, is_admin_tool};
use super::caller::{basic_caller_of, caller_key, caller_of};
use super::caller_cache::CallerCache;
use super::client_log::ClientLogLevels;
use super::outcome::failure;
use super::resources;
use super::tool_scopes::ToolScopes;
use super::tools::{AppRouter, every_app};
use crate::domain::capabilities::InstalledApps;
use crate::domain::search::SearchProvider;
use crate::ports::consent::ConsentService;
use crate::ports::documents::DocumentReader;
use crate::ports::nextcloud::{CapabilitiesApi, NextcloudApi, NextcloudError};
use crate::ports::webhooks::WebhookAdmin;
use crate::service::apps::InstalledAppsProbe;
use crate::service::credentials::CredentialResolver;
use crate::service::sync::IndexReader;
use crate::telemetry::{ToolCallOutcome, caller_reference, observe_tool_call};

/// How long a caller's list of search providers is reused: apps (and so
/// providers) change rarely, and a provider gone since is reported as failed.
const SEARCH_PROVIDERS_TTL: std::time::Duration = std::time::Duration::from_secs(300);

/// What every tool call needs, shared by all handler instances.
pub struct ToolContext {
    pub credentials: CredentialResolver,
    /// Offline access, when progressive consent is on; its tools exist only then.
    pub consent: Option<Arc<dyn ConsentService>>,
    /// Webhooks, when WEBHOOK_SECRET is set: the admin service for the
    /// `nc_webhooks_*` tools.
    pub webhooks: Option<Arc<dyn WebhookAdmin>>,
    /// The caller's view of the search index, when the sync is on.
    pub index: Option<Arc<IndexReader>>,
    /// Reads PDF and office files as text for `nc_webdav_read_file`.
    pub documents: Arc<dyn DocumentReader>,
}

#[derive(Clone)]
pub struct NextcloudMcp {
    context: Arc<ToolContext>,
    tools: Arc<ToolRouter<NextcloudMcp>>,
    scopes: Arc<ToolScopes>,
    /// Optional apps the server has; tools of the others are hidden.
    apps: Arc<InstalledAppsProbe>,
    /// A problem found at start that makes every call fail (a rejected app
    /// password): said in each tool result, since stdio users see no log.
    start_problem: Arc<RwLock<Option<String>>>,
    /// Who may see the admin-only webhook tools.
    admins: Arc<AdminCache>,
    /// The MCP log level each caller set.
    client_log: Arc<ClientLogLevels>,
    /// Each caller's unified search providers, for searching all of them
    /// without asking for the list first on every search.
    search_providers: Arc<CallerCache<Vec<SearchProvider>>>,
}

impl NextcloudMcp {
    pub fn new(context: ToolContext) -> Self {
        let AppRouter { tools, scopes } =
            every_app(context.consent.is_some(), context.index.is_some());
        Self {
            context: Arc::new(context),
            tools: Arc::new(tools),
            scopes: Arc::new(scopes),
            apps: Arc::default(),
            start_problem: Arc::default(),
            admins: Arc::default(),
            client_log: Arc::default(),
            search_providers: Arc::new(CallerCache::new(SEARCH_PROVIDERS_TTL)),
        }
    }

    /// Whether this caller may see the `nc_webhooks_*` tools: webhooks are
    /// on and Nextcloud says the user is an admin (asked once per caller
    /// for a few minutes; a failed answer hides them and is not kept).
    async fn admin_tools_visible(&self, request: &RequestContext<RoleServer>) -> bool {
        if self.webhooks().is_none() {
            return false;
        }
        let key = caller_key(request);
        if let Some(known) = self.admins.get(key.as_deref()) {
            return known;
        }
        let Ok(nextcloud) = self.nextcloud(request).await else {
            return false;
        };
        match nextcloud.is_admin().await {
            Ok(admin) => {
                self.admins.put(key.as_deref(), admin);
                admin
            }
            Err(_) => false,
        }
    }

    /// Records a problem that makes every tool call fail until a probe
    /// succeeds again; each call answers with it.
    pub fn report_start_problem(&self, problem: String) {
        *self
            .start_problem
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(problem);
    }

    fn start_problem(&self) -> Option<String> {
        self.start_problem
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Wakes when a probe changes which apps (and so which tools) there are.
    pub fn subscribe_app_changes(&self) -> tokio::sync::watch::Receiver<InstalledApps> {
        self.apps.subscribe()
    }

    /// A Nextcloud client for this call, with the credential the mode decides
    /// for this call's own caller.
    pub(crate) async fn nextcloud(
        &self,
        request: &RequestContext<RoleServer>,
    ) -> Result<Box<dyn NextcloudApi>, CallToolResult> {
        let caller = caller_of(request);
        let basic = basic_caller_of(request);
        self.context
            .credentials
            .nextcloud_for(caller.as_ref(), basic.as_ref())
            .await
            .map_err(failure)
    }

    /// The document reader, for tools that read PDF and office files.
    pub(crate) fn documents(&self) -> &dyn DocumentReader {
        self.context.documents.as_ref()
    }

    /// The names of every tool this server offers, for logs and tests.
    pub fn tool_names(&self) -> Vec<String> {
        self.tools
            .list_all()
            .into_iter()
            .map(|t| t.name.to_string())
            .collect()
    }

    pub(crate) fn search_providers(&self) -> &CallerCache<Vec<SearchProvider>> {
        &self.search_providers
    }

    pub(crate) fn consent(&self) -> Option<Arc<dyn ConsentService>> {
        self.context.consent.clone()
    }

    pub(crate) fn index(&self) -> Option<Arc<IndexReader>> {
        self.context.index.clone()
    }

    pub(crate) fn webhooks(&self) -> Option<Arc<dyn WebhookAdmin>> {
        self.context.webhooks.clone()
    }

    /// The soft scopes each tool needs (shared with the HTTP auth layer).
    pub fn tool_scopes(&self) -> Arc<ToolScopes> {
        self.scopes.clone()
    }

    /// Which optional apps the server has; all of them until a probe ran.
    pub fn installed_apps(&self) -> InstalledApps {
        self.apps.current()
    }

    /// Probes the optional apps again and hides the tools of absent ones.
    pub async fn refresh_installed_apps(
        &self,
        api: &dyn CapabilitiesApi,
    ) -> Result<InstalledApps, NextcloudError> {
        let apps = self.apps.refresh(api).await?;
        self.start_problem
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        Ok(apps)
    }

    /// The tool through [`Self::gated`], stopped when the client cancels the
    /// request (`notifications/cancelled`, or a dropped HTTP request): the
    /// tool's future, with its in-flight Nextcloud requests, is dropped.
    pub(super) async fn dispatch(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let cancelled = context.ct.clone();
        tokio::select! {
            outcome = self.gated(request, context) => outcome,
            () = cancelled.cancelled() => Err(ErrorData::invalid_request(
                "the request was cancelled",
                None,
            )),
        }
    }

    /// The scope and installed-app checks, then the tool itself.
    async fn gated(
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
        if let Some(problem) = self.start_problem() {
            return Ok(failure(problem).into());
        }
        let call = ToolCallContext::new(self, request, context);
        self.tools.call(call).await
    }
}

#[tool_handler(router = self.tools)]
impl ServerHandler for NextcloudMcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_tool_list_changed()
                .enable_resources()
                .enable_prompts()
                .enable_logging()
                .build(),
        )
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
        if tools.iter().any(|t| is_admin_tool(&t.name)) && !self.admin_tools_visible(&context).await
        {
            tools.retain(|tool| !is_admin_tool(&tool.name));
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
        // Only names the server offers become a metric label; the router's
        // key is a static string, so the label costs no allocation per call.
        let tool: Cow<'static, str> = match self.tools.map.get_key_value(request.name.as_ref()) {
            Some((name, _)) if self.tools.has_route(name) => name.clone(),
            _ => Cow::Borrowed("unknown"),
        };
        let caller = caller_of(&context)
            .map(|c| caller_reference(c.issuer(), c.subject()))
            .or_else(|| {
                basic_caller_of(&context).map(|b| caller_reference("multi-user-basic", &b.user_id))
            });
        let log_context = context.clone();
        let response = observe_tool_call(
            tool.clone(),
            caller,
            self.dispatch(request, context),
            |r| match r {
                Ok(response) if is_error(response) => ToolCallOutcome::ToolError,
                Ok(_) => ToolCallOutcome::Ok,
                Err(_) => ToolCallOutcome::Failed,
            },
        )
        .await;
        let (level, outcome) = match &response {
            Ok(r) if is_error(r) => (LoggingLevel::Warning, "failed"),
            Ok(_) => (LoggingLevel::Debug, "completed"),
            Err(_) => (LoggingLevel::Error, "refused"),
        };
        self.client_log
            .send(
                &log_context,
                level,
                serde_json::json!({ "tool": tool, "outcome": outcome }),
            )
            .await;
        response
    }

    /// The resources that need no argument (today: the capabilities).
    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        Ok(ListResourcesResult {
            resources: resources::listed(),
            ..ListResourcesResult::default()
        })
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        Ok(ListResourceTemplatesResult {
            resource_templates: resources::templates(),
            ..ListResourceTemplatesResult::default()
        })
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        self.read_nc_resource(&request.uri, context)
            .await
            .map(Into::into)
    }

    /// Later log notifications to this caller follow `level`.
    async fn set_level(
        &self,
        request: SetLevelRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.client_log.set(&context, request.level);
        Ok(())
    }
}

/// Whether a finished call answered with `isError`.
fn is_error(response: &CallToolResponse) -> bool {
    matches!(response, CallToolResponse::Complete(result) if result.is_error == Some(true))
}
