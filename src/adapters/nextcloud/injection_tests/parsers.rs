//! The parsers of stored iCalendar and vCard text never panic.

use proptest::prelude::*;

use super::cards::BASE_CARD;
use super::events::BASE_EVENT;
use super::hostile;
use crate::adapters::nextcloud::{ical::read, vcard};

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
