//! What the SQLite and Postgres adapters share: the SQL text (both accept
//! `$N` placeholders, BIGINT/INTEGER as i64, BLOB/BYTEA as bytes), the row
//! conversions and sealing with row binding.

use secrecy::SecretString;

use super::crypto::{Binding, Keyring, Purpose, SealError, Sealed};
pub(crate) use super::errors::db_error;
use crate::domain::audit::{AuditEvent, AuditKind, AuditOutcome};
use crate::domain::consent::PendingConsent;
use crate::domain::time::UnixTime;
use crate::ports::store::{
    ProvisionedUser, RefreshGrant, StoreError, WebhookRegistration, WebhookStatus,
};

pub(crate) const UPSERT_GRANT: &str = "INSERT INTO refresh_tokens \
    (subject, provider, sealed, key_version, scopes, granted_at, refreshed_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $6) \
    ON CONFLICT (subject, provider) DO UPDATE SET sealed = excluded.sealed, \
    key_version = excluded.key_version, scopes = excluded.scopes, granted_at = excluded.granted_at, \
    version = refresh_tokens.version + 1, refreshed_at = excluded.granted_at, lease_until = 0, \
    needs_consent_since = NULL";
pub(crate) const GET_GRANT: &str = "SELECT subject, provider, sealed, key_version, scopes, granted_at \
    FROM refresh_tokens WHERE subject = $1 AND provider = $2";
pub(crate) const DELETE_GRANT: &str =
    "DELETE FROM refresh_tokens WHERE subject = $1 AND provider = $2";
pub(crate) const LIST_PROVISIONED: &str = "SELECT subject, provider, scopes, granted_at, key_version, \
    refreshed_at, needs_consent_since \
    FROM refresh_tokens ORDER BY subject, provider";
pub(crate) const STALE_GRANTS: &str = "SELECT subject, provider, sealed, key_version \
    FROM refresh_tokens WHERE key_version <> $1";
/// Rewrites only if nobody replaced the row meanwhile.
pub(crate) const RESEAL_GRANT: &str = "UPDATE refresh_tokens SET sealed = $1, key_version = $2 \
    WHERE subject = $3 AND provider = $4 AND key_version = $5 AND sealed = $6";

pub(crate) const INSERT_PENDING: &str = "INSERT INTO pending_consents \
    (state, subject, provider, sealed, key_version, scopes, expires_at, client_id) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
/// An earlier link of the same person stops working when a new one is made.
pub(crate) const REPLACE_PENDING_OF: &str =
    "DELETE FROM pending_consents WHERE subject = $1 AND provider = $2";
pub(crate) const TAKE_PENDING: &str = "DELETE FROM pending_consents WHERE state = $1 \
    RETURNING state, subject, provider, sealed, key_version, scopes, expires_at, client_id";
pub(crate) const PURGE_PENDING: &str = "DELETE FROM pending_consents WHERE expires_at <= $1";
pub(crate) const STALE_PENDING: &str = "SELECT state, subject, provider, sealed, key_version \
    FROM pending_consents WHERE key_version <> $1";
pub(crate) const RESEAL_PENDING: &str = "UPDATE pending_consents SET sealed = $1, key_version = $2 \
    WHERE state = $3 AND key_version = $4 AND sealed = $5";

pub(crate) const INSERT_AUDIT: &str = "INSERT INTO audit_events \
    (kind, subject, client_id, at, outcome, reason) VALUES ($1, $2, $3, $4, $5, $6)";
pub(crate) const RECENT_AUDIT: &str = "SELECT kind, subject, client_id, at, outcome, reason \
    FROM audit_events WHERE ($1 IS NULL OR subject = $1) ORDER BY at DESC, id DESC LIMIT $2";

pub(crate) const INSERT_WEBHOOK: &str = "INSERT INTO webhook_registrations \
    (nextcloud_id, event, filter, uri, created_at, status) VALUES (NULL, $1, $2, $3, $4, $5) \
    RETURNING id";
pub(crate) const UPDATE_WEBHOOK: &str = "UPDATE webhook_registrations \
    SET status = $1, nextcloud_id = $2, lease_until = 0 WHERE id = $3";
pub(crate) const LIST_WEBHOOKS: &str = "SELECT id, nextcloud_id, event, filter, uri, created_at, status \
    FROM webhook_registrations ORDER BY id";
pub(crate) const DELETE_WEBHOOK: &str = "DELETE FROM webhook_registrations WHERE id = $1";

pub(crate) type GrantRow = (String, String, Vec<u8>, i64, String, i64);
pub(crate) type ProvisionedRow = (String, String, String, i64, i64, i64, Option<i64>);
pub(crate) type StaleGrantRow = (String, String, Vec<u8>, i64);
pub(crate) type PendingRow = (
    String,
    String,
    String,
    Vec<u8>,
    i64,
    String,
    i64,
    Option<String>,
);
pub(crate) type StalePendingRow = (String, String, String, Vec<u8>, i64);
pub(crate) type AuditRow = (String, String, Option<String>, i64, String, Option<String>);
pub(crate) type WebhookRow = (i64, Option<i64>, String, String, String, i64, String);

/// Seals and opens with the row's binding; a store without a key still
/// serves webhooks and the audit trail.
#[derive(Clone, Debug)]
pub(crate) struct Sealer(pub(crate) Option<Keyring>);

impl Sealer {
    pub(crate) fn keyring(&self) -> Result<&Keyring, StoreError> {
        self.0.as_ref().ok_or(StoreError::KeyMissing)
    }

    pub(crate) fn seal(
        &self,
        purpose: Purpose,
        subject: &str,
        provider: &str,
        secret: &SecretString,
    ) -> Result<(Vec<u8>, i64), StoreError> {
        let binding = Binding {
            purpose,
            subject,
            provider,
        };
        let Sealed { key_version, bytes } = self
            .keyring()?
            .seal(binding, secret)
            .map_err(|e| StoreError::Seal(e.to_string()))?;
        Ok((bytes, i64::from(key_version)))
    }

    pub(crate) fn open(
        &self,
        purpose: Purpose,
        subject: &str,
        provider: &str,
        key_version: i64,
        sealed: &[u8],
    ) -> Result<SecretString, StoreError> {
        let binding = Binding {
            purpose,
            subject,
            provider,
        };
        let cannot_open = |e: SealError| StoreError::CannotOpen {
            what: match purpose {
                Purpose::RefreshToken => "refresh token",
                Purpose::PkceVerifier => "PKCE verifier",
                Purpose::AppPassword => "app password",
                Purpose::LoginFlowPollToken => "login flow poll token",
            },
            subject: subject.to_owned(),
            provider: provider.to_owned(),
            reason: e.to_string(),
        };
        let version = u32::try_from(key_version)
            .map_err(|_| StoreError::Corrupt(format!("key version {key_version} out of range")))?;
        self.keyring()?
            .open(binding, version, sealed)
            .map_err(cannot_open)
    }

    /// Opens `sealed` and seals it again under the current key.
    pub(crate) fn reseal(
        &self,
        purpose: Purpose,
        subject: &str,
        provider: &str,
        key_version: i64,
        sealed: &[u8],
    ) -> Result<(Vec<u8>, i64), StoreError> {
        let plain = self.open(purpose, subject, provider, key_version, sealed)?;
        self.seal(purpose, subject, provider, &plain)
    }
}

pub(crate) fn scopes_to_text(scopes: &[String]) -> String {
    scopes.join(" ")
}

pub(crate) fn scopes_from_text(text: &str) -> Vec<String> {
    text.split_whitespace().map(String::from).collect()
}

pub(crate) fn grant_from_row(sealer: &Sealer, row: GrantRow) -> Result<RefreshGrant, StoreError> {
    let (subject, provider, sealed, key_version, scopes, granted_at) = row;
    let refresh_token = sealer.open(
        Purpose::RefreshToken,
        &subject,
        &provider,
        key_version,
        &sealed,
    )?;
    Ok(RefreshGrant {
        subject,
        provider,
        refresh_token,
        scopes: scopes_from_text(&scopes),
        granted_at: UnixTime(granted_at),
    })
}

pub(crate) fn provisioned_from_row(row: ProvisionedRow) -> Result<ProvisionedUser, StoreError> {
    let (subject, provider, scopes, granted_at, key_version, refreshed_at, needs_consent_since) =
        row;
    Ok(ProvisionedUser {
        refreshed_at: UnixTime(refreshed_at),
        needs_consent_since: needs_consent_since.map(UnixTime),
        key_version: u32::try_from(key_version)
            .map_err(|_| StoreError::Corrupt(format!("key version {key_version} out of range")))?,
        subject,
        provider,
        scopes: scopes_from_text(&scopes),
        granted_at: UnixTime(granted_at),
    })
}

pub(crate) fn pending_from_row(
    sealer: &Sealer,
    row: PendingRow,
) -> Result<PendingConsent, StoreError> {
    let (state, subject, provider, sealed, key_version, scopes, expires_at, client_id) = row;
    let pkce_verifier = sealer.open(
        Purpose::PkceVerifier,
        &subject,
        &provider,
        key_version,
        &sealed,
    )?;
    Ok(PendingConsent {
        subject,
        provider,
        state,
        pkce_verifier,
        scopes: scopes_from_text(&scopes),
        expires_at: UnixTime(expires_at),
        client_id,
    })
}

pub(crate) fn audit_from_row(row: AuditRow) -> Result<AuditEvent, StoreError> {
    let (kind, subject, client_id, at, outcome, reason) = row;
    Ok(AuditEvent {
        kind: AuditKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown audit kind {kind:?}")))?,
        subject,
        client_id,
        at: UnixTime(at),
        outcome: AuditOutcome::from_parts(&outcome, reason)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown audit outcome {outcome:?}")))?,
    })
}

pub(crate) fn webhook_from_row(row: WebhookRow) -> Result<WebhookRegistration, StoreError> {
    let (id, nextcloud_id, event, filter, uri, created_at, status) = row;
    Ok(WebhookRegistration {
        id,
        nextcloud_id,
        event,
        filter: serde_json::from_str(&filter)
            .map_err(|e| StoreError::Corrupt(format!("webhook {id} filter: {e}")))?,
        uri,
        created_at: UnixTime(created_at),
        status: WebhookStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("webhook {id} status {status:?}")))?,
    })
}
