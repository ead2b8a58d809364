//! XML request bodies for the DAV trees around files, written with
//! quick-xml's writer so that every value from a person (a tag name, a
//! comment, a search literal) is escaped by construction. The element and
//! namespace choices follow the real server's captures (fixtures
//! systemtags/, comments/, webdav/30-34, 37).

use std::io;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use crate::domain::file_meta::query::{FileQuery, MimeFilter};

type Xml = Writer<Vec<u8>>;

const D: (&str, &str) = ("xmlns:d", "DAV:");
const OC: (&str, &str) = ("xmlns:oc", "http://owncloud.org/ns");
const NC: (&str, &str) = ("xmlns:nc", "http://nextcloud.org/ns");

/// A document with one root element; `namespaces` are declared on the root.
fn document(
    root: &str,
    namespaces: &[(&str, &str)],
    inner: impl FnOnce(&mut Xml) -> io::Result<()>,
) -> String {
    let mut writer = Writer::new(Vec::new());
    let written = writer
        .write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
        .and_then(|()| {
            writer
                .create_element(root)
                .with_attributes(namespaces.iter().copied())
                .write_inner_content(inner)
                .map(drop)
        });
    // Writing into a Vec cannot fail.
    written.expect("writing XML into memory");
    String::from_utf8(writer.into_inner()).expect("quick-xml writes UTF-8")
}

/// `<d:prop>` with one empty element per property name.
fn prop_list(w: &mut Xml, props: &[&str]) -> io::Result<()> {
    w.create_element("d:prop").write_inner_content(|w| {
        for prop in props {
            w.create_element(*prop).write_empty()?;
        }
        Ok(())
    })?;
    Ok(())
}

fn text(w: &mut Xml, element: &str, value: &str) -> io::Result<()> {
    w.create_element(element)
        .write_text_content(BytesText::new(value))?;
    Ok(())
}

/// The properties of a system tag (fixtures systemtags/03, 08, 18).
pub const TAG_PROPS: &[&str] = &[
    "oc:id",
    "oc:display-name",
    "oc:user-visible",
    "oc:user-assignable",
    "oc:can-assign",
    "oc:etag",
    "oc:color",
];

/// The properties of a trash entry (fixture webdav/37).
pub const TRASH_PROPS: &[&str] = &[
    "nc:trashbin-filename",
    "nc:trashbin-original-location",
    "nc:trashbin-deletion-time",
    "nc:trashbin-deleted-by-id",
    "nc:trashbin-deleted-by-display-name",
    "d:getcontentlength",
    "d:getcontenttype",
    "d:resourcetype",
    "oc:fileid",
];

/// The properties of a version (fixture webdav/34).
pub const VERSION_PROPS: &[&str] = &[
    "d:getlastmodified",
    "d:getcontentlength",
    "d:getcontenttype",
    "d:getetag",
    "nc:version-label",
    "nc:version-author",
];

/// What a filtered file listing (favorites, by tag) selects. Favorites
/// (webdav/31) and tags (systemtags/20) each captured a subset; this is
/// their union plus what a listing entry needs to be useful.
pub const FILTER_PROPS: &[&str] = &[
    "d:displayname",
    "d:getetag",
    "d:getlastmodified",
    "d:getcontenttype",
    "d:resourcetype",
    "oc:fileid",
    "oc:size",
    "oc:favorite",
];

/// A PROPFIND for `props` (`d:`, `oc:` and `nc:` prefixes), declaring only
/// the namespaces it uses, as the captured requests do.
pub fn propfind(props: &[&str]) -> String {
    let mut namespaces = vec![D];
    for (prefix, ns) in [("oc:", OC), ("nc:", NC)] {
        if props.iter().any(|p| p.starts_with(prefix)) {
            namespaces.push(ns);
        }
    }
    document("d:propfind", &namespaces, |w| prop_list(w, props))
}

/// A PROPPATCH setting one property to a value.
pub fn proppatch(prop: &str, value: &str) -> String {
    document("d:propertyupdate", &[D, OC], |w| {
        w.create_element("d:set").write_inner_content(|w| {
            w.create_element("d:prop")
                .write_inner_content(|w| text(w, prop, value))?;
            Ok(())
        })?;
        Ok(())
    })
}

/// An `oc:filter-files` REPORT: files matching every rule, e.g.
/// `("oc:favorite", "1")` or `("oc:systemtag", "7")`.
pub fn filter_files(props: &[&str], rules: &[(&str, String)]) -> String {
    document("oc:filter-files", &[D, OC, NC], |w| {
        prop_list(w, props)?;
        w.create_element("oc:filter-rules")
            .write_inner_content(|w| {
                for (rule, value) in rules {
                    text(w, rule, value)?;
                }
                Ok(())
            })?;
        Ok(())
    })
}

/// An `oc:filter-comments` REPORT: a page of comments, newest first.
pub fn filter_comments(limit: u32, offset: u32) -> String {
    document("oc:filter-comments", &[D, OC], |w| {
        text(w, "oc:limit", &limit.to_string())?;
        text(w, "oc:offset", &offset.to_string())
    })
}

/// What a search selects: fixture webdav/32's set plus `d:resourcetype`,
/// without which a folder in the results cannot be told from a file.
const SEARCH_PROPS: &[&str] = &[
    "d:displayname",
    "d:getcontenttype",
    "d:getlastmodified",
    "d:getetag",
    "oc:fileid",
    "oc:size",
    "oc:favorite",
    "d:resourcetype",
];

/// One comparison of a `d:where`: operator, property, literal.
struct Condition {
    op: &'static str,
    prop: &'static str,
    literal: String,
}

/// Inclusive bounds are sent as strict `d:gt`/`d:lt` one unit outside the
/// bound: those are the operators the real server was seen to answer
/// (fixture webdav/33).
fn conditions(query: &FileQuery) -> Vec<Condition> {
    let mut out = Vec::new();
    let mut push = |op, prop, literal: String| out.push(Condition { op, prop, literal });
    if let Some(name) = &query.name_like {
        push("d:like", "d:displayname", name.clone());
    }
    match &query.mime {
        Some(MimeFilter::Exact(mime)) => push("d:eq", "d:getcontenttype", mime.clone()),
        Some(MimeFilter::Family(family)) => push(
            "d:like",
            "d:getcontenttype",
            MimeFilter::family_like(family),
        ),
        None => {}
    }
    if query.only_favorites {
        push("d:eq", "oc:favorite", "1".into());
    }
    if let Some(after) = query.modified_after {
        push("d:gt", "d:getlastmodified", (after - 1).to_string());
    }
    if let Some(before) = query.modified_before {
        push("d:lt", "d:getlastmodified", (before + 1).to_string());
    }
    if let Some(min) = query.min_size.filter(|&m| m > 0) {
        push("d:gt", "oc:size", (min - 1).to_string());
    }
    if let Some(max) = query.max_size {
        push("d:lt", "oc:size", max.saturating_add(1).to_string());
    }
    out
}

fn condition(w: &mut Xml, c: &Condition) -> io::Result<()> {
    w.create_element(c.op).write_inner_content(|w| {
        prop_list(w, &[c.prop])?;
        text(w, "d:literal", &c.literal)
    })?;
    Ok(())
}

/// A basicsearch, newest first. `scope_href` is a raw path
/// (`/files/{user}/...`): SearchDAV uses a relative href verbatim as a node
/// path, so it must not be percent-encoded (the writer still escapes it).
pub fn search(query: &FileQuery, scope_href: &str) -> String {
    let conditions = conditions(query);
    document("d:searchrequest", &[D, OC, NC], |w| {
        w.create_element("d:basicsearch").write_inner_content(|w| {
            w.create_element("d:select")
                .write_inner_content(|w| prop_list(w, SEARCH_PROPS))?;
            w.create_element("d:from").write_inner_content(|w| {
                w.create_element("d:scope").write_inner_content(|w| {
                    text(w, "d:href", scope_href)?;
                    text(w, "d:depth", "infinity")
                })?;
                Ok(())
            })?;
            w.create_element("d:where")
                .write_inner_content(|w| match conditions.as_slice() {
                    [one] => condition(w, one),
                    many => {
                        w.create_element("d:and").write_inner_content(|w| {
                            many.iter().try_for_each(|c| condition(w, c))
                        })?;
                        Ok(())
                    }
                })?;
            w.create_element("d:orderby").write_inner_content(|w| {
                w.create_element("d:order").write_inner_content(|w| {
                    prop_list(w, &["d:getlastmodified"])?;
                    w.create_element("d:descending").write_empty()?;
                    Ok(())
                })?;
                Ok(())
            })?;
            w.create_element("d:limit")
                .write_inner_content(|w| text(w, "d:nresults", &query.max_results.to_string()))?;
            Ok(())
        })?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::path::UserPath;

    #[test]
    fn values_from_people_are_escaped() {
        let body = proppatch("oc:message", "a < b & \"c\" </oc:message><x>");
        assert!(
            body.contains(
                "<oc:message>a &lt; b &amp; &quot;c&quot; &lt;/oc:message&gt;&lt;x&gt;</oc:message>"
            ),
            "{body}"
        );
        let mut query = FileQuery::new(UserPath::root(), 5);
        query.name_like = Some("%<d:literal>%".into());
        let body = search(&query, "/files/a&b");
        assert!(body.contains("<d:href>/files/a&amp;b</d:href>"), "{body}");
        assert!(
            body.contains("<d:literal>%&lt;d:literal&gt;%</d:literal>"),
            "{body}"
        );
        assert!(!body.contains("<d:and>"), "one condition needs no d:and");
    }

    #[test]
    fn inclusive_bounds_become_strict_comparisons() {
        let mut query = FileQuery::new(UserPath::root(), 5);
        query.min_size = Some(21);
        query.max_size = Some(100);
        query.modified_after = Some(1000);
        let body = search(&query, "/files/a");
        assert!(body.contains("<d:and>"));
        assert!(body.contains("<d:gt><d:prop><oc:size/></d:prop><d:literal>20</d:literal></d:gt>"));
        assert!(
            body.contains("<d:lt><d:prop><oc:size/></d:prop><d:literal>101</d:literal></d:lt>")
        );
        assert!(body.contains(
            "<d:gt><d:prop><d:getlastmodified/></d:prop><d:literal>999</d:literal></d:gt>"
        ));
    }
}
