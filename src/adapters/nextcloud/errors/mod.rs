//! The one place where Nextcloud HTTP statuses (and OCS status codes) become
//! [`NextcloudError`]s. [`map_status`] is the general table; the other
//! functions are the few requests where a status means something more
//! specific, and fall back to it. What single apps answer in their own way
//! is in `apps`; throttling and failures without a reply in `transport`.

mod apps;
mod transport;

use reqwest::StatusCode;

use crate::ports::nextcloud::NextcloudError;

pub use apps::{
    app_tree_missing, cookbook_status, deck_forbidden, deck_refusal, deck_upload_status,
    search_provider_failed, tables_row_status,
};
pub use transport::{map_transport_error, rate_limited};

/// A reply that does not have the shape the protocol promises.
pub fn protocol(message: impl Into<String>) -> NextcloudError {
    NextcloudError::Protocol(message.into())
}

/// Maps an error status; `what` names the resource, `body` is used only for a
/// short, secret-free detail (Nextcloud's error bodies never echo credentials).
pub fn map_status(status: StatusCode, what: &str, body: &str) -> NextcloudError {
    match status {
        StatusCode::UNAUTHORIZED => NextcloudError::CredentialRejected,
        StatusCode::FORBIDDEN => NextcloudError::Forbidden(short_detail(body)),
        StatusCode::NOT_FOUND => NextcloudError::NotFound(what.to_string()),
        StatusCode::PRECONDITION_FAILED => NextcloudError::Conflict(what.to_string()),
        StatusCode::METHOD_NOT_ALLOWED => NextcloudError::AlreadyExists(what.to_string()),
        StatusCode::CONFLICT => NextcloudError::ParentMissing(what.to_string()),
        StatusCode::TOO_MANY_REQUESTS => NextcloudError::RateLimited(None),
        StatusCode::REQUEST_TIMEOUT | StatusCode::GATEWAY_TIMEOUT => {
            NextcloudError::Unavailable(format!("HTTP {}", status.as_u16()))
        }
        s if s.is_server_error() => NextcloudError::Unavailable(format!("HTTP {}", s.as_u16())),
        // The client follows no redirect, so credentials (and bodies) never
        // go where a reply points (security.md: Where credentials go).
        s if s.is_redirection() && s != StatusCode::NOT_MODIFIED => {
            NextcloudError::Protocol(format!(
                "Nextcloud answered with a redirect (HTTP {}), which is not followed; \
                 check that the configured Nextcloud URL is the one it serves",
                s.as_u16()
            ))
        }
        s => NextcloudError::BadRequest(
            short_detail(body).unwrap_or_else(|| format!("HTTP {}", s.as_u16())),
        ),
    }
}

/// A failed conditional write (a DAV PUT). 412 is "exists already" when the
/// write was create-only (`If-None-Match: *`) and "changed since read"
/// otherwise.
pub fn write_status(
    status: StatusCode,
    create_only: bool,
    what: &str,
    body: &str,
) -> NextcloudError {
    match status {
        StatusCode::PRECONDITION_FAILED if create_only => {
            NextcloudError::AlreadyExists(what.to_string())
        }
        _ => map_status(status, what, body),
    }
}

/// A failed file upload: as [`write_status`], but PUT answers 404, not
/// MKCOL's 409, when the parent folder is missing (fixture webdav/14); the
/// file itself cannot be "not found".
pub fn upload_status(
    status: StatusCode,
    create_only: bool,
    what: &str,
    body: &str,
) -> NextcloudError {
    match status {
        StatusCode::NOT_FOUND => NextcloudError::ParentMissing(what.to_string()),
        _ => write_status(status, create_only, what, body),
    }
}

/// A failed COPY or MOVE from `from` to `to`. Refusing to overwrite and a
/// missing parent (Sabre's 409) are about the destination; the rest about
/// the source.
pub fn transfer_status(
    status: StatusCode,
    overwrite: bool,
    from: &str,
    to: &str,
    body: &str,
) -> NextcloudError {
    match status {
        StatusCode::PRECONDITION_FAILED if !overwrite => NextcloudError::AlreadyExists(to.into()),
        StatusCode::CONFLICT => NextcloudError::ParentMissing(to.to_string()),
        _ => map_status(status, from, body),
    }
}

/// A PROPPATCH (or MKCOL with properties) answered 207 with a failing
/// status for some property.
pub fn properties_refused(what: &str) -> NextcloudError {
    NextcloudError::BadRequest(format!("Nextcloud refused to change {what}"))
}

/// A reply other than 207 where a multistatus was expected.
pub fn not_multistatus(status: StatusCode) -> NextcloudError {
    protocol(format!(
        "expected 207 Multi-Status, got HTTP {}",
        status.as_u16()
    ))
}

/// An app probe's status that is neither "there" nor "absent".
pub fn probe_status(status: StatusCode, app: &str) -> NextcloudError {
    match status {
        StatusCode::UNAUTHORIZED => NextcloudError::CredentialRejected,
        s => NextcloudError::Unavailable(format!("HTTP {} from the {app} probe", s.as_u16())),
    }
}

/// A failed OCS call by the `meta.statuscode` of its envelope: OCS v1
/// answers errors with HTTP 200, and uses 997 for "not logged in" and 998
/// for "no such endpoint".
pub fn ocs_status(code: u16, what: &str, message: &str) -> NextcloudError {
    let http = match code {
        997 => 401,
        998 => 404,
        code => code,
    };
    let status = StatusCode::from_u16(http).unwrap_or(StatusCode::BAD_GATEWAY);
    let body = serde_json::json!({ "message": message }).to_string();
    map_status(status, what, &body)
}

/// The OCS `meta.message` (or a plain `message`) of an error body.
pub fn error_message(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    value
        .pointer("/ocs/meta/message")
        .or_else(|| value.get("message"))
        .and_then(|m| m.as_str())
        .map(|m| m.trim().chars().take(200).collect::<String>())
        .filter(|m| !m.is_empty())
}

/// Whether a 404 message is about something missing (as opposed to, say,
/// "Expiration date is in the past", which sharing also answers with 404).
fn says_missing(message: &str) -> bool {
    let message = message.to_lowercase();
    [
        "not exist",
        "not found",
        "could not find",
        "cannot find",
        "no such",
        "invalid query",
    ]
    .iter()
    .any(|phrase| message.contains(phrase))
        // Deck's comments: "No comment found." (fixture deck-extras/35).
        || (message.starts_with("no ") && message.contains(" found"))
}

/// A failed JSON (OCS or REST) reply: statuses map as everywhere else, but a
/// 404 whose message is not about a missing thing (e.g. "Expiration date is
/// in the past") is the request's fault, and says so.
pub fn reply_error(status: StatusCode, what: &str, body: &[u8]) -> NextcloudError {
    let message = error_message(body);
    if status == StatusCode::NOT_FOUND
        && let Some(message) = &message
        && !says_missing(message)
    {
        return NextcloudError::BadRequest(message.clone());
    }
    let detail = serde_json::json!({ "message": message.unwrap_or_default() }).to_string();
    map_status(status, what, &detail)
}

/// A short human message from an error body: OCS `meta.message`, a JSON
/// `message`, or a Sabre `s:message`; never more than 200 characters.
fn short_detail(body: &str) -> Option<String> {
    let from_json = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            v.pointer("/ocs/meta/message")
                .or_else(|| v.get("message"))
                .and_then(|m| m.as_str())
                .map(str::to_string)
        });
    let from_xml = || {
        let start = body.find("<s:message>")? + "<s:message>".len();
        let end = body[start..].find("</s:message>")? + start;
        Some(body[start..end].to_string())
    };
    from_json
        .or_else(from_xml)
        .filter(|m| !m.trim().is_empty())
        .map(|m| m.chars().take(200).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_actionable_errors() {
        let cases = [
            (401, NextcloudError::CredentialRejected),
            (404, NextcloudError::NotFound("note 7".into())),
            (412, NextcloudError::Conflict("note 7".into())),
            (405, NextcloudError::AlreadyExists("note 7".into())),
            (409, NextcloudError::ParentMissing("note 7".into())),
            (503, NextcloudError::Unavailable("HTTP 503".into())),
        ];
        for (code, expected) in cases {
            let status = StatusCode::from_u16(code).unwrap();
            assert_eq!(map_status(status, "note 7", ""), expected, "{code}");
        }
    }

    #[test]
    fn details_come_from_known_error_bodies() {
        let ocs = r#"{"ocs":{"meta":{"status":"failure","statuscode":403,"message":"Logged in account must be an admin"},"data":[]}}"#;
        assert_eq!(
            map_status(StatusCode::FORBIDDEN, "x", ocs),
            NextcloudError::Forbidden(Some("Logged in account must be an admin".into()))
        );
        let sabre = "<d:error><s:exception>X</s:exception><s:message>File not found: a in 'b'</s:message></d:error>";
        assert_eq!(
            map_status(StatusCode::BAD_REQUEST, "x", sabre),
            NextcloudError::BadRequest("File not found: a in 'b'".into())
        );
        assert_eq!(
            map_status(StatusCode::FORBIDDEN, "x", r#"{"message":""}"#),
            NextcloudError::Forbidden(None)
        );
    }

    #[test]
    fn not_found_with_a_reason_is_a_bad_request() {
        let past = br#"{"ocs":{"meta":{"status":"failure","statuscode":404,"message":"Expiration date is in the past"},"data":[]}}"#;
        assert_eq!(
            reply_error(StatusCode::NOT_FOUND, "share 11", past),
            NextcloudError::BadRequest("Expiration date is in the past".into())
        );
        let missing = br#"{"ocs":{"meta":{"status":"failure","statuscode":404,"message":"Wrong share ID, share does not exist"},"data":[]}}"#;
        assert_eq!(
            reply_error(StatusCode::NOT_FOUND, "share 11", missing),
            NextcloudError::NotFound("share 11".into())
        );
        assert_eq!(
            reply_error(StatusCode::NOT_FOUND, "recipe 3", b""),
            NextcloudError::NotFound("recipe 3".into())
        );
        let deck = br#"{"status":403,"message":"Permission denied"}"#;
        assert_eq!(
            reply_error(StatusCode::FORBIDDEN, "board 9", deck),
            NextcloudError::Forbidden(Some("Permission denied".into()))
        );
    }

    #[test]
    fn writes_and_transfers_name_the_right_thing() {
        let s = |c| StatusCode::from_u16(c).unwrap();
        assert_eq!(
            write_status(s(412), true, "event 'a'", ""),
            NextcloudError::AlreadyExists("event 'a'".into())
        );
        assert_eq!(
            write_status(s(412), false, "event 'a'", ""),
            NextcloudError::Conflict("event 'a'".into())
        );
        assert_eq!(
            upload_status(s(404), false, "/a/b.txt", ""),
            NextcloudError::ParentMissing("/a/b.txt".into())
        );
        assert_eq!(
            transfer_status(s(412), false, "/a", "/b", ""),
            NextcloudError::AlreadyExists("/b".into())
        );
        assert_eq!(
            transfer_status(s(412), true, "/a", "/b", ""),
            NextcloudError::Conflict("/a".into())
        );
        assert_eq!(
            transfer_status(s(409), true, "/a", "/b", ""),
            NextcloudError::ParentMissing("/b".into())
        );
        assert_eq!(
            probe_status(s(401), "Deck"),
            NextcloudError::CredentialRejected
        );
        assert_eq!(
            probe_status(s(500), "Deck"),
            NextcloudError::Unavailable("HTTP 500 from the Deck probe".into())
        );
        assert_eq!(
            cookbook_status(s(409), "recipe 3", None),
            NextcloudError::AlreadyExists("a recipe with that name".into())
        );
        assert_eq!(
            cookbook_status(s(422), "recipe 3", None),
            NextcloudError::BadRequest("HTTP 422 Unprocessable Entity".into())
        );
        assert_eq!(
            cookbook_status(s(404), "recipe 3", Some("gone".into())),
            NextcloudError::NotFound("recipe 3".into())
        );
    }
}
