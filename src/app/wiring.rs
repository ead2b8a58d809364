//! Chooses and builds the adapters the configuration asks for.

use std::sync::Arc;

use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::server::ToolContext;
use crate::adapters::nextcloud::HttpNextcloud;
use crate::app::config::{Config, ConfigError};
use crate::app::serve::Readiness;
use crate::ports::identity::IdentityProvider;
use crate::ports::nextcloud::NextcloudConnector;

pub struct Wired {
    pub mcp: NextcloudMcp,
    pub readiness: Readiness,
}

pub fn wire(config: &Config) -> Result<Wired, ConfigError> {
    let nextcloud = HttpNextcloud::new(config.nextcloud_url.clone(), config.request_timeout)
        .map_err(|e| ConfigError::Invalid { setting: "NEXTCLOUD_HOST", reason: e.to_string() })?;
    let connector: Arc<dyn NextcloudConnector> = Arc::new(nextcloud);
    let identity: Option<Arc<dyn IdentityProvider>> = None;
    let mcp = NextcloudMcp::new(ToolContext {
        credentials: crate::adapters::mcp::CredentialResolver::new(
            config.mode.clone(),
            connector.clone(),
            identity.clone(),
        ),
    });
    let readiness = Readiness { connector, mode: config.mode.clone(), identity };
    Ok(Wired { mcp, readiness })
}
