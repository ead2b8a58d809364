//! DAV XML for the files adapter: the bodies it sends, and where an href
//! of a reply lies below the user's files root.

use quick_xml::escape::escape;
use url::Url;

use crate::adapters::nextcloud::dav::href::decode_segments;
use crate::adapters::nextcloud::errors::protocol;
use crate::domain::path::UserPath;
use crate::ports::nextcloud::NextcloudError;

/// The properties every listing asks for (same set as fixtures webdav/01, 23, 24).
pub const PROPFIND_BODY: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns" xmlns:nc="http://nextcloud.org/ns">
  <d:prop>
    <d:displayname/>
    <d:getlastmodified/>
    <d:getetag/>
    <d:getcontenttype/>
    <d:getcontentlength/>
    <d:resourcetype/>
    <oc:fileid/>
    <oc:id/>
    <oc:size/>
    <oc:permissions/>
    <oc:favorite/>
    <oc:owner-id/>
    <nc:has-preview/>
  </d:prop>
</d:propfind>
"#;

/// A basicsearch by name, shaped like fixture webdav/32. It also selects
/// `d:resourcetype`, which the capture left out: without it a folder in the
/// results cannot be told from a file.
///
/// `scope_href` is a raw path (`/files/{user}/...`): SearchDAV uses a relative
/// href verbatim as a node path, so it must not be percent-encoded.
pub fn search_body(scope_href: &str, like_literal: &str, limit: u32) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<d:searchrequest xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns" xmlns:nc="http://nextcloud.org/ns">
  <d:basicsearch>
    <d:select>
      <d:prop>
        <d:displayname/>
        <d:getcontenttype/>
        <d:getlastmodified/>
        <d:getetag/>
        <oc:fileid/>
        <oc:size/>
        <oc:favorite/>
        <d:resourcetype/>
      </d:prop>
    </d:select>
    <d:from>
      <d:scope>
        <d:href>{scope}</d:href>
        <d:depth>infinity</d:depth>
      </d:scope>
    </d:from>
    <d:where>
      <d:like>
        <d:prop><d:displayname/></d:prop>
        <d:literal>{literal}</d:literal>
      </d:like>
    </d:where>
    <d:orderby>
      <d:order>
        <d:prop><d:getlastmodified/></d:prop>
        <d:descending/>
      </d:order>
    </d:orderby>
    <d:limit>
      <d:nresults>{limit}</d:nresults>
    </d:limit>
  </d:basicsearch>
</d:searchrequest>
"#,
        scope = escape(scope_href),
        literal = escape(like_literal),
    )
}

/// The path of an href below `root` (the decoded segments of the files root).
/// An href elsewhere (another user, another DAV tree) is an error, never a path.
pub fn href_path(href: &str, root: &[String]) -> Result<UserPath, NextcloudError> {
    let segments = if href.contains("://") {
        let url = Url::parse(href).map_err(|_| protocol("an href is not a valid URL"))?;
        decode_segments(url.path())?
    } else {
        decode_segments(href)?
    };
    let rest = segments
        .strip_prefix(root)
        .ok_or_else(|| protocol(format!("href {href} is outside the files root")))?;
    UserPath::from_segments(rest).map_err(|e| protocol(format!("unusable href {href}: {e}")))
}
