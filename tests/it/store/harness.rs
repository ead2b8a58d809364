//! Backends for the store contract suite: a SQLite file in a temp dir, or a
//! fresh database in the PostgreSQL named by NEXTCLOUD_MCP_TEST_POSTGRES_URL.
//! Raw access (bytes as stored) goes through a separate sqlx connection.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use nextcloud_mcp::adapters::store::{Keyring, SealingKey, open_store};
use nextcloud_mcp::ports::store::Store;
use sqlx::Connection as _;

pub const PG_URL_ENV: &str = "NEXTCLOUD_MCP_TEST_POSTGRES_URL";
pub const LIVE_ENV: &str = "NEXTCLOUD_MCP_LIVE_TESTS";

pub enum Backend {
    Sqlite {
        _dir: tempfile::TempDir,
        path: PathBuf,
    },
    Postgres {
        admin_url: String,
        db_name: String,
        url: String,
    },
}

pub struct Harness {
    pub backend: Backend,
}

pub fn keyring(version: u32, key: &SealingKey) -> Keyring {
    Keyring::new(version, key.clone())
}

impl Harness {
    pub fn sqlite() -> Harness {
        let dir = tempfile::tempdir().expect("temp dir");
        // A nested folder checks that the parent is created on first open.
        let path = dir.path().join("state").join("nextcloud-mcp.db");
        Harness {
            backend: Backend::Sqlite { _dir: dir, path },
        }
    }

    /// `None` (after saying so) when no PostgreSQL is configured and live
    /// tests are not required; a panic when they are.
    pub async fn postgres() -> Option<Harness> {
        let admin_url = match std::env::var(PG_URL_ENV) {
            Ok(url) if !url.trim().is_empty() => url,
            _ => {
                if std::env::var(LIVE_ENV).as_deref() == Ok("1") {
                    panic!(
                        "{LIVE_ENV}=1 but {PG_URL_ENV} is not set: start PostgreSQL with \
                         `eval \"$(scripts/live/postgres.sh start)\"` (scripts/test.sh does this)"
                    );
                }
                eprintln!("postgres tests skipped: run scripts/test.sh");
                return None;
            }
        };
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let db_name = format!(
            "nmcp_test_{}_{}_{}",
            std::process::id(),
            nanos % 1_000_000_000,
            COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        let mut admin = sqlx::PgConnection::connect(&admin_url)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to {PG_URL_ENV}: {e}"));
        sqlx::query(&format!("CREATE DATABASE {db_name}"))
            .execute(&mut admin)
            .await
            .expect("create test database");
        admin.close().await.ok();
        let mut url = url::Url::parse(&admin_url).expect("postgres URL");
        url.set_path(&format!("/{db_name}"));
        Some(Harness {
            backend: Backend::Postgres {
                admin_url,
                db_name,
                url: url.to_string(),
            },
        })
    }

    pub fn location(&self) -> String {
        match &self.backend {
            Backend::Sqlite { path, .. } => path.display().to_string(),
            Backend::Postgres { url, .. } => url.clone(),
        }
    }

    pub async fn open(&self, keyring: Option<Keyring>) -> Arc<dyn Store> {
        open_store(&self.location(), keyring)
            .await
            .unwrap_or_else(|e| panic!("open store: {e}"))
    }

    /// Runs `sql` (with `$1`.. bound to `text` args) on a raw connection.
    pub async fn raw_exec(&self, sql: &str, bytes: Option<&[u8]>, text: &[&str]) {
        macro_rules! run {
            ($conn:expr) => {{
                let mut q = sqlx::query(sql);
                if let Some(b) = bytes {
                    q = q.bind(b.to_vec());
                }
                for t in text {
                    q = q.bind(t.to_string());
                }
                q.execute(&mut $conn).await.expect("raw statement");
            }};
        }
        match &self.backend {
            Backend::Sqlite { path, .. } => {
                let mut c =
                    sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
                        .await
                        .expect("raw sqlite");
                run!(c);
                c.close().await.ok();
            }
            Backend::Postgres { url, .. } => {
                let mut c = sqlx::PgConnection::connect(url).await.expect("raw pg");
                run!(c);
                c.close().await.ok();
            }
        }
    }

    /// The sealed bytes of (subject, provider) as stored.
    pub async fn raw_sealed(&self, subject: &str, provider: &str) -> Vec<u8> {
        let sql = "SELECT sealed FROM refresh_tokens WHERE subject = $1 AND provider = $2";
        match &self.backend {
            Backend::Sqlite { path, .. } => {
                let mut c =
                    sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
                        .await
                        .expect("raw sqlite");
                let (b,): (Vec<u8>,) = sqlx::query_as(sql)
                    .bind(subject)
                    .bind(provider)
                    .fetch_one(&mut c)
                    .await
                    .expect("raw row");
                c.close().await.ok();
                b
            }
            Backend::Postgres { url, .. } => {
                let mut c = sqlx::PgConnection::connect(url).await.expect("raw pg");
                let (b,): (Vec<u8>,) = sqlx::query_as(sql)
                    .bind(subject)
                    .bind(provider)
                    .fetch_one(&mut c)
                    .await
                    .expect("raw row");
                c.close().await.ok();
                b
            }
        }
    }

    /// The first column (bytes) of the first row `sql` returns for `key`.
    pub async fn raw_query_bytes(&self, sql: &str, key: &str) -> Vec<u8> {
        match &self.backend {
            Backend::Sqlite { path, .. } => {
                let mut c =
                    sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
                        .await
                        .expect("raw sqlite");
                let (b,): (Vec<u8>,) = sqlx::query_as(sql)
                    .bind(key)
                    .fetch_one(&mut c)
                    .await
                    .expect("raw row");
                c.close().await.ok();
                b
            }
            Backend::Postgres { url, .. } => {
                let mut c = sqlx::PgConnection::connect(url).await.expect("raw pg");
                let (b,): (Vec<u8>,) = sqlx::query_as(sql)
                    .bind(key)
                    .fetch_one(&mut c)
                    .await
                    .expect("raw row");
                c.close().await.ok();
                b
            }
        }
    }

    pub async fn raw_set_sealed(&self, subject: &str, provider: &str, sealed: &[u8]) {
        let sql = "UPDATE refresh_tokens SET sealed = $1 WHERE subject = $2 AND provider = $3";
        self.raw_exec(sql, Some(sealed), &[subject, provider]).await;
    }

    /// Everything an attacker with the storage would see: for SQLite the bytes
    /// of the database file and its WAL; for PostgreSQL every row of every
    /// table as text (bytea shows as hex) plus the sealed columns as raw bytes.
    pub async fn raw_dump(&self) -> Vec<u8> {
        match &self.backend {
            Backend::Sqlite { path, .. } => {
                let mut all = std::fs::read(path).expect("read db file");
                let wal = PathBuf::from(format!("{}-wal", path.display()));
                if let Ok(bytes) = std::fs::read(wal) {
                    all.extend(bytes);
                }
                all
            }
            Backend::Postgres { url, .. } => {
                let mut c = sqlx::PgConnection::connect(url).await.expect("raw pg");
                let mut all = Vec::new();
                for table in [
                    "refresh_tokens",
                    "pending_consents",
                    "audit_events",
                    "app_passwords",
                    "login_flows",
                ] {
                    let rows: Vec<(String,)> =
                        sqlx::query_as(&format!("SELECT t::text FROM {table} t"))
                            .fetch_all(&mut c)
                            .await
                            .expect("dump rows");
                    for (r,) in rows {
                        all.extend(r.into_bytes());
                    }
                }
                for table in [
                    "refresh_tokens",
                    "pending_consents",
                    "app_passwords",
                    "login_flows",
                ] {
                    let rows: Vec<(Vec<u8>, String)> = sqlx::query_as(&format!(
                        "SELECT sealed, encode(sealed, 'escape') FROM {table}"
                    ))
                    .fetch_all(&mut c)
                    .await
                    .expect("dump sealed");
                    for (b, escaped) in rows {
                        all.extend(b);
                        all.extend(escaped.into_bytes());
                    }
                }
                c.close().await.ok();
                all
            }
        }
    }

    /// PostgreSQL only: how many scans the statistics count for the index
    /// named, waiting (up to 20 s) for a positive count. A backend reports
    /// its counts when it next goes idle, at most once a second and at the
    /// latest 10 s later; the store's pool keeps its connections open.
    pub async fn index_scans(&self, index: &str) -> Option<i64> {
        let Backend::Postgres { url, .. } = &self.backend else {
            return None;
        };
        let mut c = sqlx::PgConnection::connect(url).await.expect("raw pg");
        let mut scans = 0;
        for _ in 0..40 {
            let row: Option<(i64,)> =
                sqlx::query_as("SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = $1")
                    .bind(index)
                    .fetch_optional(&mut c)
                    .await
                    .expect("index statistics");
            scans = row.map_or(0, |(n,)| n);
            if scans > 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
        c.close().await.ok();
        Some(scans)
    }

    /// Drops the PostgreSQL test database (best effort); SQLite's temp dir
    /// goes with the harness.
    pub async fn cleanup(self) {
        if let Backend::Postgres {
            admin_url, db_name, ..
        } = &self.backend
            && let Ok(mut admin) = sqlx::PgConnection::connect(admin_url).await
        {
            let sql = format!("DROP DATABASE IF EXISTS {db_name} WITH (FORCE)");
            if let Err(e) = sqlx::query(&sql).execute(&mut admin).await {
                eprintln!("could not drop {db_name}: {e}");
            }
            admin.close().await.ok();
        }
    }
}
