//! The operators' CLI: provisioned users, revocation, key rotation, audit log.
//! Nothing here ever prints a token value.

use std::sync::Arc;

use secrecy::ExposeSecret;

use crate::adapters::idp;
use crate::adapters::store::crypto::SealingKey;
use crate::app::config::{AdminAction, AdminArgs, StoreArgs};
use crate::app::wiring::open_configured_store;
use crate::domain::audit::{AuditEvent, AuditKind, AuditOutcome};
use crate::ports::identity::TokenTypeHint;
use crate::ports::store::Store;
use crate::service::clock::now;

/// The store `serve` would open with the same settings.
async fn open(args: &StoreArgs) -> Result<Arc<dyn Store>, String> {
    let access = args.access().map_err(|e| e.to_string())?;
    open_configured_store(&access)
        .await
        .map_err(|e| e.to_string())
}

/// Runs one admin action; the text goes to stdout.
pub async fn run(args: AdminArgs) -> Result<String, String> {
    let mut out = String::new();
    match args.action {
        AdminAction::GenerateKey { version } => {
            let key = SealingKey::generate().map_err(|e| e.to_string())?;
            out.push_str(&format!("{version}:{}\n", key.to_base64().expose_secret()));
        }
        AdminAction::Users => {
            let store = open(&args.store).await?;
            let users = store.list_provisioned().await.map_err(|e| e.to_string())?;
            out.push_str(&format!("{} provisioned\n", users.len()));
            for u in users {
                out.push_str(&format!(
                    "{}\t{}\tscopes={}\tgranted_at={}\tkey_version={}\tstate={}\n",
                    u.subject,
                    u.provider,
                    u.scopes.join(" "),
                    u.granted_at.0,
                    u.key_version,
                    match u.needs_consent_since {
                        None => "ok".to_string(),
                        Some(since) => format!("needs-consent(refused_at={})", since.0),
                    }
                ));
            }
            let accounts = store.list_accounts().await.map_err(|e| e.to_string())?;
            if !accounts.is_empty() {
                out.push_str(&format!(
                    "{} connected Nextcloud accounts\n",
                    accounts.len()
                ));
            }
            for a in accounts {
                out.push_str(&format!(
                    "{}\t{}\tlogin={}\tuser_id={}\tconnected_at={}\trotated_at={}\tkey_version={}\tstate={}\n",
                    a.subject,
                    a.provider,
                    a.login_name,
                    a.user_id,
                    a.connected_at.0,
                    a.rotated_at.0,
                    a.key_version,
                    match a.needs_reconnect_since {
                        None => "ok".to_string(),
                        Some(since) => format!("needs-reconnect(refused_at={})", since.0),
                    }
                ));
            }
        }
        AdminAction::Revoke { subject, provider } => {
            let store = open(&args.store).await?;
            let identity = match args
                .oauth
                .oidc_client_id
                .as_deref()
                .zip(args.oauth.oidc_discovery_url.as_deref())
            {
                Some((client, discovery)) => {
                    let url = url::Url::parse(discovery)
                        .map_err(|e| format!("OIDC_DISCOVERY_URL is invalid: {e}"))?;
                    let mut config = idp::IdpConfig::new(url, client);
                    config.client_secret = args
                        .oauth
                        .oidc_client_secret
                        .clone()
                        .map(secrecy::SecretString::from);
                    Some(idp::connect(config).await.map_err(|e| e.to_string())?)
                }
                None => None,
            };
            let providers: Vec<String> = match provider {
                Some(p) => vec![p],
                None => store
                    .list_provisioned()
                    .await
                    .map_err(|e| e.to_string())?
                    .into_iter()
                    .filter(|u| u.subject == subject)
                    .map(|u| u.provider)
                    .collect(),
            };
            let account_providers: Vec<String> = store
                .list_accounts()
                .await
                .map_err(|e| e.to_string())?
                .into_iter()
                .filter(|a| a.subject == subject)
                .map(|a| a.provider)
                .collect();
            if providers.is_empty() && account_providers.is_empty() {
                return Err(format!("{subject} has no stored grant"));
            }
            for provider in account_providers {
                out.push_str(
                    &revoke_account(&store, args.nextcloud_host.as_deref(), &subject, &provider)
                        .await?,
                );
            }
            for provider in providers {
                let grant = match &identity {
                    Some(_) => store
                        .get_grant(&subject, &provider)
                        .await
                        .map_err(|e| e.to_string())?,
                    None => None,
                };
                if let (Some(identity), Some(grant)) = (&identity, grant) {
                    match identity
                        .revoke(&grant.refresh_token, TokenTypeHint::RefreshToken)
                        .await
                    {
                        Ok(()) => {
                            out.push_str(&format!("revoked at the IdP: {subject} ({provider})\n"))
                        }
                        Err(e) => out.push_str(&format!(
                            "IdP revocation failed for {subject} ({provider}): {e}\n"
                        )),
                    }
                }
                let deleted = store
                    .delete_grant(&subject, &provider)
                    .await
                    .map_err(|e| e.to_string())?;
                let event = AuditEvent::success(AuditKind::Revoked, &subject, now())
                    .with_client("admin-cli");
                store
                    .append_audit(&event)
                    .await
                    .map_err(|e| e.to_string())?;
                out.push_str(&format!("deleted={deleted}: {subject} ({provider})\n"));
            }
            // The search index holds the user's text: it goes with the grant.
            let documents = store
                .purge_owner(&subject)
                .await
                .map_err(|e| e.to_string())?;
            out.push_str(&format!("index documents removed={documents}: {subject}\n"));
        }
        AdminAction::Reseal => {
            let store = open(&args.store).await?;
            let report = store.reseal_all().await.map_err(|e| e.to_string())?;
            out.push_str(&format!(
                "resealed={} unreadable={}\n",
                report.resealed, report.unreadable
            ));
            if report.unreadable > 0 {
                return Err(format!(
                    "{out}{} rows could not be opened with any configured key; add the key they were sealed with to TOKEN_ENCRYPTION_PREVIOUS_KEYS",
                    report.unreadable
                ));
            }
        }
        AdminAction::Audit { subject, limit } => {
            let store = open(&args.store).await?;
            for event in store
                .recent_audit(subject, limit)
                .await
                .map_err(|e| e.to_string())?
            {
                let outcome = match &event.outcome {
                    AuditOutcome::Success => "success".to_string(),
                    AuditOutcome::Failure(reason) => format!("failure: {reason}"),
                };
                out.push_str(&format!(
                    "{}\t{}\t{}\tclient={}\t{}\n",
                    event.at.0,
                    event.kind.as_str(),
                    event.subject,
                    event.client_id.as_deref().unwrap_or("-"),
                    outcome
                ));
            }
        }
    }
    Ok(out)
}

/// Deletes a connected account here, and its app password at Nextcloud when
/// `nextcloud_host` is given; audited either way.
async fn revoke_account(
    store: &Arc<dyn Store>,
    nextcloud_host: Option<&str>,
    subject: &str,
    provider: &str,
) -> Result<String, String> {
    use crate::ports::login_flow::LoginFlowApi;
    let mut out = String::new();
    let account = store
        .get_account(subject, provider)
        .await
        .map_err(|e| e.to_string())?;
    let mut event = AuditEvent::success(AuditKind::Revoked, subject, now());
    match (nextcloud_host.filter(|h| !h.trim().is_empty()), &account) {
        (Some(host), Some((account, _))) => {
            let url = url::Url::parse(host.trim())
                .map_err(|e| format!("NEXTCLOUD_HOST is invalid: {e}"))?;
            let nextcloud =
                crate::adapters::nextcloud::HttpNextcloud::new(url, std::time::Duration::from_secs(30))
                    .map_err(|e| e.to_string())?;
            match nextcloud
                .delete_app_password(&account.login_name, &account.app_password)
                .await
            {
                Ok(()) | Err(crate::ports::nextcloud::NextcloudError::CredentialRejected) => out
                    .push_str(&format!(
                        "app password deleted at Nextcloud: {subject} ({provider})\n"
                    )),
                Err(e) => {
                    out.push_str(&format!(
                        "Nextcloud could not delete the app password of {subject} ({provider}): {e}\n"
                    ));
                    event = AuditEvent::failure(
                        AuditKind::Revoked,
                        subject,
                        now(),
                        format!("deleted here; Nextcloud could not delete the app password: {e}"),
                    );
                }
            }
        }
        (None, Some(_)) => out.push_str(&format!(
            "app password of {subject} ({provider}) left at Nextcloud (set NEXTCLOUD_HOST to delete it there)\n"
        )),
        _ => {}
    }
    let deleted = store
        .delete_account(subject, provider)
        .await
        .map_err(|e| e.to_string())?;
    store
        .append_audit(&event.with_client("admin-cli"))
        .await
        .map_err(|e| e.to_string())?;
    out.push_str(&format!(
        "connected account deleted={deleted}: {subject} ({provider})\n"
    ));
    Ok(out)
}
