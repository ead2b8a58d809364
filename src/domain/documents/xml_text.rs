//! A streaming walk over an XML entry: element names without their prefixes
//! (the formats fix the namespaces, not the prefixes), attributes, and text
//! with entities resolved. Nothing is buffered beyond the current event, and
//! DTD entities are never expanded, so an entity bomb has nothing to expand.

use std::io::{BufReader, Read};
use std::ops::ControlFlow;

use quick_xml::Reader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};

use super::{DocumentError, DocumentKind};

pub(super) enum Node<'a> {
    Open(Element<'a>),
    Close(String),
    Text(&'a str),
}

pub(super) struct Element<'a> {
    pub name: String,
    start: &'a BytesStart<'a>,
}

impl Element<'_> {
    /// An attribute's value by its local name.
    pub fn attr(&self, local: &str) -> Option<String> {
        self.find(|key| key.local_name().as_ref() == local)
    }

    /// An attribute's value by its name as written, prefix included: for
    /// OOXML's `r:id` next to a plain `id` on the same element.
    pub fn qualified_attr(&self, qualified: &str) -> Option<String> {
        self.find(|key| key.as_ref() == qualified)
    }

    fn find(&self, matches: impl Fn(&quick_xml::name::QName<'_>) -> bool) -> Option<String> {
        self.start
            .attributes()
            .flatten()
            .find(|a| matches(&a.key))
            .and_then(|a| {
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .ok()
                    .map(|v| v.into_owned())
            })
    }
}

fn local(name: &str) -> String {
    match name.rsplit_once(':') {
        Some((_, local)) => local.to_string(),
        None => name.to_string(),
    }
}

/// Walks `reader`'s XML, handing each node to `visit` until it breaks or the
/// document ends. Empty elements arrive as an open and a close.
pub(super) fn walk(
    reader: &mut dyn Read,
    kind: DocumentKind,
    mut visit: impl FnMut(Node<'_>) -> ControlFlow<()>,
) -> Result<(), DocumentError> {
    let mut xml = Reader::from_reader(BufReader::new(reader));
    xml.config_mut().expand_empty_elements = true;
    let mut buf = Vec::new();
    let bad = |e: &dyn std::fmt::Display| DocumentError::malformed(kind, format!("bad XML: {e}"));
    loop {
        buf.clear();
        let event = xml.read_event_into(&mut buf).map_err(|e| bad(&e))?;
        let flow = match &event {
            Event::Start(start) => visit(Node::Open(Element {
                name: local(start.name().as_ref()),
                start,
            })),
            Event::End(end) => visit(Node::Close(local(end.name().as_ref()))),
            Event::Text(text) => visit(Node::Text(&text.xml10_content())),
            Event::CData(data) => visit(Node::Text(&data.xml10_content())),
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(c)) => Some(c.to_string()),
                    _ => resolve_predefined_entity(reference).map(str::to_string),
                };
                match resolved {
                    Some(text) => visit(Node::Text(&text)),
                    // An entity only a DTD defines: left out, never expanded.
                    None => ControlFlow::Continue(()),
                }
            }
            Event::Eof => return Ok(()),
            _ => ControlFlow::Continue(()),
        };
        if flow.is_break() {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_their_prefixes_and_entities_resolve() {
        let xml =
            br#"<?xml version="1.0"?><w:p a:x="1"><w:t>Fish &amp; chips &#233;</w:t><w:br/></w:p>"#;
        let mut seen = Vec::new();
        walk(&mut &xml[..], DocumentKind::Docx, |node| {
            seen.push(match node {
                Node::Open(e) => format!("<{}{}>", e.name, e.attr("x").unwrap_or_default()),
                Node::Close(name) => format!("</{name}>"),
                Node::Text(t) => t.to_string(),
            });
            ControlFlow::Continue(())
        })
        .unwrap();
        assert_eq!(seen.concat(), "<p1><t>Fish & chips é</t><br></br></p>");
    }

    #[test]
    fn broken_xml_is_a_malformed_document() {
        let err = walk(&mut &b"<a><b></a>"[..], DocumentKind::Odt, |_| {
            ControlFlow::Continue(())
        })
        .unwrap_err();
        assert!(matches!(err, DocumentError::Malformed { .. }), "{err}");
    }
}
