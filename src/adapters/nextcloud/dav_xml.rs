//! DAV XML for the files adapter: the bodies it sends and a reader for the
//! multistatus replies it gets back.
//!
//! Values are kept as the strings the server sent. Nextcloud lists properties it
//! does not have as empty elements in a 404 propstat, so parsing numbers here
//! would trip over `<d:getcontentlength/>`; the adapter parses what it uses.

use percent_encoding::percent_decode_str;
use quick_xml::NsReader;
use quick_xml::escape::{escape, resolve_predefined_entity};
use quick_xml::events::{BytesRef, Event};
use quick_xml::name::{Namespace, ResolveResult};
use url::Url;

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

/// The properties of one `d:response`, from its successful propstats only.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DavProps {
    pub displayname: Option<String>,
    pub last_modified: Option<String>,
    pub etag: Option<String>,
    pub content_type: Option<String>,
    pub content_length: Option<String>,
    pub collection: bool,
    pub file_id: Option<String>,
    pub size: Option<String>,
    pub favorite: Option<String>,
}

impl DavProps {
    fn merge(&mut self, other: DavProps) {
        let fill = |mine: &mut Option<String>, theirs: Option<String>| {
            if mine.is_none() {
                *mine = theirs;
            }
        };
        fill(&mut self.displayname, other.displayname);
        fill(&mut self.last_modified, other.last_modified);
        fill(&mut self.etag, other.etag);
        fill(&mut self.content_type, other.content_type);
        fill(&mut self.content_length, other.content_length);
        fill(&mut self.file_id, other.file_id);
        fill(&mut self.size, other.size);
        fill(&mut self.favorite, other.favorite);
        self.collection |= other.collection;
    }

    fn slot(&mut self, element: &Element) -> Option<&mut Option<String>> {
        Some(match (element.ns, element.local.as_str()) {
            (Ns::Dav, "displayname") => &mut self.displayname,
            (Ns::Dav, "getlastmodified") => &mut self.last_modified,
            (Ns::Dav, "getetag") => &mut self.etag,
            (Ns::Dav, "getcontenttype") => &mut self.content_type,
            (Ns::Dav, "getcontentlength") => &mut self.content_length,
            (Ns::Oc, "fileid") => &mut self.file_id,
            (Ns::Oc, "size") => &mut self.size,
            (Ns::Oc, "favorite") => &mut self.favorite,
            _ => return None,
        })
    }
}

/// One `d:response`: the href exactly as sent (still percent-encoded).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DavResponse {
    pub href: String,
    pub props: DavProps,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ns {
    Dav,
    Oc,
    Other,
}

struct Element {
    ns: Ns,
    local: String,
}

impl Element {
    fn is_dav(&self, local: &str) -> bool {
        self.ns == Ns::Dav && self.local == local
    }
}

pub fn protocol(message: impl Into<String>) -> NextcloudError {
    NextcloudError::Protocol(message.into())
}

fn namespace(resolved: &ResolveResult<'_>) -> Ns {
    match resolved {
        ResolveResult::Bound(Namespace("DAV:")) => Ns::Dav,
        ResolveResult::Bound(Namespace("http://owncloud.org/ns")) => Ns::Oc,
        _ => Ns::Other,
    }
}

fn resolve_reference(reference: &BytesRef<'_>) -> Result<String, NextcloudError> {
    let bad = |_| protocol("bad character reference in DAV XML");
    if let Some(c) = reference.resolve_char_ref().map_err(bad)? {
        return Ok(c.to_string());
    }
    resolve_predefined_entity(reference)
        .map(str::to_string)
        .ok_or_else(|| protocol("unknown entity in DAV XML"))
}

/// Reads a `d:multistatus` document into its responses, in document order.
pub fn parse_multistatus(xml: &str) -> Result<Vec<DavResponse>, NextcloudError> {
    let mut reader = NsReader::from_str(xml);
    // Empty elements then look like any other, so `<d:getetag/>` needs no case.
    reader.config_mut().expand_empty_elements = true;
    let mut parser = Parser::default();
    loop {
        let (resolved, event) = reader
            .read_resolved_event()
            .map_err(|e| protocol(format!("malformed DAV XML: {e}")))?;
        match event {
            Event::Start(start) => parser.open(Element {
                ns: namespace(&resolved),
                local: start.local_name().as_ref().to_string(),
            })?,
            Event::End(_) => parser.close()?,
            Event::Text(t) => parser.text.push_str(&t.xml10_content()),
            Event::CData(c) => parser.text.push_str(&c.xml10_content()),
            Event::GeneralRef(r) => parser.text.push_str(&resolve_reference(&r)?),
            Event::Eof => break,
            _ => {}
        }
    }
    if !parser.stack.is_empty() {
        return Err(protocol("DAV XML ends before its elements are closed"));
    }
    Ok(parser.responses)
}

#[derive(Default)]
struct Parser {
    /// Open elements, outermost first.
    stack: Vec<Element>,
    /// Text of the innermost open element so far.
    text: String,
    response: Option<DavResponse>,
    /// Properties of the open propstat, and whether its status is 2xx.
    propstat: Option<(DavProps, bool)>,
    responses: Vec<DavResponse>,
}

impl Parser {
    /// True when the innermost open DAV elements are `tail` (outermost first).
    fn inside(&self, tail: &[&str]) -> bool {
        self.stack.len() >= tail.len()
            && self.stack[self.stack.len() - tail.len()..]
                .iter()
                .zip(tail)
                .all(|(element, local)| element.is_dav(local))
    }

    fn open(&mut self, element: Element) -> Result<(), NextcloudError> {
        self.text.clear();
        if self.stack.is_empty() && !element.is_dav("multistatus") {
            return Err(protocol("expected a DAV multistatus reply"));
        }
        if element.is_dav("response") {
            self.response = Some(DavResponse::default());
        } else if element.is_dav("propstat") {
            self.propstat = Some((DavProps::default(), false));
        } else if element.is_dav("collection")
            && self.inside(&["propstat", "prop", "resourcetype"])
            && let Some((props, _)) = self.propstat.as_mut()
        {
            props.collection = true;
        }
        self.stack.push(element);
        Ok(())
    }

    /// Files the text of the innermost element where it belongs, and closes it.
    fn close(&mut self) -> Result<(), NextcloudError> {
        let element = self
            .stack
            .pop()
            .ok_or_else(|| protocol("unbalanced DAV XML"))?;
        let value = std::mem::take(&mut self.text);
        if self.inside(&["propstat", "prop"]) {
            let slot = self
                .propstat
                .as_mut()
                .and_then(|(props, _)| props.slot(&element));
            if let Some(slot) = slot {
                *slot = Some(value.trim().to_string());
            }
            return Ok(());
        }
        if element.is_dav("href") && self.inside(&["response"]) {
            if let Some(response) = self.response.as_mut() {
                response.href = value.trim().to_string();
            }
        } else if element.is_dav("status") && self.inside(&["propstat"]) {
            if let Some((_, ok)) = self.propstat.as_mut() {
                // `HTTP/1.1 200 OK`; Nextcloud puts unknown properties under 404.
                *ok = value
                    .split_whitespace()
                    .nth(1)
                    .is_some_and(|c| c.starts_with('2'));
            }
        } else if element.is_dav("propstat") {
            if let (Some((props, true)), Some(response)) =
                (self.propstat.take(), self.response.as_mut())
            {
                response.props.merge(props);
            }
        } else if element.is_dav("response") {
            let response = self
                .response
                .take()
                .ok_or_else(|| protocol("unbalanced DAV XML"))?;
            if response.href.is_empty() {
                return Err(protocol("a DAV response has no href"));
            }
            self.responses.push(response);
        }
        Ok(())
    }
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
