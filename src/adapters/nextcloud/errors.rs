//! The one place where Nextcloud HTTP statuses become [`NextcloudError`]s.

use std::time::Duration;

use reqwest::StatusCode;

use crate::ports::nextcloud::NextcloudError;

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
        StatusCode::REQUEST_TIMEOUT | StatusCode::GATEWAY_TIMEOUT => {
            NextcloudError::Unavailable(format!("HTTP {}", status.as_u16()))
        }
        s if s.is_server_error() => NextcloudError::Unavailable(format!("HTTP {}", s.as_u16())),
        s => NextcloudError::BadRequest(
            short_detail(body).unwrap_or_else(|| format!("HTTP {}", s.as_u16())),
        ),
    }
}

pub fn map_transport_error(error: &reqwest::Error, timeout: Duration) -> NextcloudError {
    if error.is_timeout() {
        NextcloudError::Timeout(timeout.as_secs().max(1))
    } else if error.is_connect() {
        NextcloudError::Unavailable("cannot connect".into())
    } else {
        // reqwest's Display includes the URL, which never carries a secret here
        // (credentials travel in headers), but keep the message short anyway.
        NextcloudError::Unavailable(
            error
                .source_chain_summary()
                .unwrap_or_else(|| "request failed".into()),
        )
    }
}

trait SourceSummary {
    fn source_chain_summary(&self) -> Option<String>;
}

impl SourceSummary for reqwest::Error {
    fn source_chain_summary(&self) -> Option<String> {
        let mut source = std::error::Error::source(self);
        let mut last = None;
        while let Some(s) = source {
            last = Some(s.to_string());
            source = s.source();
        }
        last
    }
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
}
