//! Property tests: no value a caller can send reaches the iCalendar or vCard
//! writers and patchers in a way that adds a property line. The inputs are
//! deliberately *unchecked* (the domain's checks are bypassed), so these
//! prove the writers' own escaping. Each output is unfolded and every line's
//! property name must be one the writer itself emits, with the expected count
//! of UID, ATTENDEE, EMAIL, BEGIN lines.

//!
//! Shared here: the hostile strings and the line census; events and to-dos
//! in `events`, cards in `cards`, the parsers' fuzz run in `parsers`.

mod cards;
mod events;
mod parsers;

use proptest::prelude::*;

use super::ical::write;
use super::vcard;
use crate::domain::calendar::{Attendee, EventDraft, Reminder};
use crate::domain::contacts::{ContactPatch, Typed};
use cards::assert_card_sound;
use events::{assert_event_sound, utc};

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
