//! DAV XML for the files adapter: the listing body it sends, and where an
//! href of a reply lies below the user's files root.

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
