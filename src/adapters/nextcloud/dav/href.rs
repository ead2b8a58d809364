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

/// Whether two URLs have the same scheme, host and port.
pub fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// Resolves an href a DAV reply carries against `base`, the configured
/// Nextcloud. Requests to the result carry the user's credential, so only an
/// absolute path or an absolute URL of the same origin is accepted
/// (security.md: Where credentials go); a relative or scheme-relative
/// (`//host/...`) reference, another scheme, host or port, or a URL with
/// user information is refused with an error naming the href.
pub fn resolve_href(base: &Url, href: &str) -> Result<Url, NextcloudError> {
    let refuse = |why: &str| {
        protocol(format!(
            "Nextcloud sent the href {:.200}, which {why}; nothing was sent there",
            href.escape_debug()
        ))
    };
    // `//host/...` joins to another host and is caught by the origin check.
    let url = if href.starts_with('/') {
        base.join(href)
            .map_err(|_| refuse("is not a usable path"))?
    } else {
        match Url::parse(href) {
            Ok(url) => url,
            Err(_) => return Err(refuse("is neither an absolute path nor an absolute URL")),
        }
    };
    if !same_origin(&url, base) {
        return Err(refuse("points outside the configured Nextcloud"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse("carries user information"));
    }
    Ok(url)
}

impl NextcloudSession {
    /// An absolute URL for an href the server sent, on the configured
    /// Nextcloud only (see [`resolve_href`]).
    pub(in crate::adapters::nextcloud) fn href_url(
        &self,
        href: &str,
    ) -> Result<Url, NextcloudError> {
        resolve_href(&self.url("")?, href)
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

    #[test]
    fn hrefs_resolve_only_to_the_configured_origin() {
        let base = Url::parse("https://cloud.example:8443/nc/").unwrap();
        let ok = |href: &str| resolve_href(&base, href).unwrap().to_string();
        assert_eq!(
            ok("/nc/remote.php/dav/principals/users/a/"),
            "https://cloud.example:8443/nc/remote.php/dav/principals/users/a/"
        );
        assert_eq!(
            ok("https://cloud.example:8443/nc/remote.php/dav/x/"),
            "https://cloud.example:8443/nc/remote.php/dav/x/"
        );
        for bad in [
            "http://cloud.example:8443/nc/remote.php/dav/",
            "https://cloud.example/nc/remote.php/dav/",
            "https://other.example:8443/nc/remote.php/dav/",
            "https://cloud.example.evil:8443/",
            "//other.example/remote.php/dav/",
            "https://user:pw@cloud.example:8443/nc/",
            "remote.php/dav/",
            "",
            "javascript:alert(1)",
        ] {
            let err = resolve_href(&base, bad).unwrap_err();
            let NextcloudError::Protocol(message) = &err else {
                panic!("{bad}: {err:?}");
            };
            assert!(
                message.contains(&bad.escape_debug().to_string()),
                "{message}"
            );
        }
        // The default port written out is the same origin.
        let plain = Url::parse("https://cloud.example/").unwrap();
        assert!(resolve_href(&plain, "https://cloud.example:443/a/").is_ok());
    }
}
