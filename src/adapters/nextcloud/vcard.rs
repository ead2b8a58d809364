//! vCard 3.0 and 4.0 in (calcard parses both), vCard 3.0 out: the version
//! Nextcloud serves by default, so what we write is what every client reads.
//! Changes are made in place on the parsed card; properties a change does not
//! name (X-, PHOTO, unknown ones) survive.

use calcard::common::PartialDateTime;
use calcard::vcard::{VCard, VCardEntry, VCardValue, VCardVersion};

use super::ical::write::{escape_text, raw_value};
use crate::adapters::nextcloud::errors::protocol;
use crate::domain::contacts::{Contact, ContactPatch, PostalAddress, Typed};
use crate::ports::nextcloud::NextcloudError;

pub const WRITTEN_VERSION: VCardVersion = VCardVersion::V3_0;
const PRODID: &str = "-//nextcloud-mcp//EN";

pub fn parse(text: &str) -> Result<VCard, NextcloudError> {
    VCard::parse(text).map_err(|_| protocol("the contact is not a valid vCard"))
}

/// The card as vCard 3.0 text.
pub fn write(card: &VCard) -> String {
    let mut out = String::new();
    let _ = card.write_to(&mut out, WRITTEN_VERSION);
    out
}

fn is(entry: &VCardEntry, name: &str) -> bool {
    entry.name.as_str().eq_ignore_ascii_case(name)
}

fn date_text(dt: &PartialDateTime) -> Option<String> {
    match (dt.year, dt.month, dt.day) {
        (Some(y), Some(m), Some(d)) => Some(format!("{y:04}-{m:02}-{d:02}")),
        (None, Some(m), Some(d)) => Some(format!("--{m:02}-{d:02}")),
        (Some(y), Some(m), None) => Some(format!("{y:04}-{m:02}")),
        (Some(y), None, None) => Some(format!("{y:04}")),
        _ => None,
    }
}

fn value_text(value: &VCardValue) -> Option<String> {
    match value {
        VCardValue::PartialDateTime(dt) => date_text(dt),
        other => other.clone().into_text().map(|t| t.into_owned()),
    }
}

/// The values of an entry; structured ones (N, ADR) have one per component.
fn values(entry: &VCardEntry) -> Vec<String> {
    entry.values.iter().filter_map(value_text).collect()
}

fn first(card: &VCard, name: &str) -> Option<String> {
    card.entries
        .iter()
        .find(|e| is(e, name))
        .map(|e| values(e).join(" "))
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

fn types(entry: &VCardEntry) -> Vec<String> {
    entry
        .params
        .iter()
        .filter(|p| p.name.as_str().eq_ignore_ascii_case("TYPE"))
        .filter_map(|p| p.value.as_text())
        .flat_map(|t| {
            t.split(',')
                .map(|s| s.trim().to_lowercase())
                .collect::<Vec<_>>()
        })
        .filter(|t| !t.is_empty())
        .collect()
}

fn typed(card: &VCard, name: &str) -> Vec<Typed> {
    card.entries
        .iter()
        .filter(|e| is(e, name))
        .filter_map(|e| {
            let value = values(e).join(",");
            let value = value.trim();
            let value = value.strip_prefix("tel:").unwrap_or(value);
            (!value.is_empty()).then(|| Typed {
                value: value.to_string(),
                types: types(e),
            })
        })
        .collect()
}

/// REV, when the card last changed, as Unix seconds.
pub fn revision(card: &VCard) -> Option<i64> {
    let rev = card.entries.iter().find(|e| is(e, "REV"))?;
    match rev.values.first()? {
        VCardValue::PartialDateTime(dt) => super::ical::read::unix_seconds(dt),
        other => {
            // vCard 3.0 also allows the extended form: 2026-11-20T09:00:00Z.
            let text = other.clone().into_text()?;
            chrono::DateTime::parse_from_rfc3339(text.trim())
                .ok()
                .map(|d| d.timestamp())
        }
    }
}

pub fn read(card: &VCard, addressbook: &str, etag: Option<&str>) -> Contact {
    let name_parts = card
        .entries
        .iter()
        .find(|e| is(e, "N"))
        .map(values)
        .unwrap_or_default();
    let part = |i: usize| {
        name_parts
            .get(i)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let addresses = card
        .entries
        .iter()
        .filter(|e| is(e, "ADR"))
        .map(|e| {
            let v = values(e);
            let at = |i: usize| v.get(i).cloned().unwrap_or_default();
            PostalAddress {
                types: types(e),
                street: at(2),
                city: at(3),
                region: at(4),
                postal_code: at(5),
                country: at(6),
            }
        })
        .collect();
    let list = |name: &str| {
        card.entries
            .iter()
            .filter(|e| is(e, name))
            .flat_map(values)
            .filter(|v| !v.is_empty())
            .collect::<Vec<_>>()
    };
    Contact {
        uid: first(card, "UID").unwrap_or_default(),
        addressbook: addressbook.to_string(),
        full_name: first(card, "FN").unwrap_or_default(),
        given_name: part(1),
        family_name: part(0),
        nickname: first(card, "NICKNAME"),
        emails: typed(card, "EMAIL"),
        phones: typed(card, "TEL"),
        organization: card
            .entries
            .iter()
            .find(|e| is(e, "ORG"))
            .map(|e| values(e).join(", "))
            .filter(|o| !o.trim().is_empty()),
        title: first(card, "TITLE"),
        addresses,
        birthday: first(card, "BDAY"),
        note: first(card, "NOTE"),
        urls: list("URL"),
        categories: list("CATEGORIES")
            .into_iter()
            .flat_map(|c| c.split(',').map(str::to_string).collect::<Vec<_>>())
            .collect(),
        version: first(card, "VERSION").unwrap_or_else(|| "3.0".into()),
        etag: etag.map(str::to_string),
    }
}

fn type_param(types: &[String]) -> String {
    let clean: Vec<String> = types
        .iter()
        // TYPE values are tokens (work, cell, x-custom): anything else could
        // end the parameter or, after a backslash, confuse the writer's folding.
        .map(|t| {
            t.replace(|c: char| !(c.is_ascii_alphanumeric() || c == '-'), "")
                .to_uppercase()
        })
        .filter(|t| !t.is_empty())
        .collect();
    if clean.is_empty() {
        String::new()
    } else {
        format!(";TYPE={}", clean.join(","))
    }
}

fn structured(parts: &[&str]) -> String {
    parts
        .iter()
        .map(|p| escape_text(p))
        .collect::<Vec<_>>()
        .join(";")
}

/// The property lines a patch sets, per vCard property name.
fn lines(patch: &ContactPatch, card: Option<&VCard>) -> Vec<(&'static str, Vec<String>)> {
    let text = |name: &'static str, v: &Option<Option<String>>| {
        v.as_ref().map(|v| {
            (
                name,
                v.iter()
                    .map(|t| format!("{name}:{}", escape_text(t)))
                    .collect(),
            )
        })
    };
    let mut out: Vec<(&'static str, Vec<String>)> = Vec::new();
    out.extend(text("FN", &patch.full_name));
    out.extend(text("NICKNAME", &patch.nickname));
    out.extend(text("TITLE", &patch.title));
    out.extend(text("NOTE", &patch.note));
    if let Some(bday) = &patch.birthday {
        out.push((
            "BDAY",
            bday.iter()
                .map(|b| format!("BDAY:{}", raw_value(b)))
                .collect(),
        ));
    }
    if let Some(org) = &patch.organization {
        out.push((
            "ORG",
            org.iter()
                .map(|o| format!("ORG:{}", escape_text(o)))
                .collect(),
        ));
    }
    if patch.given_name.is_some() || patch.family_name.is_some() {
        let current = card.map(|c| read(c, "", None)).unwrap_or_default();
        let pick = |new: &Option<Option<String>>, old: Option<String>| match new {
            Some(v) => v.clone().unwrap_or_default(),
            None => old.unwrap_or_default(),
        };
        let family = pick(&patch.family_name, current.family_name);
        let given = pick(&patch.given_name, current.given_name);
        out.push((
            "N",
            vec![format!("N:{};;;", structured(&[&family, &given]))],
        ));
    }
    if let Some(emails) = &patch.emails {
        out.push((
            "EMAIL",
            emails
                .iter()
                .map(|e| format!("EMAIL{}:{}", type_param(&e.types), raw_value(&e.value)))
                .collect(),
        ));
    }
    if let Some(phones) = &patch.phones {
        out.push((
            "TEL",
            phones
                .iter()
                .map(|p| format!("TEL{}:{}", type_param(&p.types), raw_value(&p.value)))
                .collect(),
        ));
    }
    if let Some(addresses) = &patch.addresses {
        out.push((
            "ADR",
            addresses
                .iter()
                .map(|a| {
                    format!(
                        "ADR{}:;;{}",
                        type_param(&a.types),
                        structured(&[&a.street, &a.city, &a.region, &a.postal_code, &a.country])
                    )
                })
                .collect(),
        ));
    }
    if let Some(urls) = &patch.urls {
        out.push((
            "URL",
            urls.iter()
                .map(|u| format!("URL:{}", raw_value(u)))
                .collect(),
        ));
    }
    if let Some(categories) = &patch.categories {
        let joined: Vec<String> = categories.iter().map(|c| escape_text(c)).collect();
        out.push((
            "CATEGORIES",
            (!joined.is_empty())
                .then(|| format!("CATEGORIES:{}", joined.join(",")))
                .into_iter()
                .collect(),
        ));
    }
    out
}

fn parsed_entries(lines: &[String]) -> Result<Vec<VCardEntry>, NextcloudError> {
    if lines.is_empty() {
        return Ok(vec![]);
    }
    let card = parse(&format!(
        "BEGIN:VCARD\r\nVERSION:3.0\r\n{}\r\nEND:VCARD\r\n",
        lines.join("\r\n")
    ))?;
    Ok(card
        .entries
        .into_iter()
        .filter(|e| !is(e, "VERSION"))
        .collect())
}

/// Applies a patch in place; every property it does not name stays as it was.
pub fn patch_card(card: &mut VCard, patch: &ContactPatch) -> Result<(), NextcloudError> {
    for (name, new_lines) in lines(patch, Some(&card.clone())) {
        let new = parsed_entries(&new_lines)?;
        let at = card.entries.iter().position(|e| is(e, name));
        card.entries.retain(|e| !is(e, name));
        let at = at.unwrap_or(card.entries.len()).min(card.entries.len());
        card.entries.splice(at..at, new);
    }
    let rev = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    let rev_entries = parsed_entries(&[format!("REV:{rev}")])?;
    card.entries.retain(|e| !is(e, "REV"));
    card.entries.extend(rev_entries);
    Ok(())
}

/// A new vCard 3.0 with `uid` and the patch's fields; FN falls back to the
/// name parts, organisation or email.
pub fn new_card(uid: &str, patch: &ContactPatch) -> Result<String, NextcloudError> {
    let mut card = parse(&format!(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:{PRODID}\r\nUID:{}\r\nEND:VCARD\r\n",
        escape_text(uid)
    ))?;
    let mut patch = patch.clone();
    if patch.full_name.clone().flatten().is_none() {
        patch.full_name = Some(patch.display_name());
    }
    if patch.given_name.is_none() && patch.family_name.is_none() {
        patch.family_name = Some(None);
    }
    patch_card(&mut card, &patch)?;
    Ok(write(&card))
}
