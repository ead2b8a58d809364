//! The XML bodies the CalDAV adapter sends, shaped like the Nextcloud 34
//! captures (`tests/fixtures/nextcloud-34/caldav`).

use chrono::{DateTime, Utc};
use quick_xml::escape::escape;

use crate::domain::calendar::{CalendarDraft, CalendarPatch, ComponentKind};
use crate::domain::caltime::TimeRange;

const NAMESPACES: &str = r#"xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/" xmlns:x1="http://apple.com/ns/ical/" xmlns:oc="http://owncloud.org/ns" xmlns:nc="http://nextcloud.org/ns""#;

/// Calendar listing (capture 08).
pub fn list_calendars() -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<d:propfind {NAMESPACES}>
  <d:prop>
    <d:resourcetype/>
    <d:displayname/>
    <x1:calendar-color/>
    <x1:calendar-order/>
    <c:calendar-description/>
    <c:supported-calendar-component-set/>
    <cs:getctag/>
    <d:sync-token/>
    <oc:owner-principal/>
  </d:prop>
</d:propfind>
"#
    )
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// What a calendar-query selects inside `VCALENDAR`.
pub enum ObjectFilter<'a> {
    /// Components overlapping a range, optionally with text in SUMMARY (capture 20).
    Range {
        range: &'a TimeRange,
        title: Option<&'a str>,
    },
    /// The component with this UID (a substring match; the adapter checks equality).
    Uid(&'a str),
    /// Every component; `open_only` adds `COMPLETED is-not-defined` (capture 23).
    All { open_only: bool },
}

fn text_match(prop: &str, text: &str) -> String {
    format!(
        r#"<c:prop-filter name="{prop}"><c:text-match collation="i;unicode-casemap">{}</c:text-match></c:prop-filter>"#,
        escape(text)
    )
}

/// A calendar-query REPORT returning ETags and calendar data (captures 20, 23).
pub fn calendar_query(kind: ComponentKind, filter: &ObjectFilter<'_>) -> String {
    let inner = match filter {
        ObjectFilter::Range { range, title } => format!(
            r#"<c:time-range start="{}" end="{}"/>{}"#,
            utc(range.start),
            utc(range.end),
            title.map(|t| text_match("SUMMARY", t)).unwrap_or_default()
        ),
        ObjectFilter::Uid(uid) => format!(
            r#"<c:prop-filter name="UID"><c:text-match collation="i;octet">{}</c:text-match></c:prop-filter>"#,
            escape(*uid)
        ),
        ObjectFilter::All { open_only: true } => {
            r#"<c:prop-filter name="COMPLETED"><c:is-not-defined/></c:prop-filter>"#.to_string()
        }
        ObjectFilter::All { open_only: false } => String::new(),
    };
    let comp = kind.as_ical();
    let comp_filter = if inner.is_empty() {
        format!(r#"<c:comp-filter name="{comp}"/>"#)
    } else {
        format!(r#"<c:comp-filter name="{comp}">{inner}</c:comp-filter>"#)
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop><c:filter><c:comp-filter name="VCALENDAR">{comp_filter}</c:comp-filter></c:filter></c:calendar-query>
"#
    )
}

/// MKCALENDAR (captures 05, 06).
pub fn mkcalendar(draft: &CalendarDraft) -> String {
    let mut props = format!(
        "<d:displayname>{}</d:displayname>",
        escape(&draft.display_name)
    );
    if let Some(color) = &draft.color {
        props.push_str(&format!(
            "<x1:calendar-color>{}</x1:calendar-color>",
            escape(color)
        ));
    }
    if let Some(description) = &draft.description {
        props.push_str(&format!(
            "<c:calendar-description>{}</c:calendar-description>",
            escape(description)
        ));
    }
    if !draft.components.is_empty() {
        props.push_str("<c:supported-calendar-component-set>");
        for kind in &draft.components {
            props.push_str(&format!(r#"<c:comp name="{}"/>"#, kind.as_ical()));
        }
        props.push_str("</c:supported-calendar-component-set>");
    }
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<c:mkcalendar {NAMESPACES}><d:set><d:prop>{props}</d:prop></d:set></c:mkcalendar>
"#
    )
}

/// PROPPATCH of display name, colour and description (capture 30).
pub fn proppatch(patch: &CalendarPatch) -> String {
    let mut props = String::new();
    if let Some(name) = &patch.display_name {
        props.push_str(&format!("<d:displayname>{}</d:displayname>", escape(name)));
    }
    if let Some(color) = &patch.color {
        props.push_str(&format!(
            "<x1:calendar-color>{}</x1:calendar-color>",
            escape(color)
        ));
    }
    if let Some(description) = &patch.description {
        props.push_str(&format!(
            "<c:calendar-description>{}</c:calendar-description>",
            escape(description)
        ));
    }
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<d:propertyupdate {NAMESPACES}><d:set><d:prop>{props}</d:prop></d:set></d:propertyupdate>
"#
    )
}

/// calendar-multiget of some hrefs (capture 24; Depth 1).
pub fn calendar_multiget(hrefs: &[String]) -> String {
    multiget(hrefs, "")
}

/// calendar-multiget that also asks for getlastmodified: the modification
/// time of an object whose data carries neither LAST-MODIFIED nor DTSTAMP.
pub fn calendar_multiget_dated(hrefs: &[String]) -> String {
    multiget(hrefs, "<d:getlastmodified/>")
}

fn multiget(hrefs: &[String], extra: &str) -> String {
    let hrefs: String = hrefs
        .iter()
        .map(|h| format!("<d:href>{}</d:href>", escape(h.as_str())))
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/>{extra}<c:calendar-data/></d:prop>{hrefs}</c:calendar-multiget>
"#
    )
}
