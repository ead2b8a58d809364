//! Chooses and builds the adapters the configuration asks for.

use std::sync::Arc;

use crate::adapters::idp;
use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::server::ToolContext;
use crate::adapters::nextcloud::HttpNextcloud;
use crate::app::config::{Config, ConfigError};
use crate::app::serve::{OAuthEdge, Readiness};
use crate::ports::identity::IdentityProvider;
use crate::ports::nextcloud::NextcloudConnector;

pub struct Wired {
    pub mcp: NextcloudMcp,
    pub readiness: Readiness,
    /// Present in OAuth modes: what the HTTP edge needs to authenticate.
    pub oauth: Option<OAuthEdge>,
}

/// Builds everything; in OAuth modes this fetches the IdP's discovery, so a
/// wrong OIDC_DISCOVERY_URL fails at start, not at the first call.
pub async fn wire(config: &Config) -> Result<Wired, ConfigError> {
    let nextcloud = HttpNextcloud::new(config.nextcloud_url.clone(), config.request_timeout)
        .map_err(|e| ConfigError::Invalid {
            setting: "NEXTCLOUD_HOST",
            reason: e.to_string(),
        })?;
    let connector: Arc<dyn NextcloudConnector> = Arc::new(nextcloud);
    let (identity, oauth) = match &config.oauth {
        Some(oauth) => {
            let identity: Arc<dyn IdentityProvider> = idp::connect(oauth.idp.clone())
                .await
                .map_err(|e| ConfigError::Invalid {
                    setting: "OIDC_DISCOVERY_URL",
                    reason: e.to_string(),
                })?;
            let edge = OAuthEdge {
                identity: identity.clone(),
                server_url: oauth.server_url.clone(),
            };
            (Some(identity), Some(edge))
        }
        None => (None, None),
    };
    let mcp = NextcloudMcp::new(ToolContext {
        credentials: crate::adapters::mcp::CredentialResolver::new(
            config.mode.clone(),
            connector.clone(),
            identity.clone(),
        ),
    });
    let readiness = Readiness {
        connector,
        mode: config.mode.clone(),
        identity,
    };
    Ok(Wired {
        mcp,
        readiness,
        oauth,
    })
}
