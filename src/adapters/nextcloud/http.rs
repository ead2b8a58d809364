//! The one HTTP client toward Nextcloud: connection pool, timeouts, user agent,
//! authentication per credential.

use std::sync::Arc;
use std::time::Duration;

use reqwest::{Method, RequestBuilder, Response};
use secrecy::ExposeSecret;
use url::Url;

use super::body::error_text;
use super::errors::{map_status, map_transport_error, rate_limited};
use crate::domain::credential::{Credential, CredentialSecret};
use crate::ports::nextcloud::{NextcloudApi, NextcloudConnector, NextcloudError, RejectionWatch};
use crate::telemetry;

const USER_AGENT: &str = concat!("nextcloud-mcp/", env!("CARGO_PKG_VERSION"));

pub use crate::adapters::tls::install_crypto_provider;

struct Shared {
    client: reqwest::Client,
    base: Url,
    timeout: Duration,
}

/// The connector: holds the pool, hands out sessions bound to one credential.
#[derive(Clone)]
pub struct HttpNextcloud {
    shared: Arc<Shared>,
}

impl HttpNextcloud {
    pub fn new(base: Url, timeout: Duration) -> Result<Self, NextcloudError> {
        install_crypto_provider();
        let client = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .pool_idle_timeout(Duration::from_secs(90))
            // Redirects would resend credentials to wherever Nextcloud points.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| NextcloudError::Unavailable(format!("cannot build HTTP client: {e}")))?;
        let mut base = base;
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        Ok(Self {
            shared: Arc::new(Shared {
                client,
                base,
                timeout,
            }),
        })
    }

    /// A session without a credential, for public endpoints such as status.php.
    pub(super) fn anonymous(&self) -> NextcloudSession {
        self.session(Credential {
            user_id: String::new(),
            secret: CredentialSecret::AppPassword(secrecy::SecretString::from(String::new())),
        })
    }

    pub fn session(&self, credential: Credential) -> NextcloudSession {
        NextcloudSession {
            shared: self.shared.clone(),
            credential,
            on_rejected: None,
        }
    }
}

impl NextcloudConnector for HttpNextcloud {
    fn connect(&self, credential: Credential) -> Box<dyn NextcloudApi> {
        Box::new(self.session(credential))
    }

    fn connect_watched(
        &self,
        credential: Credential,
        on_rejected: RejectionWatch,
    ) -> Box<dyn NextcloudApi> {
        let mut session = self.session(credential);
        session.on_rejected = Some(on_rejected);
        Box::new(session)
    }
}

/// A client bound to one credential for the length of one tool call.
pub struct NextcloudSession {
    shared: Arc<Shared>,
    credential: Credential,
    /// Told when Nextcloud answers 401 to this credential.
    on_rejected: Option<RejectionWatch>,
}

impl NextcloudSession {
    pub fn user_id(&self) -> &str {
        &self.credential.user_id
    }

    /// Absolute URL for a path relative to the Nextcloud base (no leading slash
    /// needed). `path` must already be percent-encoded where it needs to be.
    pub fn url(&self, path: &str) -> Result<Url, NextcloudError> {
        self.shared
            .base
            .join(path.trim_start_matches('/'))
            .map_err(|e| NextcloudError::Protocol(format!("bad URL path: {e}")))
    }

    /// A request without credentials.
    pub(super) fn plain_request(&self, method: Method, url: Url) -> RequestBuilder {
        self.shared.client.request(method, url)
    }

    /// A request with this session's credential attached.
    pub fn request(&self, method: Method, url: Url) -> RequestBuilder {
        let builder = self.shared.client.request(method, url);
        match &self.credential.secret {
            CredentialSecret::AppPassword(password) => {
                builder.basic_auth(&self.credential.user_id, Some(password.expose_secret()))
            }
            CredentialSecret::Bearer(token) => builder.bearer_auth(token.expose_secret()),
            CredentialSecret::LoginAppPassword { login, password } => {
                builder.basic_auth(login, Some(password.expose_secret()))
            }
        }
    }

    /// Sends a request and maps transport failures and error statuses; `what`
    /// names the resource in the error a person will read ("note 42", "/a.txt").
    pub async fn send(
        &self,
        builder: RequestBuilder,
        what: &str,
    ) -> Result<Response, NextcloudError> {
        let response = self.send_raw(builder).await?;
        let status = response.status();
        if status.is_success() || status == reqwest::StatusCode::MULTI_STATUS {
            return Ok(response);
        }
        let body = error_text(response).await;
        Err(map_status(status, what, &body))
    }

    /// Sends without interpreting the status, for callers that treat some
    /// non-2xx answers (304, 412 with a body) as data.
    /// Every request passes here, so this is where it is counted (by app and
    /// status class only, never by path). A 429 is refused here, for every
    /// caller: no request treats a rate limit as data, and only here is the
    /// `Retry-After` header at hand.
    pub async fn send_raw(&self, builder: RequestBuilder) -> Result<Response, NextcloudError> {
        let (client, request) = builder.build_split();
        let request = request.map_err(|e| map_transport_error(&e, self.shared.timeout))?;
        let app = telemetry::record::nextcloud_app(request.url().path());
        let started = std::time::Instant::now();
        let sent = client.execute(request).await;
        let status = match &sent {
            Ok(response) => telemetry::record::status_class(response.status().as_u16()),
            Err(_) => "error",
        };
        telemetry::record::nextcloud_request(app, status, started.elapsed());
        let response = sent.map_err(|e| map_transport_error(&e, self.shared.timeout))?;
        if response.status() == reqwest::StatusCode::UNAUTHORIZED
            && let Some(watch) = &self.on_rejected
        {
            watch.rejected();
        }
        if response.status() == reqwest::StatusCode::TOO_MANY_REQUESTS {
            return Err(rate_limited(response.headers()));
        }
        Ok(response)
    }
}
