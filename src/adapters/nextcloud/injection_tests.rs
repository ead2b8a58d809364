//! Property tests: no value a caller can send reaches the iCalendar or vCard
//! writers and patchers in a way that adds a property line. The inputs are
//! deliberately *unchecked* (the domain's checks are bypassed), so these
//! prove the writers' own escaping. Each output is unfolded and every line's
//! property name must be one the writer itself emits, with the expected count
//! of UID, ATTENDEE, EMAIL, BEGIN lines.

use calcard::icalendar::ICalendar;
use proptest::prelude::*;

use super::ical::{patch, read, write};
use super::vcard;
use crate::domain::calendar::{Attendee, EventDraft, EventPatch, Organizer, Reminder};
use crate::domain::caltime::EventTime;
use crate::domain::contacts::{ContactPatch, PostalAddress, Typed};
use crate::domain::todos::{TodoDraft, TodoPatch};

/// Strings built from the pieces an attacker would use: line breaks of every
/// kind, property names, delimiters, quotes, escapes, other controls, plus
/// arbitrary characters.
fn hostile() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("\r\n".to_string()),
        Just("\n".to_string()),
        Just("\r".to_string()),
        Just("\r\n ".to_string()),
        Just("\n\t".to_string()),
        Just("ATTENDEE;CN=Evil:mailto:victim@example.com".to_string()),
        Just("UID:x".to_string()),
        Just("END:VEVENT".to_string()),
        Just("BEGIN:VALARM".to_string()),
        Just("EMAIL:evil@example.com".to_string()),
        Just("END:VCARD".to_string()),
        Just(":".to_string()),
        Just(";".to_string()),
        Just(",".to_string()),
        Just("=".to_string()),
        Just("\\".to_string()),
        Just("\"".to_string()),
        Just("\u{0}".to_string()),
        Just("\u{b}".to_string()),
        Just("\u{c}".to_string()),
        Just("\u{85}".to_string()),
        Just("\u{2028}".to_string()),
        Just("é".to_string()),
        "[a-z@. ]{1,4}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..10).prop_map(|parts| parts.concat())
}

fn some_hostile() -> impl Strategy<Value = Option<String>> {
    prop::option::of(hostile())
}

fn attendee() -> impl Strategy<Value = Attendee> {
    (hostile(), some_hostile(), some_hostile(), some_hostile()).prop_map(
        |(email, name, status, role)| Attendee {
            email,
            name,
            status,
            role,
        },
    )
}

fn reminder() -> impl Strategy<Value = Reminder> {
    (any::<i64>(), hostile()).prop_map(|(minutes_before, action)| Reminder {
        minutes_before,
        action,
    })
}

fn utc(hour: u32) -> EventTime {
    EventTime::Utc(
        chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
            .unwrap()
            .and_hms_opt(hour, 0, 0)
            .unwrap()
            .and_utc(),
    )
}

/// Logical lines: RFC 5545/6350 folding undone.
fn unfolded(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in text.split("\r\n") {
        match line.strip_prefix([' ', '\t']) {
            Some(rest) if !out.is_empty() => out.last_mut().unwrap().push_str(rest),
            _ => out.push(line.to_string()),
        }
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out
}

fn name_of(line: &str) -> String {
    line.split([';', ':'])
        .next()
        .unwrap_or("")
        .to_ascii_uppercase()
}

/// Every line's name is in `allowed`; returns how often each name occurs.
fn census(text: &str, allowed: &[&str]) -> std::collections::HashMap<String, usize> {
    assert!(
        text.split("\r\n").all(|l| !l.contains(['\n', '\r'])),
        "a bare line break survived: {text:?}"
    );
    let mut counts = std::collections::HashMap::new();
    for line in unfolded(text) {
        let name = name_of(&line);
        assert!(
            allowed.contains(&name.as_str()),
            "unexpected property line {line:?} in:\n{text}"
        );
        *counts.entry(name).or_insert(0) += 1;
    }
    counts
}

/// BEGIN/END lines, in order.
fn components(text: &str) -> Vec<String> {
    unfolded(text)
        .into_iter()
        .filter(|l| {
            let n = name_of(l);
            n == "BEGIN" || n == "END"
        })
        .map(|l| l.to_ascii_uppercase())
        .collect()
}

const EVENT_NAMES: &[&str] = &[
    "BEGIN",
    "END",
    "VERSION",
    "PRODID",
    "CALSCALE",
    "UID",
    "DTSTAMP",
    "CREATED",
    "LAST-MODIFIED",
    "SEQUENCE",
    "SUMMARY",
    "DTSTART",
    "DTEND",
    "DUE",
    "LOCATION",
    "DESCRIPTION",
    "CATEGORIES",
    "STATUS",
    "PRIORITY",
    "CLASS",
    "URL",
    "COLOR",
    "RRULE",
    "ATTENDEE",
    "ORGANIZER",
    "ACTION",
    "TRIGGER",
    "PERCENT-COMPLETE",
    "COMPLETED",
];

fn expected_components(kind: &str, alarms: usize) -> Vec<String> {
    let mut v = vec!["BEGIN:VCALENDAR".to_string(), format!("BEGIN:{kind}")];
    for _ in 0..alarms {
        v.push("BEGIN:VALARM".into());
        v.push("END:VALARM".into());
    }
    v.push(format!("END:{kind}"));
    v.push("END:VCALENDAR".into());
    v
}

/// What an event writer or patcher produced is sound: known names only, one
/// UID, the expected attendees and alarms, and it parses back.
fn assert_event_sound(text: &str, kind: &str, attendees: usize, alarms: usize) {
    let counts = census(text, EVENT_NAMES);
    assert_eq!(counts.get("UID"), Some(&1), "{text}");
    assert_eq!(
        counts.get("ATTENDEE").copied().unwrap_or(0),
        attendees,
        "{text}"
    );
    assert_eq!(
        components(text),
        expected_components(kind, alarms),
        "{text}"
    );
    let parsed = ICalendar::parse(text).expect("the output parses");
    assert_eq!(parsed.components.len(), 2 + alarms, "{text}");
}

const BASE_EVENT: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\n\
UID:base-1\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261201T100000Z\r\nDTEND:20261201T110000Z\r\n\
SUMMARY:Base\r\nATTENDEE;CN=Ann;PARTSTAT=ACCEPTED:mailto:ann@example.com\r\n\
BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT5M\r\nDESCRIPTION:Base\r\nEND:VALARM\r\n\
END:VEVENT\r\nEND:VCALENDAR\r\n";

const BASE_TODO: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VTODO\r\n\
UID:base-1\r\nDTSTAMP:20261101T000000Z\r\nSUMMARY:Base\r\nSTATUS:NEEDS-ACTION\r\n\
END:VTODO\r\nEND:VCALENDAR\r\n";

prop_compose! {
    fn event_draft()(
        title in hostile(), description in some_hostile(), location in some_hostile(),
        categories in prop::collection::vec(hostile(), 0..3), rule in some_hostile(),
        reminders in prop::collection::vec(reminder(), 0..3),
        attendees in prop::collection::vec(attendee(), 0..3),
        status in some_hostile(), privacy in some_hostile(), url in some_hostile(),
        color in some_hostile(),
    ) -> EventDraft {
        EventDraft {
            title, start: utc(10), end: Some(utc(11)), description, location, categories,
            recurrence_rule: rule, reminders, attendees, status, priority: Some(3), privacy,
            url, color,
            organizer: None,
        }
    }
}

prop_compose! {
    fn event_patch()(
        title in some_hostile(), description in some_hostile(), location in some_hostile(),
        categories in prop::option::of(prop::collection::vec(hostile(), 0..3)),
        rule in some_hostile(),
        reminders in prop::option::of(prop::collection::vec(reminder(), 0..3)),
        attendees in prop::option::of(prop::collection::vec(attendee(), 0..3)),
        status in some_hostile(), privacy in some_hostile(), url in some_hostile(),
        color in some_hostile(),
    ) -> EventPatch {
        EventPatch {
            title, start: None, end: None, description, location, categories,
            recurrence_rule: rule, reminders, attendees, status, priority: None, privacy,
            url, color,
        }
    }
}

fn opt_opt() -> impl Strategy<Value = Option<Option<String>>> {
    prop::option::of(some_hostile())
}

fn typed() -> impl Strategy<Value = Typed> {
    (hostile(), prop::collection::vec(hostile(), 0..2))
        .prop_map(|(value, types)| Typed { value, types })
}

prop_compose! {
    fn contact_patch()(
        names in (opt_opt(), opt_opt(), opt_opt(), opt_opt(), opt_opt(), opt_opt()),
        birthday in opt_opt(), note in opt_opt(),
        emails in prop::option::of(prop::collection::vec(typed(), 0..3)),
        phones in prop::option::of(prop::collection::vec(typed(), 0..3)),
        addresses in prop::option::of(prop::collection::vec(
            (hostile(), hostile(), hostile(), hostile(), hostile(), prop::collection::vec(hostile(), 0..2)),
            0..2,
        )),
        urls in prop::option::of(prop::collection::vec(hostile(), 0..3)),
        categories in prop::option::of(prop::collection::vec(hostile(), 0..3)),
    ) -> ContactPatch {
        let (full_name, given_name, family_name, nickname, organization, title) = names;
        ContactPatch {
            full_name, given_name, family_name, nickname, organization, title, birthday, note,
            emails, phones,
            addresses: addresses.map(|list| list.into_iter().map(|(street, city, region, postal_code, country, types)| PostalAddress {
                types, street, city, region, postal_code, country,
            }).collect()),
            urls, categories,
        }
    }
}

const CARD_NAMES: &[&str] = &[
    "BEGIN",
    "END",
    "VERSION",
    "PRODID",
    "UID",
    "FN",
    "N",
    "NICKNAME",
    "ORG",
    "TITLE",
    "BDAY",
    "NOTE",
    "EMAIL",
    "TEL",
    "ADR",
    "URL",
    "CATEGORIES",
    "REV",
];

fn expected_len(list: &Option<Vec<impl Sized>>) -> Option<usize> {
    list.as_ref().map(Vec::len)
}

/// Known names only, one UID, BEGIN/END once, and as many EMAIL/TEL/ADR
/// lines as the patch has entries (when it names them).
fn assert_card_sound(text: &str, p: &ContactPatch) {
    let counts = census(text, CARD_NAMES);
    let count = |n: &str| counts.get(n).copied().unwrap_or(0);
    assert_eq!(count("UID"), 1, "{text}");
    assert_eq!((count("BEGIN"), count("END")), (1, 1), "{text}");
    for (name, expected) in [
        ("EMAIL", expected_len(&p.emails)),
        ("TEL", expected_len(&p.phones)),
        ("ADR", expected_len(&p.addresses)),
    ] {
        if let Some(n) = expected {
            assert_eq!(count(name), n, "{name} in {text}");
        }
    }
    vcard::parse(text).expect("the output parses");
}

const BASE_CARD: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:base-1\r\nFN:Base\r\nN:Base;;;;\r\n\
EMAIL;TYPE=WORK:base@example.com\r\nTEL:+1 555 0100\r\nEND:VCARD\r\n";

/// Found by a long search (PROPTEST_CASES=20000, 1 failure in about 10,000
/// cases): a backslash ending a quoted CN, read by calcard as an escaped
/// quote, ran the parameter on into the next ones, and one ending the
/// address then came out of re-serialisation before a bare carriage return.
#[test]
fn a_backslash_ending_a_name_or_an_address_adds_no_line_break() {
    let d = EventDraft {
        title: String::new(),
        start: utc(10),
        end: Some(utc(11)),
        description: None,
        location: None,
        categories: Vec::new(),
        recurrence_rule: None,
        reminders: Vec::new(),
        attendees: vec![Attendee {
            email: "\\".into(),
            name: Some("ATTENDEE;CN=Evil:mailto:victim@example.com\\".into()),
            status: Some(";".into()),
            role: None,
        }],
        status: None,
        priority: Some(3),
        privacy: None,
        url: None,
        color: None,
        organizer: None,
    };
    let text = write::new_event("uid-1", &d).expect("written");
    assert_event_sound(&text, "VEVENT", 1, 0);
}

proptest! {
    // 256 cases unless PROPTEST_CASES asks for more: a long search for a
    // rare case needs no edit.
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn new_event_adds_no_property_line(d in event_draft()) {
        if let Ok(text) = write::new_event("uid-1", &d) {
            assert_event_sound(&text, "VEVENT", d.attendees.len(), d.reminders.len());
        }
    }

    #[test]
    fn new_todo_adds_no_property_line(
        summary in hostile(), description in some_hostile(), status in some_hostile(),
        categories in prop::collection::vec(hostile(), 0..3),
        reminders in prop::collection::vec(reminder(), 0..3),
    ) {
        let d = TodoDraft { summary, description, status, priority: Some(1), due: Some(utc(12)), dtstart: None, categories, reminders };
        if let Ok(text) = write::new_todo("uid-1", &d) {
            assert_event_sound(&text, "VTODO", 0, d.reminders.len());
        }
    }

    #[test]
    fn patched_event_gains_no_property_line(p in event_patch()) {
        let mut ical = read::parse(BASE_EVENT).unwrap();
        if patch::patch_event(&mut ical, "base-1", &p, None).is_ok() {
            let text = ical.to_string();
            let attendees = p.attendees.as_ref().map_or(1, Vec::len);
            let alarms = p.reminders.as_ref().map_or(1, Vec::len);
            assert_event_sound(&text, "VEVENT", attendees, alarms);
        }
    }

    #[test]
    fn patched_todo_gains_no_property_line(
        summary in some_hostile(), description in some_hostile(), status in some_hostile(),
        categories in prop::option::of(prop::collection::vec(hostile(), 0..3)),
        reminders in prop::option::of(prop::collection::vec(reminder(), 0..3)),
    ) {
        let p = TodoPatch { summary, description, status, categories, reminders, ..TodoPatch::default() };
        let mut ical = read::parse(BASE_TODO).unwrap();
        if patch::patch_todo(&mut ical, "base-1", &p).is_ok() {
            let text = ical.to_string();
            let alarms = p.reminders.as_ref().map_or(0, Vec::len);
            assert_event_sound(&text, "VTODO", 0, alarms);
        }
    }

    #[test]
    fn new_card_adds_no_property_line(uid in hostile(), p in contact_patch()) {
        if let Ok(text) = vcard::new_card(&uid, &p) {
            assert_card_sound(&text, &p);
        }
    }

    #[test]
    fn patched_card_gains_no_property_line(p in contact_patch()) {
        let mut card = vcard::parse(BASE_CARD).unwrap();
        if vcard::patch_card(&mut card, &p).is_ok() {
            assert_card_sound(&vcard::write(&card), &p);
        }
    }
}

/// The attacks from the report, against the writers without the domain's
/// checks: the injected text stays inside its value.
#[test]
fn reported_attacks_stay_inside_their_values() {
    let draft = EventDraft {
        title: "Sync".into(),
        start: utc(10),
        end: None,
        description: None,
        location: None,
        categories: vec![],
        recurrence_rule: None,
        reminders: vec![Reminder {
            minutes_before: i64::MIN,
            action: "DISPLAY".into(),
        }],
        attendees: vec![Attendee {
            email: "victim@example.com\r".into(),
            name: None,
            status: None,
            role: None,
        }],
        status: None,
        priority: None,
        privacy: None,
        url: Some("https://a.example/\r\nATTENDEE;CN=Evil:mailto:victim@example.com".into()),
        color: None,
        organizer: None,
    };
    let text = write::new_event("uid-1", &draft).unwrap();
    assert_event_sound(&text, "VEVENT", 1, 1);
    assert!(
        !unfolded(&text)
            .iter()
            .any(|l| l.contains("CN=Evil") && !l.starts_with("URL:")),
        "the injected attendee stays inside the URL: {text}"
    );
    assert!(
        unfolded(&text).iter().any(|l| l
            == "ATTENDEE;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:victim@example.com"),
        "no bare CR kept: {text}"
    );

    let p = ContactPatch {
        full_name: Some(Some("Bob".into())),
        emails: Some(vec![Typed {
            value: "bob@example.com\r\nUID:x".into(),
            types: vec![],
        }]),
        ..ContactPatch::default()
    };
    let text = vcard::new_card("uid-1", &p).unwrap();
    assert_card_sound(&text, &p);
}

/// A meeting's organizer name cannot add parameters or lines: it is a
/// quoted parameter value without quotes or control characters.
#[test]
fn a_hostile_organizer_name_stays_one_parameter() {
    let draft = EventDraft {
        title: "Sync".into(),
        start: utc(10),
        end: Some(utc(11)),
        description: None,
        location: None,
        categories: vec![],
        recurrence_rule: None,
        reminders: vec![],
        attendees: vec![Attendee {
            email: "ann@example.com".into(),
            name: None,
            status: None,
            role: None,
        }],
        status: None,
        priority: None,
        privacy: None,
        url: None,
        color: None,
        organizer: Some(Organizer {
            email: "me@example.com".into(),
            name: Some("Eve\";ROLE=CHAIR:mailto:x@evil\r\nATTENDEE:mailto:y@evil".into()),
        }),
    };
    let text = write::new_event("uid-1", &draft).unwrap();
    assert_event_sound(&text, "VEVENT", 1, 0);
    let unfolded = text.replace("\r\n ", "");
    let organizer: Vec<&str> = unfolded
        .split("\r\n")
        .filter(|l| l.starts_with("ORGANIZER"))
        .collect();
    assert_eq!(
        organizer,
        [
            "ORGANIZER;CN=\"Eve;ROLE=CHAIR:mailto:x@evilATTENDEE:mailto:y@evil\":mailto:me@example.com"
        ]
    );
}

/// Documents stitched from real lines and hostile pieces.
fn hostile_document() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        prop::sample::select(BASE_EVENT.split("\r\n").collect::<Vec<_>>()).prop_map(str::to_string),
        prop::sample::select(BASE_CARD.split("\r\n").collect::<Vec<_>>()).prop_map(str::to_string),
        hostile(),
    ];
    prop::collection::vec(line, 0..40).prop_map(|lines| lines.join("\r\n"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    /// A bounded fuzz-style run: the parsers that read what Nextcloud (or
    /// another client) stored never panic on malformed text.
    #[test]
    fn ical_and_vcard_parsers_survive_512_hostile_documents(text in hostile_document()) {
        let _ = read::parse(&text);
        let _ = vcard::parse(&text);
    }
}
