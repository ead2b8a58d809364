//! Connected accounts and pending login flows (login-flow mode), written once
//! for both sqlx drivers like `sql_impl`. App passwords and poll tokens are
//! sealed with the row's (subject, provider) and their own purpose.

use secrecy::SecretString;

use super::common::Sealer;
use super::crypto::Purpose;
use crate::domain::login_flow::{
    AccountSummary, ConnectedAccount, ExpectedLogin, PendingLoginFlow,
};
use crate::domain::time::UnixTime;
use crate::ports::store::StoreError;

pub(crate) const UPSERT_ACCOUNT: &str = "INSERT INTO app_passwords \
    (subject, provider, login_name, user_id, sealed, key_version, connected_at, rotated_at, \
    needs_reconnect_since) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, NULL) \
    ON CONFLICT (subject, provider) DO UPDATE SET login_name = excluded.login_name, \
    user_id = excluded.user_id, sealed = excluded.sealed, key_version = excluded.key_version, \
    connected_at = excluded.connected_at, rotated_at = excluded.rotated_at, \
    needs_reconnect_since = NULL";
pub(crate) const GET_ACCOUNT: &str = "SELECT subject, provider, login_name, user_id, sealed, \
    key_version, connected_at, needs_reconnect_since \
    FROM app_passwords WHERE subject = $1 AND provider = $2";
pub(crate) const DELETE_ACCOUNT: &str =
    "DELETE FROM app_passwords WHERE subject = $1 AND provider = $2";
/// Compare-and-set on the sealed bytes read before: a reconnect or rotation
/// in between changes them.
pub(crate) const MARK_RECONNECT: &str = "UPDATE app_passwords SET needs_reconnect_since = $1 \
    WHERE subject = $2 AND provider = $3 AND sealed = $4";
pub(crate) const ROTATE_ACCOUNT: &str = "UPDATE app_passwords SET sealed = $1, key_version = $2, \
    rotated_at = $3 WHERE subject = $4 AND provider = $5 AND sealed = $6";
pub(crate) const LIST_ACCOUNTS: &str = "SELECT subject, provider, login_name, user_id, \
    connected_at, rotated_at, key_version, needs_reconnect_since \
    FROM app_passwords ORDER BY subject, provider";

pub(crate) const UPSERT_FLOW: &str = "INSERT INTO login_flows \
    (subject, provider, sealed, key_version, expected_login, expected_source, expires_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7) \
    ON CONFLICT (subject, provider) DO UPDATE SET sealed = excluded.sealed, \
    key_version = excluded.key_version, expected_login = excluded.expected_login, \
    expected_source = excluded.expected_source, expires_at = excluded.expires_at";
pub(crate) const GET_FLOW: &str = "SELECT subject, provider, sealed, key_version, expected_login, \
    expected_source, expires_at FROM login_flows WHERE subject = $1 AND provider = $2";
pub(crate) const FINISH_FLOW: &str =
    "DELETE FROM login_flows WHERE subject = $1 AND provider = $2 AND expires_at = $3";
pub(crate) const OPEN_FLOWS: &str = "SELECT subject, provider, sealed, key_version, expected_login, \
    expected_source, expires_at FROM login_flows WHERE expires_at > $1 ORDER BY subject, provider";
pub(crate) const PURGE_FLOWS: &str = "DELETE FROM login_flows WHERE expires_at <= $1";

/// `admin reseal`: app passwords and poll tokens under an older key, and
/// their compare-and-set rewrites (same shape as the refresh tokens').
pub(crate) const STALE_ACCOUNTS: &str = "SELECT subject, provider, sealed, key_version \
    FROM app_passwords WHERE key_version <> $1";
pub(crate) const RESEAL_ACCOUNT: &str = "UPDATE app_passwords SET sealed = $1, key_version = $2 \
    WHERE subject = $3 AND provider = $4 AND key_version = $5 AND sealed = $6";
pub(crate) const STALE_FLOWS: &str = "SELECT subject, provider, sealed, key_version \
    FROM login_flows WHERE key_version <> $1";
pub(crate) const RESEAL_FLOW: &str = "UPDATE login_flows SET sealed = $1, key_version = $2 \
    WHERE subject = $3 AND provider = $4 AND key_version = $5 AND sealed = $6";

pub(crate) type AccountRow = (
    String,
    String,
    String,
    String,
    Vec<u8>,
    i64,
    i64,
    Option<i64>,
);
pub(crate) type SummaryRow = (String, String, String, String, i64, i64, i64, Option<i64>);
pub(crate) type FlowRow = (String, String, Vec<u8>, i64, String, String, i64);

pub(crate) fn account_from_row(
    sealer: &Sealer,
    row: AccountRow,
) -> Result<(ConnectedAccount, Option<UnixTime>), StoreError> {
    let (subject, provider, login_name, user_id, sealed, key_version, connected_at, since) = row;
    let app_password = sealer.open(
        Purpose::AppPassword,
        &subject,
        &provider,
        key_version,
        &sealed,
    )?;
    Ok((
        ConnectedAccount {
            subject,
            provider,
            login_name,
            user_id,
            app_password,
            connected_at: UnixTime(connected_at),
        },
        since.map(UnixTime),
    ))
}

pub(crate) fn summary_from_row(row: SummaryRow) -> Result<AccountSummary, StoreError> {
    let (subject, provider, login_name, user_id, connected_at, rotated_at, key_version, since) =
        row;
    Ok(AccountSummary {
        key_version: u32::try_from(key_version)
            .map_err(|_| StoreError::Corrupt(format!("key version {key_version} out of range")))?,
        subject,
        provider,
        login_name,
        user_id,
        connected_at: UnixTime(connected_at),
        rotated_at: UnixTime(rotated_at),
        needs_reconnect_since: since.map(UnixTime),
    })
}

pub(crate) fn flow_from_row(sealer: &Sealer, row: FlowRow) -> Result<PendingLoginFlow, StoreError> {
    let (subject, provider, sealed, key_version, login, source, expires_at) = row;
    let poll_token: SecretString = sealer.open(
        Purpose::LoginFlowPollToken,
        &subject,
        &provider,
        key_version,
        &sealed,
    )?;
    Ok(PendingLoginFlow {
        subject,
        provider,
        poll_token,
        expected: ExpectedLogin { login, source },
        expires_at: UnixTime(expires_at),
    })
}

macro_rules! impl_app_password_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::ports::login_flow::AppPasswordStore for $store {
            async fn put_account(
                &self,
                account: &$crate::domain::login_flow::ConnectedAccount,
            ) -> Result<(), StoreError> {
                use super::app_password_sql as q;
                let (sealed, version) = self.sealer.seal(
                    Purpose::AppPassword,
                    &account.subject,
                    &account.provider,
                    &account.app_password,
                )?;
                sqlx::query(q::UPSERT_ACCOUNT)
                    .bind(&account.subject)
                    .bind(&account.provider)
                    .bind(&account.login_name)
                    .bind(&account.user_id)
                    .bind(sealed)
                    .bind(version)
                    .bind(account.connected_at.0)
                    .execute(&self.pool)
                    .await
                    .map_err(common::db_error)?;
                Ok(())
            }

            async fn get_account(
                &self,
                subject: &str,
                provider: &str,
            ) -> Result<
                Option<(
                    $crate::domain::login_flow::ConnectedAccount,
                    Option<UnixTime>,
                )>,
                StoreError,
            > {
                use super::app_password_sql as q;
                let row: Option<q::AccountRow> = sqlx::query_as(q::GET_ACCOUNT)
                    .bind(subject)
                    .bind(provider)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(common::db_error)?;
                row.map(|r| q::account_from_row(&self.sealer, r))
                    .transpose()
            }

            async fn delete_account(
                &self,
                subject: &str,
                provider: &str,
            ) -> Result<bool, StoreError> {
                use super::app_password_sql as q;
                let done = sqlx::query(q::DELETE_ACCOUNT)
                    .bind(subject)
                    .bind(provider)
                    .execute(&self.pool)
                    .await
                    .map_err(common::db_error)?;
                Ok(done.rows_affected() > 0)
            }

            async fn mark_needs_reconnect(
                &self,
                subject: &str,
                provider: &str,
                app_password: &SecretString,
                now: UnixTime,
            ) -> Result<bool, StoreError> {
                use super::app_password_sql as q;
                let Some(sealed) = self
                    .sealed_if_holds(subject, provider, app_password)
                    .await?
                else {
                    return Ok(false);
                };
                let done = sqlx::query(q::MARK_RECONNECT)
                    .bind(now.0)
                    .bind(subject)
                    .bind(provider)
                    .bind(sealed)
                    .execute(&self.pool)
                    .await
                    .map_err(common::db_error)?;
                Ok(done.rows_affected() > 0)
            }

            async fn rotate_account(
                &self,
                subject: &str,
                provider: &str,
                from: &SecretString,
                to: &SecretString,
                now: UnixTime,
            ) -> Result<bool, StoreError> {
                use super::app_password_sql as q;
                let Some(old) = self.sealed_if_holds(subject, provider, from).await? else {
                    return Ok(false);
                };
                let (sealed, version) =
                    self.sealer
                        .seal(Purpose::AppPassword, subject, provider, to)?;
                let done = sqlx::query(q::ROTATE_ACCOUNT)
                    .bind(sealed)
                    .bind(version)
                    .bind(now.0)
                    .bind(subject)
                    .bind(provider)
                    .bind(old)
                    .execute(&self.pool)
                    .await
                    .map_err(common::db_error)?;
                Ok(done.rows_affected() > 0)
            }

            async fn list_accounts(
                &self,
            ) -> Result<Vec<$crate::domain::login_flow::AccountSummary>, StoreError> {
                use super::app_password_sql as q;
                let rows: Vec<q::SummaryRow> = sqlx::query_as(q::LIST_ACCOUNTS)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(common::db_error)?;
                rows.into_iter().map(q::summary_from_row).collect()
            }

            async fn save_flow(
                &self,
                flow: &$crate::domain::login_flow::PendingLoginFlow,
            ) -> Result<(), StoreError> {
                use super::app_password_sql as q;
                let (sealed, version) = self.sealer.seal(
                    Purpose::LoginFlowPollToken,
                    &flow.subject,
                    &flow.provider,
                    &flow.poll_token,
                )?;
                sqlx::query(q::UPSERT_FLOW)
                    .bind(&flow.subject)
                    .bind(&flow.provider)
                    .bind(sealed)
                    .bind(version)
                    .bind(&flow.expected.login)
                    .bind(&flow.expected.source)
                    .bind(flow.expires_at.0)
                    .execute(&self.pool)
                    .await
                    .map_err(common::db_error)?;
                Ok(())
            }

            async fn get_flow(
                &self,
                subject: &str,
                provider: &str,
            ) -> Result<Option<$crate::domain::login_flow::PendingLoginFlow>, StoreError> {
                use super::app_password_sql as q;
                let row: Option<q::FlowRow> = sqlx::query_as(q::GET_FLOW)
                    .bind(subject)
                    .bind(provider)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(common::db_error)?;
                row.map(|r| q::flow_from_row(&self.sealer, r)).transpose()
            }

            async fn finish_flow(
                &self,
                subject: &str,
                provider: &str,
                expires_at: UnixTime,
            ) -> Result<bool, StoreError> {
                use super::app_password_sql as q;
                let done = sqlx::query(q::FINISH_FLOW)
                    .bind(subject)
                    .bind(provider)
                    .bind(expires_at.0)
                    .execute(&self.pool)
                    .await
                    .map_err(common::db_error)?;
                Ok(done.rows_affected() > 0)
            }

            async fn open_flows(
                &self,
                now: UnixTime,
            ) -> Result<Vec<$crate::domain::login_flow::PendingLoginFlow>, StoreError> {
                use super::app_password_sql as q;
                let rows: Vec<q::FlowRow> = sqlx::query_as(q::OPEN_FLOWS)
                    .bind(now.0)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(common::db_error)?;
                rows.into_iter()
                    .map(|r| q::flow_from_row(&self.sealer, r))
                    .collect()
            }

            async fn purge_expired_flows(&self, now: UnixTime) -> Result<u64, StoreError> {
                use super::app_password_sql as q;
                let done = sqlx::query(q::PURGE_FLOWS)
                    .bind(now.0)
                    .execute(&self.pool)
                    .await
                    .map_err(common::db_error)?;
                Ok(done.rows_affected())
            }
        }

        impl $store {
            /// The sealed bytes of the account's row if it holds `password`.
            async fn sealed_if_holds(
                &self,
                subject: &str,
                provider: &str,
                password: &SecretString,
            ) -> Result<Option<Vec<u8>>, StoreError> {
                use super::app_password_sql as q;
                use secrecy::ExposeSecret as _;
                let row: Option<q::AccountRow> = sqlx::query_as(q::GET_ACCOUNT)
                    .bind(subject)
                    .bind(provider)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(common::db_error)?;
                let Some(row) = row else { return Ok(None) };
                let sealed = row.4.clone();
                let (account, _) = q::account_from_row(&self.sealer, row)?;
                Ok(
                    (account.app_password.expose_secret() == password.expose_secret())
                        .then_some(sealed),
                )
            }
        }
    };
}

pub(crate) use impl_app_password_store;
