//! Which optional Nextcloud apps the server has, probed at start (basic
//! mode) and again on request, so the tools of absent apps can be hidden.

use std::collections::BTreeMap;

use tokio::sync::watch;

use crate::domain::capabilities::{App, InstalledApps};
use crate::ports::nextcloud::{CapabilitiesApi, NextcloudError};

/// The last probe's answer, shared by every handler instance. A watch
/// channel, so a transport that can push (stdio) tells its client when the
/// tool list changed.
pub struct InstalledAppsProbe {
    current: watch::Sender<InstalledApps>,
}

impl Default for InstalledAppsProbe {
    fn default() -> Self {
        Self {
            current: watch::Sender::new(InstalledApps::default()),
        }
    }
}

impl InstalledAppsProbe {
    /// All apps until a probe ran.
    pub fn current(&self) -> InstalledApps {
        self.current.borrow().clone()
    }

    /// Wakes whenever a probe changes which apps are present (and so which
    /// tools are listed); a probe that finds the same apps wakes nobody.
    pub fn subscribe(&self) -> watch::Receiver<InstalledApps> {
        self.current.subscribe()
    }

    /// Probes which optional apps the server has (capabilities, then a cheap
    /// call for apps they do not decide) and keeps the answer. When the
    /// capabilities cannot be read the previous set stays.
    pub async fn refresh(
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
        self.current.send_if_modified(|current| {
            let changed = App::ALL
                .iter()
                .any(|app| current.contains(*app) != apps.contains(*app));
            *current = apps.clone();
            changed
        });
        Ok(apps)
    }
}
