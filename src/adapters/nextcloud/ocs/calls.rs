//! Calls to the JSON APIs the apps (Deck, sharing, search, Tables, Cookbook)
//! expose: OCS requests with their envelope, and plain JSON REST requests,
//! with a size cap on every reply.

use reqwest::header::ACCEPT;
use reqwest::{Method, RequestBuilder, Response};
use serde::de::DeserializeOwned;

use super::envelope::unwrap_ocs;
use crate::adapters::nextcloud::body::{MAX_JSON, error_bytes, read_reply};
use crate::adapters::nextcloud::errors::reply_error;
use crate::adapters::nextcloud::http::NextcloudSession;
use crate::ports::nextcloud::NextcloudError;

/// Reads a successful reply body, giving up past [`MAX_JSON`].
pub async fn read_body(response: Response, what: &str) -> Result<Vec<u8>, NextcloudError> {
    read_reply(response, MAX_JSON, what).await
}

/// Parses JSON; serde's message can quote user data, so only the position
/// goes into the error.
pub fn parse_json<T: DeserializeOwned>(body: &[u8], what: &str) -> Result<T, NextcloudError> {
    serde_json::from_slice(body).map_err(|e| {
        NextcloudError::Protocol(format!(
            "the reply for {what} is not the expected JSON (line {}, column {})",
            e.line(),
            e.column()
        ))
    })
}

impl NextcloudSession {
    /// An OCS request for `path` (relative to the base): `format=json`, the
    /// `OCS-APIRequest` header Nextcloud demands, and JSON accepted.
    pub(in crate::adapters::nextcloud) fn ocs_request(
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
    pub(in crate::adapters::nextcloud) fn json_request(
        &self,
        method: Method,
        url: url::Url,
    ) -> RequestBuilder {
        self.request(method, url)
            .header("OCS-APIRequest", "true")
            .header(ACCEPT, "application/json")
    }

    /// Sends an OCS request and unwraps its envelope.
    pub(in crate::adapters::nextcloud) async fn ocs_call<T: DeserializeOwned>(
        &self,
        builder: RequestBuilder,
        what: &str,
    ) -> Result<T, NextcloudError> {
        let body = self.call_raw(builder, what).await?;
        unwrap_ocs(&body, what)
    }

    /// Sends a plain JSON request and parses the reply.
    pub(in crate::adapters::nextcloud) async fn json_call<T: DeserializeOwned>(
        &self,
        builder: RequestBuilder,
        what: &str,
    ) -> Result<T, NextcloudError> {
        let body = self.call_raw(builder, what).await?;
        parse_json(&body, what)
    }

    /// Sends and reads the body of a successful reply; errors keep the
    /// server's message where it has one.
    pub(in crate::adapters::nextcloud) async fn call_raw(
        &self,
        builder: RequestBuilder,
        what: &str,
    ) -> Result<Vec<u8>, NextcloudError> {
        let response = self.send_raw(builder).await?;
        let status = response.status();
        if status.is_success() {
            read_body(response, what).await
        } else {
            Err(reply_error(status, what, &error_bytes(response).await))
        }
    }
}
