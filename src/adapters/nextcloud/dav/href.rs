//! Hrefs: encoding the segments we send, decoding the ones the server sends.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use url::Url;

use crate::adapters::nextcloud::errors::protocol;
use crate::adapters::nextcloud::http::NextcloudSession;
use crate::ports::nextcloud::NextcloudError;

/// Everything but RFC 3986 unreserved characters is encoded, so a name with
/// `#`, `?`, `%`, `&` or `;` reaches the server as those literal characters.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// One path segment, percent-encoded.
pub fn encode(segment: &str) -> String {
    utf8_percent_encode(segment, SEGMENT).to_string()
}

/// The last non-empty segment of an href, decoded (`personal`, `x.ics`).
pub fn last_segment(href: &str) -> String {
    let segment = href.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    percent_decode_str(segment).decode_utf8_lossy().into_owned()
}

/// Percent-decoded, non-empty segments of a URL path. Comparing decoded forms
/// matters: Nextcloud's hrefs use `%c3%bc` where we send `%C3%BC`.
pub fn decode_segments(path: &str) -> Result<Vec<String>, NextcloudError> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            percent_decode_str(s)
                .decode_utf8()
                .map(|c| c.into_owned())
                .map_err(|_| protocol("an href is not UTF-8"))
        })
        .collect()
}

impl NextcloudSession {
    /// An absolute URL for an href the server sent (an absolute path).
    pub(in crate::adapters::nextcloud) fn href_url(
        &self,
        href: &str,
    ) -> Result<Url, NextcloudError> {
        self.url("")?
            .join(href)
            .map_err(|_| protocol(format!("unusable href {href}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_encode_and_decode() {
        assert_eq!(
            last_segment("/remote.php/dav/calendars/admin/personal/"),
            "personal"
        );
        assert_eq!(last_segment("/a/b/x%20y.ics"), "x y.ics");
        assert_eq!(encode("a b@c"), "a%20b%40c");
        assert_eq!(
            decode_segments("/a/%c3%bc/b%20c/").unwrap(),
            vec!["a", "ü", "b c"]
        );
    }
}
