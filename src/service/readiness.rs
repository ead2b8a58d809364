//! Whether this server can do its work now: what `/readyz` reports.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::domain::credential::AuthMode;
use crate::ports::identity::IdentityProvider;
use crate::ports::nextcloud::{NextcloudConnector, NextcloudError};

/// How long one answer serves every `/readyz` after it. `/readyz` needs no
/// credential, and each check asks Nextcloud and the IdP: without this,
/// anyone who can reach the port could make the server send them as many
/// requests as it is sent. Probes come every few seconds, so a second-old
/// answer is as good as a new one.
pub const ANSWER_FRESH_FOR: Duration = Duration::from_secs(1);

/// A check's answer and when it was made.
type DatedAnswer = (Instant, Result<(), String>);

/// Nextcloud, the mode, and the IdP in OAuth modes.
#[derive(Clone)]
pub struct Readiness {
    connector: Arc<dyn NextcloudConnector>,
    mode: AuthMode,
    identity: Option<Arc<dyn IdentityProvider>>,
    /// The last answer and when it was made. Held across a check, so
    /// concurrent probes wait for one check instead of each starting one.
    last: Arc<Mutex<Option<DatedAnswer>>>,
}

impl Readiness {
    pub fn new(
        connector: Arc<dyn NextcloudConnector>,
        mode: AuthMode,
        identity: Option<Arc<dyn IdentityProvider>>,
    ) -> Self {
        Self {
            connector,
            mode,
            identity,
            last: Arc::default(),
        }
    }

    pub fn mode(&self) -> &AuthMode {
        &self.mode
    }

    /// [`Self::check_now`], answered from the last check when it is under
    /// [`ANSWER_FRESH_FOR`] old, and made once for probes that arrive
    /// together.
    pub async fn check(&self) -> Result<(), String> {
        let mut last = self.last.lock().await;
        if let Some((at, answer)) = last.as_ref()
            && at.elapsed() < ANSWER_FRESH_FOR
        {
            return answer.clone();
        }
        let answer = self.check_now().await;
        *last = Some((Instant::now(), answer.clone()));
        answer
    }

    /// Basic mode: Nextcloud accepts the app password. OAuth modes: Nextcloud
    /// answers and the identity provider answers its discovery now (not
    /// from a cache), so an IdP outage after start shows here.
    /// Multi-user basic: Nextcloud answers.
    async fn check_now(&self) -> Result<(), String> {
        if let Some(credential) = self.mode.service_credential() {
            return self
                .connector
                .connect(credential)
                .current_user_id()
                .await
                .map(|_| ())
                .map_err(|e| match e {
                    // The one fix is the operator's: say which setting.
                    NextcloudError::CredentialRejected => {
                        "Nextcloud rejected the credential (HTTP 401): NEXTCLOUD_PASSWORD \
                         is not a valid app password of NEXTCLOUD_USERNAME; set a valid \
                         one and restart"
                            .to_string()
                    }
                    other => other.to_string(),
                });
        }
        self.connector
            .check_reachable()
            .await
            .map_err(|e| e.to_string())?;
        // Multi-user basic has no IdP: each request's credential is checked
        // at Nextcloud, so Nextcloud answering is all it needs.
        if matches!(self.mode, AuthMode::MultiUserBasic) {
            return Ok(());
        }
        match &self.identity {
            Some(identity) => identity
                .check_reachable()
                .await
                .map_err(|e| format!("identity provider check failed: {e}")),
            None => Err("no identity provider is configured for an OAuth mode".into()),
        }
    }
}
