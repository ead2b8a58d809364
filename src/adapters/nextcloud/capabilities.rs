//! OCS capabilities and app probes, plus the JSON call helpers the app
//! adapters (Deck, sharing, search, Tables, Cookbook) share: OCS requests
//! with their envelope, and plain JSON REST requests, with a size cap.

use std::collections::BTreeSet;

use async_trait::async_trait;
use reqwest::header::ACCEPT;
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::errors::map_status;
use super::http::NextcloudSession;
use super::ocs::unwrap_ocs;
use crate::domain::capabilities::{App, ServerCapabilities};
use crate::ports::nextcloud::{CapabilitiesApi, NextcloudError};

/// No JSON reply these adapters read is legitimately bigger than this.
const MAX_JSON_BYTES: usize = 32 * 1024 * 1024;

/// Reads a reply body, giving up past [`MAX_JSON_BYTES`].
pub(super) async fn read_body(
    mut response: Response,
    what: &str,
) -> Result<Vec<u8>, NextcloudError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|_| NextcloudError::Unavailable(format!("the reply for {what} was cut off")))?
    {
        if bytes.len() + chunk.len() > MAX_JSON_BYTES {
            return Err(NextcloudError::Protocol(format!(
                "the reply for {what} is larger than {MAX_JSON_BYTES} bytes"
            )));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// Parses JSON; serde's message can quote user data, so only the position
/// goes into the error.
pub(super) fn parse_json<T: DeserializeOwned>(
    body: &[u8],
    what: &str,
) -> Result<T, NextcloudError> {
    serde_json::from_slice(body).map_err(|e| {
        NextcloudError::Protocol(format!(
            "the reply for {what} is not the expected JSON (line {}, column {})",
            e.line(),
            e.column()
        ))
    })
}

/// The OCS `meta.message` (or a plain `message`) of an error body.
pub(super) fn error_message(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    value
        .pointer("/ocs/meta/message")
        .or_else(|| value.get("message"))
        .and_then(|m| m.as_str())
        .map(|m| m.trim().chars().take(200).collect::<String>())
        .filter(|m| !m.is_empty())
}

/// Whether a 404 message is about something missing (as opposed to, say,
/// "Expiration date is in the past", which sharing also answers with 404).
fn says_missing(message: &str) -> bool {
    let message = message.to_lowercase();
    [
        "not exist",
        "not found",
        "could not find",
        "cannot find",
        "no such",
        "invalid query",
    ]
    .iter()
    .any(|phrase| message.contains(phrase))
}

/// A failed reply's error: statuses map as everywhere else, but a 404 whose
/// message is not about a missing thing (e.g. "Expiration date is in the
/// past") is the request's fault, and says so.
pub(super) fn reply_error(status: StatusCode, what: &str, body: &[u8]) -> NextcloudError {
    let message = error_message(body);
    if status == StatusCode::NOT_FOUND
        && let Some(message) = &message
        && !says_missing(message)
    {
        return NextcloudError::BadRequest(message.clone());
    }
    let detail = serde_json::json!({ "message": message.unwrap_or_default() }).to_string();
    map_status(status, what, &detail)
}

impl NextcloudSession {
    /// An OCS request for `path` (relative to the base): `format=json`, the
    /// `OCS-APIRequest` header Nextcloud demands, and JSON accepted.
    pub(super) fn ocs_request(
        &self,
        method: Method,
        path: &str,
    ) -> Result<RequestBuilder, NextcloudError> {
        let mut url = self.url(path)?;
        url.query_pairs_mut().append_pair("format", "json");
        Ok(self.json_request(method, url))
    }

    /// A request with the headers every captured app call carries: JSON
    /// accepted and `OCS-APIRequest: true` (harmless outside OCS).
    pub(super) fn json_request(&self, method: Method, url: url::Url) -> RequestBuilder {
        self.request(method, url)
            .header("OCS-APIRequest", "true")
            .header(ACCEPT, "application/json")
    }

    /// Sends an OCS request and unwraps its envelope.
    pub(super) async fn ocs_call<T: DeserializeOwned>(
        &self,
        builder: RequestBuilder,
        what: &str,
    ) -> Result<T, NextcloudError> {
        let body = self.call_raw(builder, what).await?;
        unwrap_ocs(&body, what)
    }

    /// Sends a plain JSON request and parses the reply.
    pub(super) async fn json_call<T: DeserializeOwned>(
        &self,
        builder: RequestBuilder,
        what: &str,
    ) -> Result<T, NextcloudError> {
        let body = self.call_raw(builder, what).await?;
        parse_json(&body, what)
    }

    /// Sends and reads the body of a successful reply; errors keep the
    /// server's message where it has one.
    pub(super) async fn call_raw(
        &self,
        builder: RequestBuilder,
        what: &str,
    ) -> Result<Vec<u8>, NextcloudError> {
        let response = self.send_raw(builder).await?;
        let status = response.status();
        let body = read_body(response, what).await?;
        if status.is_success() {
            Ok(body)
        } else {
            Err(reply_error(status, what, &body))
        }
    }
}

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
            StatusCode::UNAUTHORIZED => Err(NextcloudError::CredentialRejected),
            // The route exists; the app refuses this user something.
            StatusCode::FORBIDDEN => Ok(true),
            s => Err(NextcloudError::Unavailable(format!(
                "HTTP {} from the {} probe",
                s.as_u16(),
                app.display_name()
            ))),
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

    #[test]
    fn not_found_with_a_reason_is_a_bad_request() {
        let past = br#"{"ocs":{"meta":{"status":"failure","statuscode":404,"message":"Expiration date is in the past"},"data":[]}}"#;
        assert_eq!(
            reply_error(StatusCode::NOT_FOUND, "share 11", past),
            NextcloudError::BadRequest("Expiration date is in the past".into())
        );
        let missing = br#"{"ocs":{"meta":{"status":"failure","statuscode":404,"message":"Wrong share ID, share does not exist"},"data":[]}}"#;
        assert_eq!(
            reply_error(StatusCode::NOT_FOUND, "share 11", missing),
            NextcloudError::NotFound("share 11".into())
        );
        assert_eq!(
            reply_error(StatusCode::NOT_FOUND, "recipe 3", b""),
            NextcloudError::NotFound("recipe 3".into())
        );
        let deck = br#"{"status":403,"message":"Permission denied"}"#;
        assert_eq!(
            reply_error(StatusCode::FORBIDDEN, "board 9", deck),
            NextcloudError::Forbidden(Some("Permission denied".into()))
        );
    }
}
