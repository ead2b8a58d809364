//! MCP over stdio for desktop clients: the same tools, basic mode only.

use std::sync::Arc;

use rmcp::ServiceExt;

use crate::adapters::mcp::NextcloudMcp;
use crate::app::startup::probe_in_background;
use crate::domain::credential::AuthMode;
use crate::ports::nextcloud::NextcloudConnector;

/// Serves until the client closes stdin. The app probe runs beside the
/// handshake; when it (or a later re-probe) changes the tool list, the client
/// is sent `notifications/tools/list_changed`.
pub async fn run(
    mcp: NextcloudMcp,
    mode: &AuthMode,
    connector: &Arc<dyn NextcloudConnector>,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    // Subscribed before the probe starts, so a probe that ends during the
    // handshake is still announced once the client is ready.
    let mut changes = mcp.subscribe_app_changes();
    probe_in_background(&mcp, mode, connector);
    let service = mcp.serve(rmcp::transport::stdio()).await?;
    let peer = service.peer().clone();
    let notifier = tokio::spawn(async move {
        while changes.changed().await.is_ok() {
            if peer.notify_tool_list_changed().await.is_err() {
                break;
            }
        }
    });
    service.waiting().await?;
    notifier.abort();
    Ok(())
}
