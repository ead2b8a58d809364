//! Which optional Nextcloud apps the server has, probed at start (basic
//! mode) and again on request, so the tools of absent apps can be hidden.

use std::collections::BTreeMap;
use std::sync::RwLock;

use crate::domain::capabilities::{App, InstalledApps};
use crate::ports::nextcloud::{CapabilitiesApi, NextcloudError};

/// The last probe's answer, shared by every handler instance.
#[derive(Default)]
pub struct InstalledAppsProbe {
    current: RwLock<InstalledApps>,
}

impl InstalledAppsProbe {
    /// All apps until a probe ran.
    pub fn current(&self) -> InstalledApps {
        self.current
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
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
        *self
            .current
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = apps.clone();
        Ok(apps)
    }
}
