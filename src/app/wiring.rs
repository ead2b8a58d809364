//! Chooses and builds the adapters the configuration asks for.

use std::sync::Arc;

use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::server::ToolContext;
use crate::adapters::nextcloud::HttpNextcloud;
use crate::app::config::{Config, ConfigError};

pub struct Wired {
    pub mcp: NextcloudMcp,
    pub nextcloud: HttpNextcloud,
}

pub fn wire(config: &Config) -> Result<Wired, ConfigError> {
    let nextcloud = HttpNextcloud::new(config.nextcloud_url.clone(), config.request_timeout)
        .map_err(|e| ConfigError::Invalid { setting: "NEXTCLOUD_HOST", reason: e.to_string() })?;
    let mcp = NextcloudMcp::new(ToolContext {
        connector: Arc::new(nextcloud.clone()),
        mode: config.mode.clone(),
    });
    Ok(Wired { mcp, nextcloud })
}
