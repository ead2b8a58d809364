//! Shared deployments: every replica keeps its state in one PostgreSQL.
//!
//! Built without TLS (sqlx `tls-none`): connect over loopback, a Unix socket
//! or a private network. `sslmode=require` in the URL fails with a clear error.

use std::str::FromStr as _;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection as _, PgConnection, PgPool};

use super::app_password_sql::impl_app_password_store;
use super::common::{self, Sealer};
use super::crypto::{Keyring, Purpose};
use super::errors;
use super::index_sql::{self, impl_search_index};
use super::lease_sql;
use super::pgvector::PgVector;
use super::sql_impl::impl_sql_store;
use super::vector_sql::{self, impl_vector_index};
use crate::domain::audit::AuditEvent;
use crate::domain::consent::PendingConsent;
use crate::domain::time::UnixTime;
use secrecy::SecretString;

use crate::ports::store::{
    ClaimTerms, ClaimedGrant, GrantState, NewWebhook, ProvisionedUser, RefreshGrant, ResealReport,
    StoreError, WebhookRegistration, WebhookStatus,
};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

pub struct PostgresStore {
    pool: PgPool,
    sealer: Sealer,
    shown: String,
    pgvector: PgVector,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("database", &self.shown)
            .field("sealer", &self.sealer)
            .finish()
    }
}

impl PostgresStore {
    /// Connects to `url` (`postgres://` or `postgresql://`) and migrates the
    /// schema. Concurrent replicas are safe: sqlx serialises migrations with an
    /// advisory lock.
    pub async fn open(url: &str, keyring: Option<Keyring>) -> Result<Self, StoreError> {
        let shown = redact_url(url);
        let cannot = |why: String| {
            StoreError::Unavailable(format!("cannot connect to PostgreSQL at {shown}: {why}"))
        };
        let options = PgConnectOptions::from_str(url)
            .map_err(|_| cannot("the URL is not a valid PostgreSQL connection URL".into()))?
            .application_name("nextcloud-mcp");
        // One direct attempt first: the pool would retry until its timeout,
        // and at start-up a clear error now beats a slow one later.
        let probe = match PgConnection::connect_with(&options).await {
            Ok(probe) => probe,
            Err(e) => return Err(cannot(connect_failure(&options, &e).await)),
        };
        probe.close().await.ok();
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(15))
            .connect_with(options)
            .await
            .map_err(|e| cannot(errors::db_reason(&e)))?;
        MIGRATOR.run(&pool).await.map_err(|e| {
            StoreError::Migration(format!(
                "PostgreSQL at {shown}: {}",
                errors::migrate_error(&e)
            ))
        })?;
        Ok(PostgresStore {
            pool,
            sealer: Sealer(keyring),
            shown,
            pgvector: PgVector::default(),
        })
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    async fn prepare_native(
        &self,
        dimensions: usize,
    ) -> Result<crate::domain::index::vectors::VectorEngine, StoreError> {
        self.pgvector.prepare(&self.pool, dimensions).await
    }

    async fn put_native(
        &self,
        owner: &str,
        app: crate::domain::index::DocApp,
        model: &str,
        vectors: &[(String, Vec<f32>)],
    ) -> Result<Option<u64>, StoreError> {
        self.pgvector
            .put_batch(&self.pool, owner, app, model, vectors)
            .await
            .map(Some)
    }

    async fn search_native(
        &self,
        owner: &str,
        model: &str,
        vector: &[f32],
        query: &crate::domain::index::IndexQuery,
    ) -> Result<Option<Vec<crate::domain::index::IndexHit>>, StoreError> {
        self.pgvector
            .search(&self.pool, owner, model, vector, query)
            .await
    }
}

/// Why the first connection failed; a host name that names nothing is said
/// as such, since the I/O error's own text ("failed to lookup address
/// information") does not tell an operator which setting to fix.
async fn connect_failure(options: &PgConnectOptions, error: &sqlx::Error) -> String {
    let host = options.get_host();
    // A host starting with '/' is a Unix socket folder: nothing to resolve.
    if matches!(error, sqlx::Error::Io(_))
        && !host.starts_with('/')
        && crate::adapters::dns::does_not_resolve(host, options.get_port()).await
    {
        return format!("cannot resolve host {host}");
    }
    errors::db_reason(error)
}

/// `host:port/database` only: a connection URL may carry a password.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => format!(
            "{}:{}{}",
            u.host_str().unwrap_or("localhost"),
            u.port().unwrap_or(5432),
            u.path()
        ),
        Err(_) => "(unparsable URL)".into(),
    }
}

impl_sql_store!(PostgresStore);
impl_search_index!(
    PostgresStore,
    index_sql::POSTGRES_SEARCH,
    index_sql::tsquery_all,
    index_sql::tsquery_any
);
impl_vector_index!(PostgresStore, vector_sql::PG_OWNER_VECTORS);
impl_app_password_store!(PostgresStore);
