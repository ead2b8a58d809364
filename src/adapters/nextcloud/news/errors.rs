//! News answers errors as `{"message": ...}` without an envelope, and its
//! messages for unknown or foreign ids are database queries ("Did expect one
//! result but found none when executing: query ..."). Statuses decide here;
//! a message is shown only when it is a reason, never a query or a page.

use reqwest::StatusCode;

use super::super::errors::{error_message, map_status};
use super::super::scrub::safe_message;
use crate::ports::nextcloud::NextcloudError;

/// A failed News call about `what` ("news item 3").
pub fn news_error(status: StatusCode, what: &str, body: &[u8]) -> NextcloudError {
    match status {
        // Unknown ids and other users' ids alike (news/25, 55, 56).
        StatusCode::NOT_FOUND => NextcloudError::NotFound(what.to_string()),
        StatusCode::CONFLICT => NextcloudError::AlreadyExists(what.to_string()),
        // An HTML error page; its request id helps nobody reading a tool result.
        s if s.is_server_error() => {
            NextcloudError::Unavailable(format!("HTTP {} from News", s.as_u16()))
        }
        s => {
            let message = safe_message(error_message(body)).unwrap_or_default();
            map_status(
                s,
                what,
                &serde_json::json!({ "message": message }).to_string(),
            )
        }
    }
}

/// A failed subscription to `url`. News fetches the feed before it
/// subscribes: an unreachable URL and a document that is not a feed both
/// answer 404 (news/14, 15), an unknown folder a 500 page (news/16).
pub fn add_feed_error(
    status: StatusCode,
    url: &str,
    folder_id: Option<u64>,
    body: &[u8],
) -> NextcloudError {
    match (status, folder_id) {
        (StatusCode::NOT_FOUND, _) => {
            let reason = safe_message(error_message(body))
                .map(|m| format!(" ({m})"))
                .unwrap_or_default();
            NextcloudError::BadRequest(format!(
                "News could not read a feed at {url}{reason}; check that the address is reachable from the Nextcloud server and serves RSS or Atom"
            ))
        }
        (StatusCode::CONFLICT, _) => NextcloudError::AlreadyExists(format!(
            "a subscription to {url} (you are already subscribed)"
        )),
        (s, Some(folder)) if s.is_server_error() => NextcloudError::BadRequest(format!(
            "News could not add the feed to folder {folder}; check that the folder exists (nc_news_list_folders)"
        )),
        (s, _) => news_error(s, &format!("the feed {url}"), body),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQL: &[u8] = br#"{"message":"Did expect one result but found none when executing: query \"SELECT * FROM `*PREFIX*news_feeds` WHERE (user_id = :user_id)\"; "}"#;

    #[test]
    fn queries_never_reach_the_message() {
        for code in [400u16, 403, 404, 422, 500] {
            let status = StatusCode::from_u16(code).unwrap();
            let text = news_error(status, "news feed 3", SQL).to_string();
            assert!(
                !text.contains("SELECT") && !text.contains("PREFIX"),
                "{code}: {text}"
            );
            let text = add_feed_error(status, "http://x/feed", Some(9), SQL).to_string();
            assert!(
                !text.contains("SELECT") && !text.contains("PREFIX"),
                "{code}: {text}"
            );
        }
        assert_eq!(
            news_error(StatusCode::NOT_FOUND, "news feed 3", SQL),
            NextcloudError::NotFound("news feed 3".into())
        );
    }
}
