//! Driver errors in words a person can act on: no bound values, no SQLSTATE
//! or SQLite result codes, no "os error N", and each phrase said once (the
//! open paths wrap these reasons in their own "cannot connect ..." line).

use std::io::ErrorKind;

use crate::ports::store::StoreError;

/// Maps a driver error to a store error.
pub(crate) fn db_error(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(format!(
            "a row with the same key ({})",
            db.constraint().unwrap_or("unique key")
        )),
        sqlx::Error::ColumnDecode { index, .. } => {
            StoreError::Corrupt(format!("column {index} has an unexpected type"))
        }
        other => StoreError::Unavailable(db_reason(other)),
    }
}

/// Why the database could not be used, without the "unavailable" wrapper.
pub(crate) fn db_reason(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Database(db) => database_reason(db.code().as_deref(), db.message()),
        sqlx::Error::PoolTimedOut => "timed out waiting for a connection".into(),
        sqlx::Error::PoolClosed => "the connection pool is closed".into(),
        sqlx::Error::Io(io) => io_reason(io),
        sqlx::Error::Tls(_) => "the TLS handshake with the database failed".into(),
        // Its text may quote the connection string, password included.
        sqlx::Error::Configuration(_) => "the database connection settings are invalid".into(),
        sqlx::Error::Protocol(_) => {
            "the database answered something the driver does not understand".into()
        }
        sqlx::Error::RowNotFound => "a row that should exist is missing".into(),
        other => other.to_string(),
    }
}

/// The server's own message (a database error's Display in sqlx is the
/// message with no parameters and no detail line), with the code turned
/// into advice where the code is what tells an operator what to do.
fn database_reason(code: Option<&str>, message: &str) -> String {
    match code {
        // Class 28: invalid authorization (wrong password, no such role).
        Some(c) if c.len() == 5 && c.starts_with("28") => {
            format!("the database refused the login: {message}; check the user and password")
        }
        Some("3D000") => format!("{message}; create it or fix the database name"),
        Some("53300") => format!("the database has no free connection: {message}"),
        Some("57P03") => format!("the database is starting or shutting down: {message}"),
        _ => message.to_string(),
    }
}

fn io_reason(io: &std::io::Error) -> String {
    match io.kind() {
        ErrorKind::ConnectionRefused => {
            "the connection was refused (is the database running and listening there?)".into()
        }
        ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted | ErrorKind::BrokenPipe => {
            "the database closed the connection".into()
        }
        ErrorKind::TimedOut => "the database did not answer in time".into(),
        ErrorKind::PermissionDenied => "permission denied".into(),
        ErrorKind::NotFound => "not found".into(),
        _ => without_os_code(&io.to_string()),
    }
}

/// "Host is unreachable (os error 113)" -> "Host is unreachable".
fn without_os_code(text: &str) -> String {
    match text.rfind(" (os error ") {
        Some(at) if text.ends_with(')') => text[..at].to_string(),
        _ => text.to_string(),
    }
}

pub(crate) fn migrate_error(e: &sqlx::migrate::MigrateError) -> String {
    match e {
        sqlx::migrate::MigrateError::Execute(inner) => db_reason(inner),
        sqlx::migrate::MigrateError::VersionMissing(v) => format!(
            "the database was migrated by a newer version of nextcloud-mcp (migration {v} is unknown to this one)"
        ),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_errors_lose_their_os_codes_and_say_what_happened() {
        let refused = sqlx::Error::Io(std::io::Error::from_raw_os_error(111));
        let text = db_error(refused).to_string();
        assert_eq!(
            text,
            "the token store is unavailable: the connection was refused \
             (is the database running and listening there?)"
        );
        let unreachable = sqlx::Error::Io(std::io::Error::from_raw_os_error(113));
        let text = db_reason(&unreachable);
        assert!(!text.contains("os error") && !text.is_empty(), "{text}");
        assert_eq!(
            without_os_code("Host is unreachable (os error 113)"),
            "Host is unreachable"
        );
    }

    #[test]
    fn database_codes_become_advice_not_numbers() {
        let login = database_reason(
            Some("28P01"),
            "password authentication failed for user \"mcp\"",
        );
        assert_eq!(
            login,
            "the database refused the login: password authentication failed for user \"mcp\"; \
             check the user and password"
        );
        let missing = database_reason(Some("3D000"), "database \"mcp\" does not exist");
        assert!(missing.starts_with("database \"mcp\" does not exist; create it"));
        let other = database_reason(Some("42P01"), "relation \"x\" does not exist");
        assert_eq!(other, "relation \"x\" does not exist");
        for text in [login, missing, other] {
            assert!(!text.contains("28P01") && !text.contains("3D000") && !text.contains("42P01"));
        }
    }

    #[test]
    fn the_unavailable_phrase_is_said_once() {
        let text = db_error(sqlx::Error::PoolTimedOut).to_string();
        assert_eq!(text.matches("unavailable").count(), 1, "{text}");
        assert!(!db_reason(&sqlx::Error::PoolTimedOut).contains("unavailable"));
    }
}
