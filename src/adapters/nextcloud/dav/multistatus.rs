//! The one reader for DAV multistatus replies (files, CalDAV, CardDAV): every
//! property of every `d:response`, keyed by (namespace, local name), from the
//! successful propstats only.
//!
//! Nextcloud puts properties it does not have into a `404` propstat as empty
//! elements, declares ad-hoc prefixes (`x1:`, `x2:`) on the element itself,
//! and sends `calendar-data` with bare LF or with CR as `&#13;`; none of that
//! matters here because names are resolved to namespaces and values are kept
//! as text for the adapters to parse.

use quick_xml::NsReader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::ResolveResult;

use crate::adapters::nextcloud::errors::protocol;
use crate::ports::nextcloud::NextcloudError;

pub const DAV: &str = "DAV:";
pub const CALDAV: &str = "urn:ietf:params:xml:ns:caldav";
pub const CARDDAV: &str = "urn:ietf:params:xml:ns:carddav";
pub const CALSERVER: &str = "http://calendarserver.org/ns/";
pub const APPLE: &str = "http://apple.com/ns/ical/";
/// Files properties (`oc:fileid`, `oc:size`, `oc:favorite`).
pub const OWNCLOUD: &str = "http://owncloud.org/ns";
/// `.com`, not `.org`: Nextcloud's calendar trash bin namespace.
pub const NEXTCLOUD_COM: &str = "http://nextcloud.com/ns";

/// A child element of a property: `<cal:comp name="VEVENT"/>`, `<d:collection/>`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Child {
    pub ns: String,
    pub local: String,
    pub attributes: Vec<(String, String)>,
}

impl Child {
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One property's value: its direct text, the `d:href`s inside it, and its
/// other child elements.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PropValue {
    pub text: String,
    pub hrefs: Vec<String>,
    pub children: Vec<Child>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resource {
    /// As sent (still percent-encoded).
    pub href: String,
    /// A response-level status (sync-collection reports deletions this way).
    pub status: Option<u16>,
    props: Vec<(String, String, PropValue)>,
}

impl Resource {
    pub fn prop(&self, ns: &str, local: &str) -> Option<&PropValue> {
        self.props
            .iter()
            .find(|(n, l, _)| n == ns && l == local)
            .map(|(_, _, v)| v)
    }

    /// Trimmed, non-empty text of a property.
    pub fn text(&self, ns: &str, local: &str) -> Option<String> {
        self.prop(ns, local)
            .map(|v| v.text.trim().to_string())
            .filter(|t| !t.is_empty())
    }

    /// The raw text (for calendar and address data, where whitespace matters).
    pub fn raw_text(&self, ns: &str, local: &str) -> Option<&str> {
        self.prop(ns, local)
            .map(|v| v.text.as_str())
            .filter(|t| !t.trim().is_empty())
    }

    pub fn has_child(&self, ns: &str, local: &str, child_ns: &str, child: &str) -> bool {
        self.prop(ns, local).is_some_and(|v| {
            v.children
                .iter()
                .any(|c| c.ns == child_ns && c.local == child)
        })
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Multistatus {
    pub responses: Vec<Resource>,
    pub sync_token: Option<String>,
}

fn namespace(resolved: &ResolveResult<'_>) -> String {
    match resolved {
        ResolveResult::Bound(ns) => ns.as_ref().to_string(),
        _ => String::new(),
    }
}

fn reference(reference: &BytesRef<'_>) -> Result<String, NextcloudError> {
    let bad = |_| protocol("bad character reference in DAV XML");
    if let Some(c) = reference.resolve_char_ref().map_err(bad)? {
        return Ok(c.to_string());
    }
    resolve_predefined_entity(reference)
        .map(str::to_string)
        .ok_or_else(|| protocol("unknown entity in DAV XML"))
}

fn attributes(start: &BytesStart<'_>) -> Vec<(String, String)> {
    start
        .attributes()
        .flatten()
        .map(|a| {
            let key = a.key.local_name().as_ref().to_string();
            let value = a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map(|v| v.into_owned())
                .unwrap_or_default();
            (key, value)
        })
        .collect()
}

#[derive(Default)]
struct Parser {
    /// Open elements (namespace, local name), outermost first.
    stack: Vec<(String, String)>,
    text: String,
    response: Option<Resource>,
    propstat: Vec<(String, String, PropValue)>,
    propstat_ok: bool,
    current: Option<(String, String, PropValue)>,
    out: Multistatus,
}

/// Depths inside `d:multistatus`: 1 response, 2 propstat, 3 prop, 4 a property.
const PROPERTY_DEPTH: usize = 5;

impl Parser {
    fn is_dav(&self, depth: usize, local: &str) -> bool {
        self.stack
            .get(depth - 1)
            .is_some_and(|(ns, l)| ns == DAV && l == local)
    }

    fn open(
        &mut self,
        ns: String,
        local: String,
        attrs: Vec<(String, String)>,
    ) -> Result<(), NextcloudError> {
        self.text.clear();
        let depth = self.stack.len() + 1;
        if depth == 1 && !(ns == DAV && local == "multistatus") {
            return Err(protocol("expected a DAV multistatus reply"));
        }
        let dav = ns == DAV;
        match depth {
            2 if dav && local == "response" => self.response = Some(Resource::default()),
            3 if dav && local == "propstat" => {
                self.propstat.clear();
                self.propstat_ok = false;
            }
            PROPERTY_DEPTH if self.is_dav(3, "propstat") && self.is_dav(4, "prop") => {
                self.current = Some((ns.clone(), local.clone(), PropValue::default()));
            }
            d if d > PROPERTY_DEPTH && !(dav && local == "href") => {
                if let Some((_, _, value)) = self.current.as_mut() {
                    value.children.push(Child {
                        ns: ns.clone(),
                        local: local.clone(),
                        attributes: attrs,
                    });
                }
            }
            _ => {}
        }
        self.stack.push((ns, local));
        Ok(())
    }

    fn close(&mut self) -> Result<(), NextcloudError> {
        let depth = self.stack.len();
        let (ns, local) = self
            .stack
            .pop()
            .ok_or_else(|| protocol("unbalanced DAV XML"))?;
        let text = std::mem::take(&mut self.text);
        let dav = ns == DAV;
        match depth {
            d if d > PROPERTY_DEPTH => {
                if dav
                    && local == "href"
                    && let Some((_, _, value)) = self.current.as_mut()
                {
                    value.hrefs.push(text.trim().to_string());
                }
            }
            PROPERTY_DEPTH => {
                if let Some(mut current) = self.current.take() {
                    current.2.text = text;
                    self.propstat.push(current);
                }
            }
            4 if dav && local == "status" && self.is_dav(3, "propstat") => {
                self.propstat_ok = text
                    .split_whitespace()
                    .nth(1)
                    .is_some_and(|c| c.starts_with('2'));
            }
            3 if dav && local == "propstat" => {
                if self.propstat_ok
                    && let Some(response) = self.response.as_mut()
                {
                    response.props.append(&mut self.propstat);
                }
            }
            3 if dav && local == "href" => {
                if let Some(response) = self.response.as_mut() {
                    response.href = text.trim().to_string();
                }
            }
            3 if dav && local == "status" => {
                if let Some(response) = self.response.as_mut() {
                    response.status = text.split_whitespace().nth(1).and_then(|c| c.parse().ok());
                }
            }
            2 if dav && local == "response" => {
                let response = self
                    .response
                    .take()
                    .ok_or_else(|| protocol("unbalanced DAV XML"))?;
                if response.href.is_empty() {
                    return Err(protocol("a DAV response has no href"));
                }
                self.out.responses.push(response);
            }
            2 if dav && local == "sync-token" => {
                self.out.sync_token = Some(text.trim().to_string()).filter(|t| !t.is_empty());
            }
            _ => {}
        }
        Ok(())
    }
}

/// Reads a `d:multistatus` document.
pub fn parse(xml: &str) -> Result<Multistatus, NextcloudError> {
    let mut reader = NsReader::from_str(xml);
    reader.config_mut().expand_empty_elements = true;
    let mut parser = Parser::default();
    loop {
        let (resolved, event) = reader
            .read_resolved_event()
            .map_err(|e| protocol(format!("malformed DAV XML: {e}")))?;
        match event {
            Event::Start(start) => {
                let local = start.local_name().as_ref().to_string();
                parser.open(namespace(&resolved), local, attributes(&start))?;
            }
            Event::End(_) => parser.close()?,
            Event::Text(t) => parser.text.push_str(&t.xml10_content()),
            Event::CData(c) => parser.text.push_str(&c.xml10_content()),
            Event::GeneralRef(r) => parser.text.push_str(&reference(&r)?),
            Event::Eof => break,
            _ => {}
        }
    }
    if !parser.stack.is_empty() {
        return Err(protocol("DAV XML ends before its elements are closed"));
    }
    Ok(parser.out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPLY: &str = r#"<?xml version="1.0"?>
<d:multistatus xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns">
 <d:response>
  <d:href>/remote.php/dav/files/admin/Docs/</d:href>
  <d:propstat>
   <d:prop><d:resourcetype><d:collection/></d:resourcetype><oc:size>42</oc:size><d:displayname>Docs &amp; more</d:displayname></d:prop>
   <d:status>HTTP/1.1 200 OK</d:status>
  </d:propstat>
  <d:propstat>
   <d:prop><d:getcontentlength/><d:getetag/></d:prop>
   <d:status>HTTP/1.1 404 Not Found</d:status>
  </d:propstat>
 </d:response>
 <d:response>
  <d:href>/remote.php/dav/calendars/admin/personal/gone.ics</d:href>
  <d:status>HTTP/1.1 404 Not Found</d:status>
 </d:response>
 <d:sync-token>http://sabre.io/ns/sync/7</d:sync-token>
</d:multistatus>"#;

    #[test]
    fn reads_successful_properties_response_statuses_and_the_token() {
        let reply = parse(REPLY).unwrap();
        assert_eq!(
            reply.sync_token.as_deref(),
            Some("http://sabre.io/ns/sync/7")
        );
        let [folder, gone] = reply.responses.as_slice() else {
            panic!("two responses expected: {reply:?}");
        };
        assert_eq!(folder.href, "/remote.php/dav/files/admin/Docs/");
        assert!(folder.has_child(DAV, "resourcetype", DAV, "collection"));
        assert_eq!(folder.text(OWNCLOUD, "size").as_deref(), Some("42"));
        assert_eq!(
            folder.text(DAV, "displayname").as_deref(),
            Some("Docs & more")
        );
        // Properties of a 404 propstat are absent, not empty.
        assert!(folder.prop(DAV, "getcontentlength").is_none());
        assert!(folder.prop(DAV, "getetag").is_none());
        assert_eq!(folder.status, None);
        assert_eq!(gone.status, Some(404));
    }

    #[test]
    fn refuses_what_is_not_a_multistatus() {
        assert!(parse("<d:error xmlns:d=\"DAV:\"/>").is_err());
        assert!(
            parse("<d:multistatus xmlns:d=\"DAV:\"><d:response></d:response></d:multistatus>")
                .is_err()
        );
        assert!(parse("<d:multistatus xmlns:d=\"DAV:\"><d:response>").is_err());
    }

    /// Pieces of a hostile reply: the real reply's tags cut at every `<`,
    /// and what a hostile server or proxy might add.
    fn hostile_piece() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let real: Vec<String> = REPLY
            .split('<')
            .filter(|p| !p.is_empty())
            .map(|p| format!("<{p}"))
            .collect();
        prop_oneof![
            4 => prop::sample::select(real),
            1 => Just("<d:prop>".repeat(2_000)),
            1 => Just("&#0;&#x110000;&unknown;&amp&#xD800;".to_string()),
            1 => Just("<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>&b;".to_string()),
            1 => Just("<![CDATA[<d:href>/x</d:href>]]>".to_string()),
            1 => Just("<d:href xmlns:d=\"urn:other\">/y</d:href>".to_string()),
            1 => Just("<d:response a=\"1\" a=\"2\"><d:href>http://evil.example/</d:href>".to_string()),
            1 => Just("</d:multistatus></d:response>".to_string()),
            1 => "\\PC{0,24}",
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 512,
            failure_persistence: None,
            ..proptest::prelude::ProptestConfig::default()
        })]

        /// A bounded fuzz-style run over the DAV-XML reader: no panic, and
        /// what it keeps is never more than the input (entities are not
        /// expanded, so a few bytes cannot become megabytes).
        #[test]
        fn dav_xml_reader_survives_512_hostile_replies(
            pieces in proptest::collection::vec(hostile_piece(), 0..60)
        ) {
            let xml = pieces.concat();
            if let Ok(reply) = parse(&xml) {
                let kept: usize = reply.responses.iter().map(|r| r.href.len()).sum::<usize>()
                    + reply.sync_token.as_ref().map_or(0, String::len);
                proptest::prop_assert!(kept <= xml.len());
            }
        }
    }
}
