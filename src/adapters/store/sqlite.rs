//! The embedded default: one SQLite file, created on first open, in WAL mode.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use super::app_password_sql::impl_app_password_store;
use super::common::{self, Sealer};
use super::crypto::{Keyring, Purpose};
use super::errors;
use super::index_sql::{self, impl_search_index};
use super::lease_sql;
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

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// How many times opening the store runs the migrations before it gives up.
/// SQLite has no migration lock: processes opening one new file at once race
/// to create the same tables, and the losers fail. Each migration runs in a
/// transaction, so a loser's is rolled back and a new run finds the winner's
/// work applied.
const MIGRATION_RUNS: u64 = 5;

async fn migrate(pool: &SqlitePool) -> Result<(), sqlx::migrate::MigrateError> {
    use sqlx::migrate::MigrateError;
    let mut run = 1;
    loop {
        match MIGRATOR.run(pool).await {
            Err(MigrateError::Execute(_) | MigrateError::ExecuteMigration(..))
                if run < MIGRATION_RUNS =>
            {
                tokio::time::sleep(Duration::from_millis(100 * run)).await;
                run += 1;
            }
            done => return done,
        }
    }
}

pub struct SqliteStore {
    pool: SqlitePool,
    sealer: Sealer,
    path: PathBuf,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .field("sealer", &self.sealer)
            .finish()
    }
}

impl SqliteStore {
    /// Opens (creating if missing, with its parent folder) the database file at
    /// `path` and brings its schema up to date. A new file is private to the
    /// user running the server (mode 0600 on Unix).
    pub async fn open(path: &Path, keyring: Option<Keyring>) -> Result<Self, StoreError> {
        let shown = path.display().to_string();
        let cannot = |why: String| {
            StoreError::Unavailable(format!("cannot open the SQLite database {shown}: {why}"))
        };
        create_private_file(path).map_err(|e| cannot(e.to_string()))?;
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true)
            // Sorts, statement journals and the FTS rebuild of a migration
            // would otherwise open temporary files in /var/tmp, /usr/tmp or
            // /tmp; on a read-only root file system (the container image run
            // with --read-only, systemd's ProtectSystem=strict) none of them
            // is writable and every migration fails with "disk I/O error".
            // The store's own folder is the only place known writable, and
            // what SQLite keeps in memory instead is bounded by the queries.
            .pragma("temp_store", "memory");
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(15))
            .connect_with(options)
            .await
            .map_err(|e| cannot(errors::db_reason(&e)))?;
        migrate(&pool).await.map_err(|e| {
            StoreError::Migration(format!(
                "SQLite database {shown}: {}",
                errors::migrate_error(&e)
            ))
        })?;
        Ok(SqliteStore {
            pool,
            sealer: Sealer(keyring),
            path: path.to_owned(),
        })
    }

    /// `sqlite://PATH`, `sqlite:PATH` or a plain path.
    pub fn path_from_location(location: &str) -> PathBuf {
        let rest = location
            .strip_prefix("sqlite://")
            .or_else(|| location.strip_prefix("sqlite:"))
            .unwrap_or(location);
        let rest = rest.split_once('?').map_or(rest, |(p, _)| p);
        PathBuf::from(rest)
    }

    /// Closes every connection; the file stays.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    // SQLite has no vector search of its own: vectors are compared in the
    // process, over one owner's rows.
    async fn prepare_native(
        &self,
        _dimensions: usize,
    ) -> Result<crate::domain::index::vectors::VectorEngine, StoreError> {
        Ok(crate::domain::index::vectors::VectorEngine::InProcess)
    }

    async fn put_native(
        &self,
        _owner: &str,
        _app: crate::domain::index::DocApp,
        _model: &str,
        _vectors: &[(String, Vec<f32>)],
    ) -> Result<Option<u64>, StoreError> {
        Ok(None)
    }

    async fn search_native(
        &self,
        _owner: &str,
        _model: &str,
        _vector: &[f32],
        _query: &crate::domain::index::IndexQuery,
    ) -> Result<Option<Vec<crate::domain::index::IndexHit>>, StoreError> {
        Ok(None)
    }
}

/// Creates the file (and parent folders) if it does not exist yet, so that
/// SQLite opens a file we created with private permissions.
fn create_private_file(path: &Path) -> std::io::Result<()> {
    if path.exists() {
        return Ok(());
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

impl_sql_store!(SqliteStore);
impl_search_index!(
    SqliteStore,
    index_sql::SQLITE_SEARCH,
    index_sql::fts5_all,
    index_sql::fts5_any
);
impl_vector_index!(SqliteStore, vector_sql::OWNER_VECTORS);
impl_app_password_store!(SqliteStore);

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_connection_keeps_temporary_data_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("store.db"), None)
            .await
            .unwrap();
        // Hold several connections at once so more than the first is asked.
        let mut held = Vec::new();
        for _ in 0..3 {
            let mut conn = store.pool.acquire().await.unwrap();
            let mode: i64 = sqlx::query_scalar("PRAGMA temp_store")
                .fetch_one(&mut *conn)
                .await
                .unwrap();
            assert_eq!(mode, 2, "temp_store must be MEMORY (2)");
            held.push(conn);
        }
    }
}
