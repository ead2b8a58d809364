//! The XML bodies the CardDAV adapter sends, shaped like the Nextcloud 34
//! captures (`tests/fixtures/nextcloud-34/carddav`).

use quick_xml::escape::escape;

pub const LIST_ADDRESSBOOKS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<d:propfind xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav" xmlns:cs="http://calendarserver.org/ns/"><d:prop><d:resourcetype/><d:displayname/><card:addressbook-description/><cs:getctag/><d:sync-token/><card:supported-address-data/><card:max-resource-size/></d:prop></d:propfind>
"#;

/// MKCOL of an address book (capture 03).
pub fn mkcol_body(display_name: &str, description: Option<&str>) -> String {
    let description = description
        .map(|d| {
            format!(
                "<card:addressbook-description>{}</card:addressbook-description>",
                escape(d)
            )
        })
        .unwrap_or_default();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<d:mkcol xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav" xmlns:cs="http://calendarserver.org/ns/"><d:set><d:prop><d:resourcetype><d:collection/><card:addressbook/></d:resourcetype><d:displayname>{}</d:displayname>{description}</d:prop></d:set></d:mkcol>
"#,
        escape(display_name)
    )
}

/// One text-match: (property, text, match type).
pub type TextMatch<'a> = (&'a str, &'a str, &'a str);

/// addressbook-query returning ETags and full cards (captures 11, 12); more
/// than one match is `anyof`, none lists every card.
pub fn query_body(matches: &[TextMatch<'_>]) -> String {
    let filters: String = matches
        .iter()
        .map(|(prop, text, match_type)| {
            let collation = if *prop == "UID" { "i;octet" } else { "i;unicode-casemap" };
            format!(
                r#"<card:prop-filter name="{prop}"><card:text-match collation="{collation}" match-type="{match_type}">{}</card:text-match></card:prop-filter>"#,
                escape(*text)
            )
        })
        .collect();
    let filter = match matches.len() {
        0 => "<card:filter/>".to_string(),
        1 => format!("<card:filter>{filters}</card:filter>"),
        _ => format!(r#"<card:filter test="anyof">{filters}</card:filter>"#),
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<card:addressbook-query xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav" xmlns:cs="http://calendarserver.org/ns/"><d:prop><d:getetag/><card:address-data/></d:prop>{filter}</card:addressbook-query>
"#
    )
}

/// addressbook-multiget of some hrefs (capture 13; Depth 1).
pub fn addressbook_multiget(hrefs: &[String]) -> String {
    multiget(hrefs, "")
}

/// addressbook-multiget that also asks for getlastmodified: the
/// modification time of a card without REV.
pub fn addressbook_multiget_dated(hrefs: &[String]) -> String {
    multiget(hrefs, "<d:getlastmodified/>")
}

fn multiget(hrefs: &[String], extra: &str) -> String {
    let hrefs: String = hrefs
        .iter()
        .map(|h| format!("<d:href>{}</d:href>", escape(h.as_str())))
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<card:addressbook-multiget xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav" xmlns:cs="http://calendarserver.org/ns/"><d:prop><d:getetag/>{extra}<card:address-data/></d:prop>{hrefs}</card:addressbook-multiget>
"#
    )
}
