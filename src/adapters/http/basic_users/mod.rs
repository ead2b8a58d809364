//! Multi-user basic on `/mcp`: every request carries HTTP Basic (a Nextcloud
//! login name and app password). The credential is checked at Nextcloud
//! (OCS `cloud/user`), the verdict kept briefly under a keyed digest, and the
//! credential handed to this request's tools as a `BasicCaller`, for this
//! request only. Anything else is answered 401 with a Basic challenge.

mod header;
mod verdicts;

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header as http_header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub use header::{HeaderProblem, MAX_AUTHORIZATION_BYTES, Presented, basic_credential};
pub use verdicts::{Verdict, VerdictLimits, Verdicts};

use crate::adapters::idp::budget::IntrospectionBudget;
use crate::domain::credential::{BasicCaller, Credential, CredentialSecret};
use crate::ports::nextcloud::{NextcloudConnector, NextcloudError};

/// The challenge every refusal carries (RFC 7617).
const CHALLENGE: &str = "Basic realm=\"nextcloud-mcp\", charset=\"UTF-8\"";

/// What the check says about one request's credential.
#[derive(Debug)]
pub enum Check {
    Accepted(BasicCaller),
    Refused,
    /// Too many credentials nobody has seen before; nothing was asked.
    Throttled,
    /// Nextcloud did not answer the check; nothing is remembered.
    Unavailable(NextcloudError),
}

/// Checks Basic credentials at Nextcloud, remembering the verdicts.
pub struct BasicUsers {
    connector: Arc<dyn NextcloudConnector>,
    verdicts: Verdicts,
    /// Checks of credentials not in the cache: a flood of distinct wrong
    /// passwords becomes at most this many requests to Nextcloud (whose own
    /// brute-force protection would otherwise slow every user of this server).
    budget: IntrospectionBudget,
}

impl BasicUsers {
    pub fn new(connector: Arc<dyn NextcloudConnector>) -> Self {
        Self::with_limits(
            connector,
            VerdictLimits::default(),
            IntrospectionBudget::default(),
        )
    }

    pub fn with_limits(
        connector: Arc<dyn NextcloudConnector>,
        limits: VerdictLimits,
        budget: IntrospectionBudget,
    ) -> Self {
        Self {
            connector,
            verdicts: Verdicts::new(limits),
            budget,
        }
    }

    pub async fn check(&self, presented: Presented) -> Check {
        let key = self.verdicts.key_of(&presented.login, &presented.password);
        let accepted = |user_id: String| {
            Check::Accepted(BasicCaller {
                login: presented.login.clone(),
                user_id,
                password: presented.password.clone(),
            })
        };
        match self.verdicts.get(&key, Instant::now()) {
            Some(Verdict::Accepted { user_id }) => return accepted(user_id),
            Some(Verdict::Refused) => return Check::Refused,
            None => {}
        }
        if !self.budget.try_take(Instant::now()) {
            return Check::Throttled;
        }
        // The user id is not known yet: OCS `cloud/user` needs none, and
        // its answer is what names the DAV root from here on.
        let probe = self.connector.connect(Credential {
            user_id: String::new(),
            secret: CredentialSecret::LoginAppPassword {
                login: presented.login.clone(),
                password: presented.password.clone(),
            },
        });
        match probe.current_user_id().await {
            Ok(user_id) => {
                let verdict = Verdict::Accepted {
                    user_id: user_id.clone(),
                };
                self.verdicts.put(key, verdict, Instant::now());
                accepted(user_id)
            }
            Err(NextcloudError::CredentialRejected) => {
                self.verdicts.put(key, Verdict::Refused, Instant::now());
                Check::Refused
            }
            Err(other) => Check::Unavailable(other),
        }
    }
}

/// axum middleware: a request passes with its checked credential on it.
pub async fn require_basic_user(
    State(users): State<Arc<BasicUsers>>,
    mut request: Request,
    next: Next,
) -> Response {
    let presented = match basic_credential(request.headers().get(http_header::AUTHORIZATION)) {
        Ok(presented) => presented,
        Err(problem) => {
            tracing::info!(%problem, "request to /mcp without a usable Basic credential");
            return challenge(&problem.to_string());
        }
    };
    match users.check(presented).await {
        Check::Accepted(caller) => {
            request.extensions_mut().insert(caller);
            next.run(request).await
        }
        Check::Refused => {
            tracing::info!("Basic credential refused by Nextcloud");
            challenge("Nextcloud did not accept this login name and app password")
        }
        Check::Throttled => {
            tracing::info!("new-credential budget spent; answering 429");
            (
                StatusCode::TOO_MANY_REQUESTS,
                [(http_header::RETRY_AFTER, "1")],
                "too many new credentials at once; retry shortly",
            )
                .into_response()
        }
        Check::Unavailable(error) => {
            tracing::warn!(%error, "Basic credential check at Nextcloud failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                format!("could not check the credential at Nextcloud: {error}"),
            )
                .into_response()
        }
    }
}

fn challenge(description: &str) -> Response {
    let body = serde_json::json!({
        "error": "unauthorized",
        "error_description": description,
    });
    let mut response = (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response();
    response.headers_mut().insert(
        http_header::WWW_AUTHENTICATE,
        HeaderValue::from_static(CHALLENGE),
    );
    response
}
