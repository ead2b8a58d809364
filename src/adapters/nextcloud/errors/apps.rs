//! Statuses that single apps (Cookbook, Tables, Deck, unified search, the
//! optional DAV trees) answer in their own way; each falls back to the
//! general table.

use reqwest::StatusCode;

use super::{error_message, map_status, reply_error};
use crate::ports::nextcloud::NextcloudError;

/// A failed Cookbook call; `message` is the reply's own (`{"msg": ...}` or a
/// bare JSON string). 409 means a recipe with that name exists already; its
/// message ("Another recipe with that name already exists") is not used, as
/// the error says "already exists" itself.
pub fn cookbook_status(status: StatusCode, what: &str, message: Option<String>) -> NextcloudError {
    match status {
        StatusCode::CONFLICT => NextcloudError::AlreadyExists("a recipe with that name".into()),
        StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => {
            NextcloudError::BadRequest(message.unwrap_or_else(|| format!("HTTP {status}")))
        }
        _ => map_status(
            status,
            what,
            &serde_json::json!({ "message": message }).to_string(),
        ),
    }
}

/// Tables answers a delete of an unknown row with HTTP 500 and a database
/// message (fixture tables/46) instead of 404: that 500 is "not found".
pub fn tables_row_status(status: StatusCode, what: &str, body: &[u8]) -> NextcloudError {
    let missing = error_message(body).is_some_and(|m| m.contains("found none"));
    if status == StatusCode::INTERNAL_SERVER_ERROR && missing {
        return NextcloudError::NotFound(what.to_string());
    }
    reply_error(status, what, body)
}

/// Deck answers 403 both for "no such board" and "not allowed".
pub fn deck_forbidden(error: NextcloudError, what: &str) -> NextcloudError {
    match error {
        NextcloudError::Forbidden(_) => NextcloudError::Forbidden(Some(format!(
            "{what} does not exist, or you may not do this with it"
        ))),
        other => other,
    }
}

/// Deck's own refusals (a `StatusException`: an archived card, PHP's upload
/// limit) come as HTTP 500 `{"status":500,"message":...}`; an unexpected
/// crash adds a `requestId`. The first is the request's fault and keeps
/// Deck's reason; everything else maps as [`reply_error`], 403 as
/// [`deck_forbidden`].
pub fn deck_refusal(status: StatusCode, what: &str, body: &[u8]) -> NextcloudError {
    if status == StatusCode::INTERNAL_SERVER_ERROR
        && let Ok(value) = serde_json::from_slice::<serde_json::Value>(body)
        && value.get("requestId").is_none()
        && let Some(message) = error_message(body)
    {
        return NextcloudError::BadRequest(format!("Deck refused this for {what}: {message}"));
    }
    deck_forbidden(reply_error(status, what, body), what)
}

/// A failed attachment upload of `size` bytes named `name` to `card`: a web
/// server's 413 and PHP's upload limit (Deck's 500 "exceeds ...") are said
/// as a size problem; a `deck_file` whose name is taken is 409.
pub fn deck_upload_status(
    status: StatusCode,
    card: &str,
    name: &str,
    size: u64,
    body: &[u8],
) -> NextcloudError {
    if status == StatusCode::INTERNAL_SERVER_ERROR
        && let Some(message) = error_message(body)
        && ["exceeds", "maximum"]
            .iter()
            .any(|word| message.to_lowercase().contains(word))
    {
        return NextcloudError::BadRequest(format!(
            "'{name}' ({size} bytes) is over this Nextcloud's upload limit: {message}; \
             upload it to Files and attach it by its path"
        ));
    }
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => NextcloudError::BadRequest(format!(
            "'{name}' ({size} bytes) is larger than this Nextcloud accepts in one request \
             (HTTP 413 from its web server); attach a smaller file, or upload it to Files \
             and attach it by its path"
        )),
        StatusCode::CONFLICT => {
            NextcloudError::AlreadyExists(format!("an attachment named '{name}' on {card}"))
        }
        _ => deck_refusal(status, card, body),
    }
}

/// Unified search answers an unknown provider (or one that threw) with HTTP
/// 500 and OCS code 996 (fixture unified-search/07): the request's fault.
pub fn search_provider_failed(error: NextcloudError, provider: &str) -> NextcloudError {
    match error {
        NextcloudError::Unavailable(status) if status == "HTTP 500" => {
            NextcloudError::BadRequest(format!(
                "search provider '{provider}' does not exist or failed on the server; \
                     nc_search_list_providers lists the valid ids"
            ))
        }
        other => other,
    }
}

/// A DAV tree of an optional app (trash bin, versions, tags, comments)
/// answers 404 as a whole when the app is disabled; callers use this only
/// where the thing asked for is known to exist (the tree's root, or a file
/// whose id was just read), so the app is what is missing.
pub fn app_tree_missing(error: NextcloudError, what: &str, app: &str) -> NextcloudError {
    match error {
        NextcloudError::NotFound(_) => NextcloudError::BadRequest(format!(
            "Nextcloud does not offer {what}: its '{app}' app may be disabled; an administrator can enable it"
        )),
        other => other,
    }
}
