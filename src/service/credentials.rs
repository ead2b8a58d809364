//! Per-call credential resolution: the domain decides the plan, this carries
//! it out (exchange at the IdP, finding the Nextcloud user id). Every tool
//! call gets its Nextcloud client here, from its own verified caller. Nothing
//! here is cached on a session, and exchanged tokens are never stored.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::domain::audit::{AuditEvent, AuditKind};
use crate::domain::credential::{
    AuthMode, BasicCaller, Credential, CredentialPlan, CredentialSecret, PlanError, plan_credential,
};
use crate::domain::principal::Principal;
use crate::ports::identity::{IdentityProvider, IdpError};
use crate::ports::nextcloud::{NextcloudApi, NextcloudConnector, NextcloudError};
use crate::ports::store::AuditLog;
use crate::service::audit;
use crate::service::clock::now;
use crate::service::login_flow::{AccountError, ConnectedAccounts};

/// Subject-to-user-id lookups kept in memory; user ids are not secrets, and
/// the bound keeps a flood of distinct subjects from growing it without limit.
const USER_ID_CACHE_LIMIT: usize = 10_000;

#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error("could not get a Nextcloud token for you: {0}")]
    Exchange(#[source] IdpError),
    #[error(
        "token exchange is configured but no identity provider is wired; this is a server configuration error"
    )]
    NoIdentityProvider,
    #[error("Nextcloud did not accept the token for you: {0}")]
    UserLookup(#[source] NextcloudError),
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(
        "login-flow mode is configured but no account store is wired; this is a server configuration error"
    )]
    NoAccountStore,
}

pub struct CredentialResolver {
    mode: AuthMode,
    connector: Arc<dyn NextcloudConnector>,
    identity: Option<Arc<dyn IdentityProvider>>,
    audit: Option<Arc<dyn AuditLog>>,
    user_ids: Mutex<HashMap<(String, String), String>>,
    /// Login-flow mode: the callers' connected accounts.
    accounts: Option<Arc<ConnectedAccounts>>,
}

impl CredentialResolver {
    pub fn new(
        mode: AuthMode,
        connector: Arc<dyn NextcloudConnector>,
        identity: Option<Arc<dyn IdentityProvider>>,
        audit: Option<Arc<dyn AuditLog>>,
    ) -> Self {
        Self {
            mode,
            connector,
            identity,
            audit,
            user_ids: Mutex::new(HashMap::new()),
            accounts: None,
        }
    }

    /// Login-flow mode: tool calls use the caller's connected account.
    pub fn with_connected_accounts(mut self, accounts: Arc<ConnectedAccounts>) -> Self {
        self.accounts = Some(accounts);
        self
    }

    pub fn mode(&self) -> &AuthMode {
        &self.mode
    }

    /// A Nextcloud client for this call, with the credential its plan names.
    /// `basic` is the request's own checked Basic credential (multi-user
    /// basic); the OAuth modes pass the verified `caller` instead.
    pub async fn nextcloud_for(
        &self,
        caller: Option<&Principal>,
        basic: Option<&BasicCaller>,
    ) -> Result<Box<dyn NextcloudApi>, CredentialError> {
        let (user_id, secret) = match plan_credential(&self.mode, caller, basic)? {
            CredentialPlan::Ready { user_id, secret } => (user_id, secret),
            CredentialPlan::Exchange { subject, audience } => {
                let identity = self
                    .identity
                    .as_ref()
                    .ok_or(CredentialError::NoIdentityProvider)?;
                let issued = identity.exchange_token(&subject, &audience, None).await;
                self.record_exchange(&subject, issued.as_ref().err());
                let issued = issued.map_err(CredentialError::Exchange)?;
                (None, CredentialSecret::Bearer(issued.access_token))
            }
            CredentialPlan::ConnectedAccount { subject } => {
                let accounts = self
                    .accounts
                    .as_ref()
                    .ok_or(CredentialError::NoAccountStore)?;
                let (credential, watch) = accounts.credential_for(&subject).await?;
                return Ok(self.connector.connect_watched(credential, watch));
            }
        };
        let user_id = match user_id {
            Some(id) => id,
            None => self.user_id_for(caller, &secret).await?,
        };
        Ok(self.connector.connect(Credential { user_id, secret }))
    }

    /// Records the exchange in the audit log without delaying the call.
    fn record_exchange(&self, subject: &Principal, error: Option<&IdpError>) {
        let Some(log) = self.audit.clone() else {
            return;
        };
        let at = now();
        let mut event = match error {
            None => AuditEvent::success(AuditKind::Exchanged, subject.subject(), at),
            Some(e) => AuditEvent::failure(
                AuditKind::ExchangeFailed,
                subject.subject(),
                at,
                e.to_string(),
            ),
        };
        if let Some(client) = subject.client_id() {
            event = event.with_client(client);
        }
        tokio::spawn(async move { audit::record(&*log, &event).await });
    }

    /// Which Nextcloud user a bearer token acts as: user_oidc may map the
    /// IdP's subject to a hashed or renamed id, so only Nextcloud can say.
    async fn user_id_for(
        &self,
        caller: Option<&Principal>,
        secret: &CredentialSecret,
    ) -> Result<String, CredentialError> {
        let key = caller.map(|c| (c.issuer().to_string(), c.subject().to_string()));
        if let Some(id) = key.as_ref().and_then(|key| {
            self.user_ids
                .lock()
                .expect("user id cache")
                .get(key)
                .cloned()
        }) {
            return Ok(id);
        }
        let probe = self.connector.connect(Credential {
            user_id: String::new(),
            secret: secret.clone(),
        });
        let id = probe
            .current_user_id()
            .await
            .map_err(CredentialError::UserLookup)?;
        if let Some(key) = key {
            let mut cache = self.user_ids.lock().expect("user id cache");
            if cache.len() >= USER_ID_CACHE_LIMIT {
                cache.clear();
            }
            cache.insert(key, id.clone());
        }
        Ok(id)
    }
}
