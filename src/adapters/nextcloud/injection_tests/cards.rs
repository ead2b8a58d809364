//! Cards: new ones and patched ones add no property line.

use proptest::prelude::*;

use super::{census, hostile, some_hostile};
use crate::adapters::nextcloud::vcard;
use crate::domain::contacts::{ContactPatch, PostalAddress, Typed};

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
pub(super) fn assert_card_sound(text: &str, p: &ContactPatch) {
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

pub(super) const BASE_CARD: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:base-1\r\nFN:Base\r\nN:Base;;;;\r\n\
EMAIL;TYPE=WORK:base@example.com\r\nTEL:+1 555 0100\r\nEND:VCARD\r\n";

proptest! {
    // 256 cases unless PROPTEST_CASES asks for more: a long search for a
    // rare case needs no edit.
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

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
