//! Durable state behind the `TokenStore` and `WebhookStore` ports: SQLite by
//! default, PostgreSQL for shared deployments. See docs/adr/0003-storage.md.

mod app_password_sql;
mod common;
pub mod crypto;
mod errors;
mod index_sql;
mod lease_sql;
mod pgvector;
pub mod postgres;
mod sql_impl;
pub mod sqlite;
mod vector_sql;

#[cfg(test)]
mod crypto_tests;

use std::path::PathBuf;
use std::sync::Arc;

pub use crypto::{KeyError, Keyring, SealingKey};

use crate::ports::store::{Store, StoreError};

/// Where the state lives, decided from the configured location.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreLocation {
    Sqlite(PathBuf),
    /// The full URL (it may hold a password: never print it, see `postgres::redact_url`).
    Postgres(String),
}

impl StoreLocation {
    /// `postgres://` or `postgresql://` -> PostgreSQL; `sqlite://PATH`,
    /// `sqlite:PATH` or a plain path -> SQLite. Other schemes are refused.
    pub fn parse(location: &str) -> Result<Self, StoreError> {
        let location = location.trim();
        let lower = location.to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            return Ok(StoreLocation::Postgres(location.to_owned()));
        }
        if lower.starts_with("sqlite:") {
            let path = sqlite::SqliteStore::path_from_location(location);
            return non_empty(path);
        }
        if let Some((scheme, _)) = location.split_once("://") {
            return Err(StoreError::Unavailable(format!(
                "unsupported store scheme {scheme:?}: use a file path, sqlite://PATH or postgres://..."
            )));
        }
        non_empty(PathBuf::from(location))
    }
}

fn non_empty(path: PathBuf) -> Result<StoreLocation, StoreError> {
    if path.as_os_str().is_empty() {
        return Err(StoreError::Unavailable(
            "the store location is empty".into(),
        ));
    }
    Ok(StoreLocation::Sqlite(path))
}

/// Opens (creating and migrating as needed) the store at `location`.
/// `keyring` may be `None` when no feature needs refresh tokens: token
/// operations then fail with `StoreError::KeyMissing`, webhooks still work.
pub async fn open_store(
    location: &str,
    keyring: Option<Keyring>,
) -> Result<Arc<dyn Store>, StoreError> {
    Ok(match StoreLocation::parse(location)? {
        StoreLocation::Sqlite(path) => Arc::new(sqlite::SqliteStore::open(&path, keyring).await?),
        StoreLocation::Postgres(url) => {
            Arc::new(postgres::PostgresStore::open(&url, keyring).await?)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_table() {
        let sqlite = |p: &str| Ok(StoreLocation::Sqlite(PathBuf::from(p)));
        let pg = |u: &str| Ok(StoreLocation::Postgres(u.to_owned()));
        let rows: Vec<(&str, Result<StoreLocation, ()>)> = vec![
            ("postgres://u:p@h/db", pg("postgres://u:p@h/db")),
            ("postgresql://h:5433/db", pg("postgresql://h:5433/db")),
            ("POSTGRES://h/db", pg("POSTGRES://h/db")),
            (
                "sqlite:///var/lib/mcp/state.db",
                sqlite("/var/lib/mcp/state.db"),
            ),
            ("sqlite://state.db?mode=rwc", sqlite("state.db")),
            ("sqlite:state.db", sqlite("state.db")),
            ("/var/lib/mcp/state.db", sqlite("/var/lib/mcp/state.db")),
            ("./data/state.db", sqlite("./data/state.db")),
            ("mysql://h/db", Err(())),
            ("", Err(())),
            ("sqlite://", Err(())),
        ];
        for (input, want) in rows {
            assert_eq!(
                StoreLocation::parse(input).map_err(|_| ()),
                want,
                "{input:?}"
            );
        }
    }

    #[test]
    fn redacted_url_hides_credentials() {
        let shown =
            postgres::redact_url("postgres://admin:hunter2@db.internal:6543/mcp?sslmode=disable");
        assert_eq!(shown, "db.internal:6543/mcp");
        assert_eq!(postgres::redact_url("nonsense"), "(unparsable URL)");
    }
}
