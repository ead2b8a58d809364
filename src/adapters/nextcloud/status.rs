//! Reachability and credential check, used by `/readyz`.

use async_trait::async_trait;
use reqwest::Method;

use super::http::NextcloudSession;
use super::ocs::unwrap_ocs;
use crate::ports::nextcloud::{NextcloudError, StatusApi};

#[async_trait]
impl StatusApi for NextcloudSession {
    async fn check_credential(&self) -> Result<(), NextcloudError> {
        let url = self.url("ocs/v2.php/cloud/user?format=json")?;
        let request = self
            .request(Method::GET, url)
            .header("OCS-APIRequest", "true")
            .header("Accept", "application/json");
        let response = self.send(request, "the current user").await?;
        let body = response
            .bytes()
            .await
            .map_err(|e| NextcloudError::Protocol(e.to_string()))?;
        unwrap_ocs::<serde_json::Value>(&body, "the current user").map(|_| ())
    }
}
