//! What the CalDAV and CardDAV adapters share: DAV methods, hrefs, ETags and
//! reading multistatus replies.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use reqwest::header::{CONTENT_TYPE, ETAG, HeaderName, HeaderValue, IF_MATCH, IF_NONE_MATCH};
use reqwest::{Method, Response, StatusCode};
use url::Url;

use super::dav_props::{self, Multistatus};
use super::dav_xml::protocol;
use super::errors::map_status;
use super::http::NextcloudSession;
use crate::ports::nextcloud::NextcloudError;

/// Everything but RFC 3986 unreserved characters is encoded.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A multistatus reply bigger than this is refused instead of buffered.
const MAX_MULTISTATUS_BYTES: usize = 32 * 1024 * 1024;

pub const XML: &str = "application/xml; charset=utf-8";

pub fn encode(segment: &str) -> String {
    utf8_percent_encode(segment, SEGMENT).to_string()
}

pub fn dav_method(name: &'static str) -> Method {
    Method::from_bytes(name.as_bytes()).expect("DAV method names are valid tokens")
}

/// Sabre compares If-Match verbatim against the quoted ETag.
pub fn quoted_etag(etag: &str) -> String {
    let etag = etag.trim();
    if etag.starts_with('"') || etag.starts_with("W/") {
        etag.to_string()
    } else {
        format!("\"{etag}\"")
    }
}

fn header(response: &Response, name: &HeaderName) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// `ETag`, or Nextcloud's `OC-ETag` when a proxy stripped the standard one.
pub fn etag_of(response: &Response) -> Option<String> {
    header(response, &ETAG).or_else(|| header(response, &HeaderName::from_static("oc-etag")))
}

/// The last non-empty segment of an href, decoded (`personal`, `x.ics`).
pub fn last_segment(href: &str) -> String {
    let segment = href.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    percent_decode_str(segment).decode_utf8_lossy().into_owned()
}

/// The write precondition of a PUT.
pub enum Precondition {
    /// `If-None-Match: *`: create only.
    Create,
    /// `If-Match`: replace only this version.
    Replace(String),
}

async fn status_error(response: Response, what: &str) -> NextcloudError {
    let status = response.status();
    map_status(status, what, &response.text().await.unwrap_or_default())
}

impl NextcloudSession {
    /// An absolute URL for an href the server sent (an absolute path).
    pub(super) fn href_url(&self, href: &str) -> Result<Url, NextcloudError> {
        self.url("")?
            .join(href)
            .map_err(|_| protocol(format!("unusable href {href}")))
    }

    /// Reads a 207 reply into its responses.
    pub(super) async fn multistatus(
        &self,
        response: Response,
    ) -> Result<Multistatus, NextcloudError> {
        if response.status() != StatusCode::MULTI_STATUS {
            return Err(protocol(format!(
                "expected 207 Multi-Status, got HTTP {}",
                response.status().as_u16()
            )));
        }
        if response
            .content_length()
            .is_some_and(|n| n as usize > MAX_MULTISTATUS_BYTES)
        {
            return Err(protocol("the multistatus reply is too large"));
        }
        let bytes = response
            .bytes()
            .await
            .map_err(|_| NextcloudError::Unavailable("the reply was interrupted".into()))?;
        if bytes.len() > MAX_MULTISTATUS_BYTES {
            return Err(protocol("the multistatus reply is too large"));
        }
        let xml = std::str::from_utf8(&bytes).map_err(|_| protocol("the reply is not UTF-8"))?;
        dav_props::parse(xml)
    }

    /// PROPFIND or REPORT with an XML body; `what` names the target in errors.
    pub(super) async fn dav_query(
        &self,
        method: &'static str,
        url: Url,
        depth: Option<&'static str>,
        body: String,
        what: &str,
    ) -> Result<Multistatus, NextcloudError> {
        let mut request = self
            .request(dav_method(method), url)
            .header(CONTENT_TYPE, XML)
            .body(body);
        if let Some(depth) = depth {
            request = request.header("Depth", depth);
        }
        let response = self.send(request, what).await?;
        self.multistatus(response).await
    }

    /// PUT of a calendar object or vCard; returns the new ETag if the server sent one.
    pub(super) async fn dav_put(
        &self,
        url: Url,
        content_type: &'static str,
        body: String,
        precondition: Precondition,
        what: &str,
    ) -> Result<Option<String>, NextcloudError> {
        let mut request = self
            .request(Method::PUT, url)
            .header(CONTENT_TYPE, content_type)
            .body(body);
        let creating = matches!(precondition, Precondition::Create);
        request = match precondition {
            Precondition::Create => request.header(IF_NONE_MATCH, "*"),
            Precondition::Replace(etag) => request.header(
                IF_MATCH,
                HeaderValue::from_str(&quoted_etag(&etag)).map_err(|_| {
                    NextcloudError::BadRequest("the etag is not a valid header value".into())
                })?,
            ),
        };
        let response = self.send_raw(request).await?;
        match response.status() {
            s if s.is_success() => Ok(etag_of(&response)),
            StatusCode::PRECONDITION_FAILED if creating => {
                Err(NextcloudError::AlreadyExists(what.to_string()))
            }
            StatusCode::PRECONDITION_FAILED => Err(NextcloudError::Conflict(what.to_string())),
            _ => Err(status_error(response, what).await),
        }
    }

    /// DELETE guarded by If-Match when an ETag is known.
    pub(super) async fn dav_delete(
        &self,
        url: Url,
        etag: Option<&str>,
        what: &str,
    ) -> Result<(), NextcloudError> {
        let mut request = self.request(Method::DELETE, url);
        if let Some(etag) = etag {
            request = request.header(
                IF_MATCH,
                HeaderValue::from_str(&quoted_etag(etag)).map_err(|_| {
                    NextcloudError::BadRequest("the etag is not a valid header value".into())
                })?,
            );
        }
        let response = self.send_raw(request).await?;
        match response.status() {
            s if s.is_success() => Ok(()),
            StatusCode::PRECONDITION_FAILED => Err(NextcloudError::Conflict(what.to_string())),
            _ => Err(status_error(response, what).await),
        }
    }

    /// MKCOL / MKCALENDAR / PROPPATCH with an XML body.
    pub(super) async fn dav_change(
        &self,
        method: &'static str,
        url: Url,
        body: String,
        what: &str,
    ) -> Result<(), NextcloudError> {
        let request = self
            .request(dav_method(method), url)
            .header(CONTENT_TYPE, XML)
            .body(body);
        let response = self.send(request, what).await?;
        if response.status() == StatusCode::MULTI_STATUS {
            // PROPPATCH answers 207 with a status per property.
            let reply = self.multistatus(response).await?;
            let refused = reply
                .responses
                .iter()
                .any(|r| r.status.is_some_and(|s| s >= 300));
            if refused {
                return Err(NextcloudError::BadRequest(format!(
                    "Nextcloud refused to change {what}"
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hrefs_and_etags() {
        assert_eq!(
            last_segment("/remote.php/dav/calendars/admin/personal/"),
            "personal"
        );
        assert_eq!(last_segment("/a/b/x%20y.ics"), "x y.ics");
        assert_eq!(quoted_etag("abc"), "\"abc\"");
        assert_eq!(quoted_etag("\"abc\""), "\"abc\"");
        assert_eq!(encode("a b@c"), "a%20b%40c");
    }
}
