//! Keeps server internals out of error messages. Some apps put a database
//! query (News: "Did expect one result but found none when executing: query
//! \"SELECT ...\"") or an HTML error page into their error replies; such text
//! helps nobody who reads a tool result and tells an attacker about the
//! schema, so it is replaced by what the status already says.

use crate::ports::nextcloud::NextcloudError;

/// Whether a server message shows internals rather than a reason.
pub fn shows_internals(message: &str) -> bool {
    let lower = message.to_ascii_lowercase();
    [
        "select ",
        "insert into",
        "update `",
        "delete from",
        "*prefix*",
        "executing: query",
        "sqlstate",
        "<!doctype",
        "<html",
        "stack trace",
        "#0 /",
        ".php:",
        "exception",
    ]
    .iter()
    .any(|marker| lower.contains(marker))
}

/// The server's message if it is safe to show.
pub fn safe_message(message: Option<String>) -> Option<String> {
    message.filter(|m| !shows_internals(m))
}

/// Drops a detail that shows internals from an error's text.
pub fn scrub(error: NextcloudError) -> NextcloudError {
    match error {
        NextcloudError::Forbidden(Some(m)) if shows_internals(&m) => {
            NextcloudError::Forbidden(None)
        }
        NextcloudError::BadRequest(m) if shows_internals(&m) => {
            NextcloudError::BadRequest("the request was refused".into())
        }
        NextcloudError::Unavailable(m) if shows_internals(&m) => {
            NextcloudError::Unavailable("server error".into())
        }
        NextcloudError::Protocol(m) if shows_internals(&m) => {
            NextcloudError::Protocol("unexpected reply".into())
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_and_pages_are_internals() {
        assert!(shows_internals(
            "Did expect one result but found none when executing: query \"SELECT * FROM `*PREFIX*news_feeds`\""
        ));
        assert!(shows_internals("<!DOCTYPE html><html>"));
        assert!(!shows_internals("Feed with this URL exists"));
        assert!(!shows_internals("Collective already exists."));
        assert_eq!(
            scrub(NextcloudError::BadRequest("SELECT 1".into())),
            NextcloudError::BadRequest("the request was refused".into())
        );
        assert_eq!(
            scrub(NextcloudError::NotFound("feed 3".into())),
            NextcloudError::NotFound("feed 3".into())
        );
    }
}
