//! DAV requests: the methods, headers and preconditions CalDAV, CardDAV and
//! files share, and reading a multistatus reply with a size cap.

use reqwest::header::{CONTENT_TYPE, ETAG, HeaderName, HeaderValue, IF_MATCH, IF_NONE_MATCH};
use reqwest::{Method, Response, StatusCode};
use url::Url;

use super::multistatus::{self, Multistatus};
use crate::adapters::nextcloud::body::{MAX_MULTISTATUS, error_text, read_or};
use crate::adapters::nextcloud::errors::{
    map_status, not_multistatus, properties_refused, protocol, write_status,
};
use crate::adapters::nextcloud::http::NextcloudSession;
use crate::ports::nextcloud::NextcloudError;

pub const XML: &str = "application/xml; charset=utf-8";

pub fn dav_method(name: &'static str) -> Method {
    Method::from_bytes(name.as_bytes()).expect("DAV method names are valid tokens")
}

/// Sabre compares If-Match verbatim against the quoted ETag, so a bare value
/// would always fail with 412; quote it unless it already is (or is weak).
pub fn quoted_etag(etag: &str) -> String {
    let etag = etag.trim();
    if etag.starts_with('"') || etag.starts_with("W/") {
        etag.to_string()
    } else {
        format!("\"{etag}\"")
    }
}

/// A header value from caller input; `what` names it in the error.
pub fn header_value(value: &str, what: &str) -> Result<HeaderValue, NextcloudError> {
    HeaderValue::from_str(value)
        .map_err(|_| NextcloudError::BadRequest(format!("{what} is not a valid header value")))
}

pub fn header(response: &Response, name: &HeaderName) -> Option<String> {
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

/// Reads a 207 reply of at most [`MAX_MULTISTATUS`] bytes into its responses.
pub async fn read_multistatus(response: Response) -> Result<Multistatus, NextcloudError> {
    if response.status() != StatusCode::MULTI_STATUS {
        return Err(not_multistatus(response.status()));
    }
    let bytes = read_or(response, MAX_MULTISTATUS, || {
        protocol(format!(
            "the multistatus reply is larger than {} MiB; refused",
            MAX_MULTISTATUS >> 20
        ))
    })
    .await?;
    let xml = std::str::from_utf8(&bytes).map_err(|_| protocol("the reply is not UTF-8"))?;
    multistatus::parse(xml)
}

/// The write precondition of a PUT.
pub enum Precondition {
    /// `If-None-Match: *`: create only.
    Create,
    /// `If-Match`: replace only this version.
    Replace(String),
}

impl NextcloudSession {
    /// PROPFIND or REPORT with an XML body; `what` names the target in errors.
    pub(in crate::adapters::nextcloud) async fn dav_query(
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
        read_multistatus(response).await
    }

    /// PUT of a calendar object or vCard; returns the new ETag if the server sent one.
    pub(in crate::adapters::nextcloud) async fn dav_put(
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
        let create_only = matches!(precondition, Precondition::Create);
        request = match precondition {
            Precondition::Create => request.header(IF_NONE_MATCH, "*"),
            Precondition::Replace(etag) => {
                request.header(IF_MATCH, header_value(&quoted_etag(&etag), "the etag")?)
            }
        };
        let response = self.send_raw(request).await?;
        let status = response.status();
        if status.is_success() {
            return Ok(etag_of(&response));
        }
        Err(write_status(
            status,
            create_only,
            what,
            &error_text(response).await,
        ))
    }

    /// DELETE guarded by If-Match when an ETag is known.
    pub(in crate::adapters::nextcloud) async fn dav_delete(
        &self,
        url: Url,
        etag: Option<&str>,
        what: &str,
    ) -> Result<(), NextcloudError> {
        let mut request = self.request(Method::DELETE, url);
        if let Some(etag) = etag {
            request = request.header(IF_MATCH, header_value(&quoted_etag(etag), "the etag")?);
        }
        let response = self.send_raw(request).await?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        Err(map_status(status, what, &error_text(response).await))
    }

    /// MKCOL / MKCALENDAR / PROPPATCH with an XML body.
    pub(in crate::adapters::nextcloud) async fn dav_change(
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
            let reply = read_multistatus(response).await?;
            let refused = reply
                .responses
                .iter()
                .any(|r| r.status.is_some_and(|s| s >= 300));
            if refused {
                return Err(properties_refused(what));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags_are_quoted_once() {
        assert_eq!(quoted_etag("abc"), "\"abc\"");
        assert_eq!(quoted_etag("\"abc\""), "\"abc\"");
        assert_eq!(quoted_etag(" W/\"abc\" "), "W/\"abc\"");
    }
}
