//! Who the credential belongs to, and whether Nextcloud is up (`/readyz`).

use async_trait::async_trait;
use reqwest::Method;
use serde::Deserialize;

use super::body::{MAX_SMALL_JSON, read_reply};
use super::http::{HttpNextcloud, NextcloudSession};
use super::ocs::unwrap_ocs;
use crate::ports::nextcloud::{NextcloudError, ServerStatus, StatusApi};

#[derive(Deserialize)]
struct CurrentUser {
    id: String,
    /// Group ids (capture ocs-capabilities/06: `"groups":["admin"]`).
    #[serde(default)]
    groups: Vec<String>,
}

#[async_trait]
impl StatusApi for NextcloudSession {
    async fn current_user_id(&self) -> Result<String, NextcloudError> {
        self.current_user().await.map(|user| user.id)
    }

    async fn is_admin(&self) -> Result<bool, NextcloudError> {
        let user = self.current_user().await?;
        Ok(user.groups.iter().any(|g| g == "admin"))
    }
}

impl NextcloudSession {
    async fn current_user(&self) -> Result<CurrentUser, NextcloudError> {
        let url = self.url("ocs/v2.php/cloud/user?format=json")?;
        let request = self
            .request(Method::GET, url)
            .header("OCS-APIRequest", "true")
            .header("Accept", "application/json");
        let response = self.send(request, "the current user").await?;
        let body = read_reply(response, MAX_SMALL_JSON, "the current user").await?;
        unwrap_ocs::<CurrentUser>(&body, "the current user")
    }
}

#[derive(Deserialize)]
struct Status {
    installed: bool,
    maintenance: bool,
}

#[async_trait]
impl ServerStatus for HttpNextcloud {
    async fn check_reachable(&self) -> Result<(), NextcloudError> {
        let session = self.anonymous();
        let url = session.url("status.php")?;
        let response = session
            .send(
                session
                    .plain_request(Method::GET, url)
                    .header("Accept", "application/json"),
                "status.php",
            )
            .await?;
        let body = read_reply(response, MAX_SMALL_JSON, "status.php").await?;
        let status: Status = serde_json::from_slice(&body)
            .map_err(|_| NextcloudError::Protocol("status.php did not answer JSON".into()))?;
        if !status.installed {
            return Err(NextcloudError::Unavailable(
                "Nextcloud is not installed".into(),
            ));
        }
        if status.maintenance {
            return Err(NextcloudError::Unavailable(
                "Nextcloud is in maintenance mode".into(),
            ));
        }
        Ok(())
    }
}
