//! OCS capabilities, and probes of whether an app answers.

use std::collections::BTreeSet;

use async_trait::async_trait;
use reqwest::{Method, StatusCode};
use serde::Deserialize;

use super::errors::probe_status;
use super::http::NextcloudSession;
use crate::domain::capabilities::{App, ServerCapabilities};
use crate::ports::nextcloud::{CapabilitiesApi, NextcloudError};

#[derive(Deserialize)]
struct CapabilitiesData {
    #[serde(default)]
    version: Option<Version>,
    #[serde(default)]
    capabilities: serde_json::Map<String, serde_json::Value>,
}

#[derive(Deserialize)]
struct Version {
    #[serde(default)]
    string: String,
}

fn server_capabilities(data: CapabilitiesData) -> ServerCapabilities {
    let mut disabled = BTreeSet::new();
    for (key, value) in &data.capabilities {
        let off = |field: &str| value.get(field).and_then(|v| v.as_bool()) == Some(false);
        if off("enabled") || off("api_enabled") {
            disabled.insert(key.clone());
        }
    }
    ServerCapabilities {
        version: data.version.map(|v| v.string).unwrap_or_default(),
        keys: data.capabilities.keys().cloned().collect(),
        disabled,
    }
}

/// A cheap, read-only endpoint of each app: 404 (OCS 998) when it is absent.
fn probe_path(app: App) -> &'static str {
    match app {
        App::Notes => "index.php/apps/notes/api/v1/settings",
        App::Deck => "index.php/apps/deck/api/v1.0/boards",
        App::Sharing => "ocs/v2.php/apps/files_sharing/api/v1/shares",
        App::Tables => "ocs/v2.php/apps/tables/api/2/tables",
        App::Cookbook => "index.php/apps/cookbook/api/version",
        App::Collectives => "ocs/v2.php/apps/collectives/api/v1.0/collectives",
        App::News => "index.php/apps/news/api/v1-3/version",
    }
}

#[async_trait]
impl CapabilitiesApi for NextcloudSession {
    async fn capabilities(&self) -> Result<ServerCapabilities, NextcloudError> {
        let what = "the server capabilities";
        let request = self.ocs_request(Method::GET, "ocs/v2.php/cloud/capabilities")?;
        let data: CapabilitiesData = self.ocs_call(request, what).await?;
        Ok(server_capabilities(data))
    }

    async fn app_responds(&self, app: App) -> Result<bool, NextcloudError> {
        let path = probe_path(app);
        let request = if path.starts_with("ocs/") {
            self.ocs_request(Method::GET, path)?
        } else {
            self.json_request(Method::GET, self.url(path)?)
        };
        let response = self.send_raw(request).await?;
        match response.status() {
            s if s.is_success() => Ok(true),
            StatusCode::NOT_FOUND => Ok(false),
            // The route exists; the app refuses this user something.
            StatusCode::FORBIDDEN => Ok(true),
            s => Err(probe_status(s, app.display_name())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disabled_apps_are_recognised() {
        let data: CapabilitiesData = serde_json::from_value(serde_json::json!({
            "version": {"string": "34.0.1"},
            "capabilities": {
                "deck": {"version": "1.18.3"},
                "files_sharing": {"api_enabled": false},
                "tables": {"enabled": false},
                "core": {"pollinterval": 60}
            }
        }))
        .unwrap();
        let caps = server_capabilities(data);
        assert_eq!(caps.version, "34.0.1");
        assert!(caps.keys.contains("deck") && caps.keys.contains("core"));
        assert_eq!(
            caps.disabled.iter().map(String::as_str).collect::<Vec<_>>(),
            vec!["files_sharing", "tables"]
        );
    }
}
