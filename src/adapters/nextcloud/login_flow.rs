//! Login Flow v2 and the app-password endpoints (captures `login-flow/` and
//! `auth/`): start a flow, poll it, and delete, rotate or check the app
//! password it granted.

use async_trait::async_trait;
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use url::Url;

use super::body::{MAX_SMALL_JSON, read_reply};
use super::errors::protocol;
use super::http::{HttpNextcloud, NextcloudSession};
use super::ocs::unwrap_ocs;
use crate::domain::credential::{Credential, CredentialSecret};
use crate::ports::login_flow::{FlowStart, LoginFlowApi, PollAnswer};
use crate::ports::nextcloud::{NextcloudError, StatusApi};

#[derive(Deserialize)]
struct StartReply {
    poll: PollPart,
    login: String,
}

#[derive(Deserialize)]
struct PollPart {
    token: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Granted {
    login_name: String,
    app_password: String,
}

#[derive(Deserialize)]
struct Rotated {
    apppassword: String,
}

impl HttpNextcloud {
    fn as_login(&self, login: &str, password: &SecretString) -> NextcloudSession {
        self.session(Credential {
            user_id: login.to_string(),
            secret: CredentialSecret::LoginAppPassword {
                login: login.to_string(),
                password: password.clone(),
            },
        })
    }
}

/// Every reply here is a small JSON document.
async fn body_of(response: reqwest::Response) -> Result<Vec<u8>, NextcloudError> {
    read_reply(response, MAX_SMALL_JSON, "the login flow").await
}

#[async_trait]
impl LoginFlowApi for HttpNextcloud {
    async fn start_flow(&self) -> Result<FlowStart, NextcloudError> {
        let session = self.anonymous();
        let url = session.url("index.php/login/v2")?;
        let request = session
            .plain_request(Method::POST, url)
            .header("Accept", "application/json");
        let response = session.send(request, "the login flow").await?;
        let reply: StartReply = serde_json::from_slice(&body_of(response).await?)
            // serde's message may quote a value, and the values are secrets.
            .map_err(|_| protocol("login flow start: the reply is not the expected JSON"))?;
        let login_url = Url::parse(&reply.login)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .ok_or_else(|| protocol("login flow start: the login URL is not an http(s) URL"))?;
        Ok(FlowStart {
            login_url,
            poll_token: SecretString::from(reply.poll.token),
        })
    }

    /// Always polls this server's own endpoint, whatever the start reply
    /// named: the poll token must not go anywhere else.
    async fn poll_flow(&self, poll_token: &SecretString) -> Result<PollAnswer, NextcloudError> {
        let session = self.anonymous();
        let url = session.url("index.php/login/v2/poll")?;
        let request = session
            .plain_request(Method::POST, url)
            .header("Accept", "application/json")
            .form(&[("token", poll_token.expose_secret())]);
        let response = session.send_raw(request).await?;
        match response.status() {
            // Pending, unknown, or already fetched once: all the same 404.
            StatusCode::NOT_FOUND => Ok(PollAnswer::Pending),
            status if status.is_success() => {
                let granted: Granted = serde_json::from_slice(&body_of(response).await?)
                    .map_err(|_| protocol("login flow poll: the grant is not the expected JSON"))?;
                Ok(PollAnswer::Granted {
                    login_name: granted.login_name,
                    app_password: SecretString::from(granted.app_password),
                })
            }
            status => Err(super::errors::map_status(status, "the login flow", "")),
        }
    }

    async fn user_id_of(
        &self,
        login: &str,
        password: &SecretString,
    ) -> Result<String, NextcloudError> {
        self.as_login(login, password).current_user_id().await
    }

    async fn delete_app_password(
        &self,
        login: &str,
        password: &SecretString,
    ) -> Result<(), NextcloudError> {
        let session = self.as_login(login, password);
        let url = session.url("ocs/v2.php/core/apppassword?format=json")?;
        let request = session
            .request(Method::DELETE, url)
            .header("OCS-APIRequest", "true")
            .header("Accept", "application/json");
        session.send(request, "the app password").await?;
        Ok(())
    }

    async fn rotate_app_password(
        &self,
        login: &str,
        password: &SecretString,
    ) -> Result<SecretString, NextcloudError> {
        let session = self.as_login(login, password);
        let url = session.url("ocs/v2.php/core/apppassword/rotate?format=json")?;
        let request = session
            .request(Method::POST, url)
            .header("OCS-APIRequest", "true")
            .header("Accept", "application/json");
        let response = session.send(request, "the app password").await?;
        let rotated: Rotated = unwrap_ocs(&body_of(response).await?, "the rotated app password")?;
        Ok(SecretString::from(rotated.apppassword))
    }
}
