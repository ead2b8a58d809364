//! webhook_listeners OCS API (`/ocs/v2.php/apps/webhook_listeners/api/v1/webhooks`),
//! shaped after the captures in tests/fixtures/nextcloud-34/webhooks.

use std::collections::BTreeMap;

use async_trait::async_trait;
use reqwest::{Method, RequestBuilder, Response};
use secrecy::ExposeSecret;
use serde::Deserialize;
use serde_json::{Map, Value};
use url::Url;

use super::body::{MAX_JSON, read_reply};
use super::http::NextcloudSession;
use super::ocs::unwrap_ocs;
use crate::domain::webhooks::{EventFilter, RemoteWebhook, WebhookAuth, WebhookDraft};
use crate::ports::nextcloud::{NextcloudError, WebhooksApi};

const WEBHOOKS_PATH: &str = "ocs/v2.php/apps/webhook_listeners/api/v1/webhooks";

/// A webhook as Nextcloud sends it. `eventFilter` is `[]` when empty,
/// `headers` and `authData` may be null; `authData` (encrypted) is ignored.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireWebhook {
    id: i64,
    #[serde(default)]
    app_id: Option<String>,
    #[serde(default)]
    user_id: Option<String>,
    http_method: String,
    uri: String,
    event: String,
    #[serde(default)]
    event_filter: Value,
    #[serde(default)]
    user_id_filter: Option<String>,
    #[serde(default)]
    headers: Option<BTreeMap<String, String>>,
    #[serde(default)]
    auth_method: Option<String>,
}

impl From<WireWebhook> for RemoteWebhook {
    fn from(w: WireWebhook) -> Self {
        RemoteWebhook {
            id: w.id,
            user_id: w.user_id.filter(|u| !u.is_empty()),
            app_id: w.app_id.filter(|a| !a.is_empty()),
            http_method: w.http_method,
            uri: w.uri,
            event: w.event,
            filter: EventFilter::from_remote(&w.event_filter),
            user_id_filter: w.user_id_filter.unwrap_or_default(),
            headers: w.headers.unwrap_or_default(),
            auth_method: w.auth_method.unwrap_or_else(|| "none".into()),
        }
    }
}

/// The register/update body: `eventFilter` and `headers` only when set,
/// `authData` only with `authMethod: header` (fixtures 01, 02, 06).
fn body(draft: &WebhookDraft) -> Value {
    let mut body = Map::new();
    body.insert("httpMethod".into(), draft.http_method.clone().into());
    body.insert("uri".into(), draft.uri.clone().into());
    body.insert("event".into(), draft.event.clone().into());
    if !draft.filter.is_empty() {
        body.insert("eventFilter".into(), draft.filter.to_value());
    }
    if !draft.headers.is_empty() {
        let headers: Map<String, Value> = draft
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        body.insert("headers".into(), Value::Object(headers));
    }
    match &draft.auth {
        WebhookAuth::None => {
            body.insert("authMethod".into(), "none".into());
        }
        WebhookAuth::Headers(headers) => {
            body.insert("authMethod".into(), "header".into());
            let data: Map<String, Value> = headers
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.expose_secret().to_string())))
                .collect();
            body.insert("authData".into(), Value::Object(data));
        }
    }
    Value::Object(body)
}

fn what(id: i64) -> String {
    format!("webhook {id}")
}

impl NextcloudSession {
    fn webhooks_url(&self, id: Option<i64>) -> Result<Url, NextcloudError> {
        let mut url = match id {
            Some(id) => self.url(&format!("{WEBHOOKS_PATH}/{id}"))?,
            None => self.url(WEBHOOKS_PATH)?,
        };
        url.query_pairs_mut().append_pair("format", "json");
        Ok(url)
    }

    fn webhooks_request(&self, method: Method, url: Url) -> RequestBuilder {
        self.request(method, url)
            .header("OCS-APIRequest", "true")
            .header(reqwest::header::ACCEPT, "application/json")
    }
}

/// The OCS data of a reply. Only the position of a JSON error is reported.
async fn read_ocs<T: serde::de::DeserializeOwned>(
    response: Response,
    what: &str,
) -> Result<T, NextcloudError> {
    let bytes = read_reply(response, MAX_JSON, what).await?;
    unwrap_ocs(&bytes, what)
}

#[async_trait]
impl WebhooksApi for NextcloudSession {
    async fn register_webhook(
        &self,
        draft: &WebhookDraft,
    ) -> Result<RemoteWebhook, NextcloudError> {
        let what = "the new webhook";
        let request = self
            .webhooks_request(Method::POST, self.webhooks_url(None)?)
            .json(&body(draft));
        let wire: WireWebhook = read_ocs(self.send(request, what).await?, what).await?;
        Ok(wire.into())
    }

    async fn list_webhooks(
        &self,
        uri: Option<String>,
    ) -> Result<Vec<RemoteWebhook>, NextcloudError> {
        let what = "the webhook list";
        let mut url = self.webhooks_url(None)?;
        if let Some(uri) = uri {
            url.query_pairs_mut().append_pair("uri", &uri);
        }
        let request = self.webhooks_request(Method::GET, url);
        let wire: Vec<WireWebhook> = read_ocs(self.send(request, what).await?, what).await?;
        Ok(wire.into_iter().map(Into::into).collect())
    }

    async fn get_webhook(&self, id: i64) -> Result<RemoteWebhook, NextcloudError> {
        let what = what(id);
        let request = self.webhooks_request(Method::GET, self.webhooks_url(Some(id))?);
        // A missing id answers 404 with an SQL message; only `what` is kept.
        let wire: WireWebhook = read_ocs(self.send(request, &what).await?, &what).await?;
        Ok(wire.into())
    }

    async fn update_webhook(
        &self,
        id: i64,
        draft: &WebhookDraft,
    ) -> Result<RemoteWebhook, NextcloudError> {
        let what = what(id);
        let request = self
            .webhooks_request(Method::POST, self.webhooks_url(Some(id))?)
            .json(&body(draft));
        let wire: WireWebhook = read_ocs(self.send(request, &what).await?, &what).await?;
        Ok(wire.into())
    }

    async fn delete_webhook(&self, id: i64) -> Result<bool, NextcloudError> {
        let what = what(id);
        let request = self.webhooks_request(Method::DELETE, self.webhooks_url(Some(id))?);
        read_ocs::<bool>(self.send(request, &what).await?, &what).await
    }
}
