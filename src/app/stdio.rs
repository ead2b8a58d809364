//! MCP over stdio for desktop clients: the same tools, basic mode only.

use rmcp::ServiceExt;

use crate::adapters::mcp::NextcloudMcp;

pub async fn run(mcp: NextcloudMcp) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let service = mcp.serve(rmcp::transport::stdio()).await?;
    service.waiting().await?;
    Ok(())
}
