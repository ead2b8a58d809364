//! The rmcp handler: one tool router built once, and per-call credential
//! resolution (sessions are not bound to an identity, so nothing is cached).

use std::sync::Arc;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::model::{Implementation, ServerCapabilities, ServerConfig};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, ServerHandler, tool_handler};

use rmcp::model::CallToolResult;

use super::credentials::{CredentialResolver, caller_of};
use super::outcome::failure;
use crate::ports::nextcloud::NextcloudApi;

/// What every tool call needs, shared by all handler instances.
pub struct ToolContext {
    pub credentials: CredentialResolver,
}

#[derive(Clone)]
pub struct NextcloudMcp {
    context: Arc<ToolContext>,
    tools: Arc<ToolRouter<NextcloudMcp>>,
}

impl NextcloudMcp {
    pub fn new(context: ToolContext) -> Self {
        Self {
            context: Arc::new(context),
            tools: Arc::new(Self::notes_router() + Self::files_router()),
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
        self.tools.list_all().into_iter().map(|t| t.name.to_string()).collect()
    }
}

#[tool_handler(router = self.tools)]
impl ServerHandler for NextcloudMcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("nextcloud-mcp", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "Works in the user's Nextcloud: notes (nc_notes_*) and files (nc_webdav_*). \
                 Paths are relative to the user's files root. Updates need the etag from a \
                 previous read, so concurrent edits are never overwritten silently.",
            )
    }
}
