//! Throttling (HTTP 429 and its `Retry-After`) and the failures that come
//! with no reply at all: timeouts, names that do not resolve, refused
//! connections.

use std::time::Duration;

use crate::ports::nextcloud::NextcloudError;

/// HTTP 429, with `Retry-After` read as seconds (the HTTP-date form, which
/// Nextcloud does not send, is treated as absent).
pub fn rate_limited(headers: &reqwest::header::HeaderMap) -> NextcloudError {
    let seconds = headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    NextcloudError::RateLimited(seconds)
}

pub fn map_transport_error(error: &reqwest::Error, timeout: Duration) -> NextcloudError {
    if error.is_timeout() {
        NextcloudError::Timeout(timeout.as_secs().max(1))
    } else if let Some(host) = crate::adapters::dns::unresolved_host(error) {
        NextcloudError::Unavailable(format!("cannot resolve host {host}: check NEXTCLOUD_HOST"))
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
