//! `contact_data` (the tools' JSON object) read into a patch that names
//! only the fields to change, each value checked as it is read.

use serde_json::{Map, Value};

use super::{PostalAddress, Typed};
use crate::domain::text::{
    TextInputError, check_count, check_email, check_line, check_phone, check_text, check_url,
};

/// Changes to a contact: `None` keeps a field, `Some(None)` / an empty list
/// removes it. Properties the patch does not name survive untouched.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContactPatch {
    pub full_name: Option<Option<String>>,
    pub given_name: Option<Option<String>>,
    pub family_name: Option<Option<String>>,
    pub nickname: Option<Option<String>>,
    pub organization: Option<Option<String>>,
    pub title: Option<Option<String>>,
    pub birthday: Option<Option<String>>,
    pub note: Option<Option<String>>,
    pub emails: Option<Vec<Typed>>,
    pub phones: Option<Vec<Typed>>,
    pub addresses: Option<Vec<PostalAddress>>,
    pub urls: Option<Vec<String>>,
    pub categories: Option<Vec<String>>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ContactInputError {
    #[error("contact_data has an unknown field '{0}'; known fields: {KNOWN_FIELDS}")]
    UnknownField(String),
    #[error("contact_data field '{field}' should be {expected}")]
    WrongShape {
        field: String,
        expected: &'static str,
    },
    #[error("contact_data changes nothing; give at least one of: {KNOWN_FIELDS}")]
    Empty,
    #[error(
        "a new contact needs a name: give fn (full name), given_name/family_name, org or email"
    )]
    NoName,
    #[error(transparent)]
    Text(#[from] TextInputError),
    #[error(
        "contact_data type {0:?} is not a vCard TYPE; use letters, digits and '-', e.g. work, home, cell"
    )]
    BadType(String),
    #[error(
        "uid {0:?} cannot be a contact uid; use 1 to 200 printable characters without '/' or '\\'"
    )]
    BadUid(String),
}

pub const KNOWN_FIELDS: &str = "fn, given_name, family_name, nickname, email, tel, org, title, \
     adr, bday, note, url, categories";

fn text(field: &str, value: &Value) -> Result<Option<String>, ContactInputError> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) => Ok(Some(s.trim().to_string())),
        Value::Number(n) => Ok(Some(n.to_string())),
        _ => Err(ContactInputError::WrongShape {
            field: field.into(),
            expected: "a string (or null / \"\" to remove it)",
        }),
    }
}

fn items(value: &Value) -> Vec<&Value> {
    match value {
        Value::Null => vec![],
        Value::Array(list) => list.iter().collect(),
        other => vec![other],
    }
}

fn types_of(object: &Map<String, Value>) -> Vec<String> {
    match object.get("type").or_else(|| object.get("types")) {
        Some(Value::String(s)) => s
            .split(',')
            .map(|t| t.trim().to_lowercase())
            .filter(|t| !t.is_empty())
            .collect(),
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(|t| t.as_str())
            .map(str::to_lowercase)
            .collect(),
        _ => vec![],
    }
}

fn typed_list(field: &str, value: &Value) -> Result<Vec<Typed>, ContactInputError> {
    let shape = ContactInputError::WrongShape {
        field: field.into(),
        expected: "a string, a list of strings, or a list of {\"value\": ..., \"type\": \"work\"}",
    };
    items(value)
        .into_iter()
        .filter(|v| v.as_str().is_none_or(|s| !s.trim().is_empty()))
        .map(|item| match item {
            Value::String(s) => Ok(Typed {
                value: s.trim().to_string(),
                types: vec![],
            }),
            Value::Object(o) => {
                let value = ["value", "email", "number", "tel", "phone"]
                    .iter()
                    .find_map(|k| o.get(*k).and_then(Value::as_str))
                    .ok_or_else(|| shape.clone())?;
                Ok(Typed {
                    value: value.trim().to_string(),
                    types: types_of(o),
                })
            }
            _ => Err(shape.clone()),
        })
        .collect()
}

fn address_list(value: &Value) -> Result<Vec<PostalAddress>, ContactInputError> {
    items(value)
        .into_iter()
        .map(|item| match item {
            Value::String(s) => Ok(PostalAddress { street: s.trim().to_string(), ..PostalAddress::default() }),
            Value::Object(o) => {
                let get = |keys: &[&str]| {
                    keys.iter().find_map(|k| o.get(*k).and_then(Value::as_str)).unwrap_or("").trim().to_string()
                };
                Ok(PostalAddress {
                    types: types_of(o),
                    street: get(&["street"]),
                    city: get(&["city", "locality"]),
                    region: get(&["region", "state"]),
                    postal_code: get(&["postal_code", "postcode", "zip"]),
                    country: get(&["country"]),
                })
            }
            _ => Err(ContactInputError::WrongShape {
                field: "adr".into(),
                expected: "a string or {\"street\", \"city\", \"region\", \"postal_code\", \"country\", \"type\"}",
            }),
        })
        .collect()
}

fn string_list(field: &str, value: &Value) -> Result<Vec<String>, ContactInputError> {
    match value {
        Value::String(s) => Ok(s
            .split(',')
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect()),
        _ => typed_list(field, value).map(|list| list.into_iter().map(|t| t.value).collect()),
    }
}

impl ContactPatch {
    /// Reads the tools' `contact_data` object.
    pub fn from_json(data: &Map<String, Value>) -> Result<Self, ContactInputError> {
        let mut patch = ContactPatch::default();
        for (key, value) in data {
            let k = key.to_ascii_lowercase();
            match k.as_str() {
                "fn" | "full_name" | "display_name" | "formatted_name" => {
                    patch.full_name = Some(text(key, value)?)
                }
                "given_name" | "first_name" | "given" => patch.given_name = Some(text(key, value)?),
                "family_name" | "last_name" | "surname" | "family" => {
                    patch.family_name = Some(text(key, value)?)
                }
                "nickname" => patch.nickname = Some(text(key, value)?),
                "org" | "organization" | "organisation" | "company" => {
                    patch.organization = Some(text(key, value)?)
                }
                "title" | "job_title" => patch.title = Some(text(key, value)?),
                "bday" | "birthday" => patch.birthday = Some(text(key, value)?),
                "note" | "notes" => patch.note = Some(text(key, value)?),
                "email" | "emails" => patch.emails = Some(typed_list(key, value)?),
                "tel" | "phone" | "phones" | "telephone" => {
                    patch.phones = Some(typed_list(key, value)?)
                }
                "adr" | "address" | "addresses" => patch.addresses = Some(address_list(value)?),
                "url" | "urls" | "website" => patch.urls = Some(string_list(key, value)?),
                "categories" | "groups" => patch.categories = Some(string_list(key, value)?),
                _ => return Err(ContactInputError::UnknownField(key.clone())),
            }
        }
        if patch == ContactPatch::default() {
            return Err(ContactInputError::Empty);
        }
        patch.check()?;
        Ok(patch)
    }

    /// Every value that becomes vCard text: one-line fields stay on one line,
    /// emails, phones and URLs have their shape, sizes are bounded.
    pub fn check(&self) -> Result<(), ContactInputError> {
        let line = |field: &str, v: &Option<Option<String>>| match v.clone().flatten() {
            Some(t) => check_line(field, &t),
            None => Ok(()),
        };
        line("fn", &self.full_name)?;
        line("given_name", &self.given_name)?;
        line("family_name", &self.family_name)?;
        line("nickname", &self.nickname)?;
        line("org", &self.organization)?;
        line("title", &self.title)?;
        line("bday", &self.birthday)?;
        if let Some(Some(note)) = &self.note {
            check_text("note", note)?;
        }
        let types = |list: &[String]| -> Result<(), ContactInputError> {
            check_count("type", list.len())?;
            match list
                .iter()
                .find(|t| t.is_empty() || !t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
            {
                Some(bad) => Err(ContactInputError::BadType(bad.clone())),
                None => Ok(()),
            }
        };
        for (field, list, check) in [
            (
                "email",
                &self.emails,
                check_email as fn(&str, &str) -> Result<(), TextInputError>,
            ),
            ("tel", &self.phones, check_phone),
        ] {
            if let Some(list) = list {
                check_count(field, list.len())?;
                for item in list {
                    check(field, &item.value)?;
                    types(&item.types)?;
                }
            }
        }
        if let Some(list) = &self.addresses {
            check_count("adr", list.len())?;
            for a in list {
                for part in [&a.street, &a.city, &a.region, &a.postal_code, &a.country] {
                    check_line("adr", part)?;
                }
                types(&a.types)?;
            }
        }
        if let Some(list) = &self.urls {
            check_count("url", list.len())?;
            list.iter().try_for_each(|u| check_url("url", u))?;
        }
        if let Some(list) = &self.categories {
            check_count("categories", list.len())?;
            list.iter().try_for_each(|c| check_line("categories", c))?;
        }
        Ok(())
    }

    /// The full name a new contact gets: `fn`, else given + family, else org, else email.
    pub fn display_name(&self) -> Option<String> {
        let some = |v: &Option<Option<String>>| v.clone().flatten();
        some(&self.full_name)
            .or_else(|| {
                let parts: Vec<String> = [some(&self.given_name), some(&self.family_name)]
                    .into_iter()
                    .flatten()
                    .collect();
                (!parts.is_empty()).then(|| parts.join(" "))
            })
            .or_else(|| some(&self.organization))
            .or_else(|| {
                self.emails
                    .as_ref()
                    .and_then(|e| e.first())
                    .map(|e| e.value.clone())
            })
    }
}

/// A caller-chosen contact uid: it becomes the UID and the card's file
/// name, so one printable line without path separators.
pub fn check_uid(uid: &str) -> Result<(), ContactInputError> {
    let ok = !uid.is_empty()
        && uid.chars().count() <= 200
        && !uid.chars().any(|c| c.is_control() || c == '/' || c == '\\');
    if ok {
        Ok(())
    } else {
        Err(ContactInputError::BadUid(uid.chars().take(80).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn patch(value: Value) -> Result<ContactPatch, ContactInputError> {
        ContactPatch::from_json(value.as_object().unwrap())
    }

    #[test]
    fn contact_data_names_only_what_changes() {
        let p = patch(json!({"fn": "Bob Builder", "email": [{"value": "bob@x.test", "type": "work"}], "note": null})).unwrap();
        assert_eq!(p.full_name, Some(Some("Bob Builder".into())));
        assert_eq!(p.emails.unwrap()[0].types, vec!["work"]);
        assert_eq!(p.note, Some(None), "null removes");
        assert_eq!(p.phones, None, "absent keeps");
        let err = patch(json!({"shoe_size": 44})).unwrap_err().to_string();
        assert!(err.contains("shoe_size") && err.contains("email"), "{err}");
        assert_eq!(patch(json!({})).unwrap_err(), ContactInputError::Empty);
        let named = patch(json!({"given_name": "Ada", "family_name": "Lovelace"})).unwrap();
        assert_eq!(named.display_name().as_deref(), Some("Ada Lovelace"));
    }

    #[test]
    fn injected_lines_and_bad_shapes_are_refused_with_what_is_allowed() {
        let err = patch(json!({"fn": "Bob", "email": "bob@example.com\r\nUID:x"})).unwrap_err();
        assert!(err.to_string().contains("U+000D"), "{err}");
        let err = patch(json!({"fn": "Bob", "email": "not an address"})).unwrap_err();
        assert!(err.to_string().contains("alice@example.com"), "{err}");
        let err = patch(json!({"tel": "+1\nUID:x"})).unwrap_err();
        assert!(err.to_string().contains("control character"), "{err}");
        let err = patch(json!({"tel": "call me"})).unwrap_err();
        assert!(err.to_string().contains("+31 6 1234 5678"), "{err}");
        let err = patch(json!({"url": "javascript:alert(1)"})).unwrap_err();
        assert!(err.to_string().contains("http(s) URL"), "{err}");
        assert!(patch(json!({"fn": "a\rb"})).is_err());
        assert!(patch(json!({"fn": "x".repeat(501)})).is_err());
        assert!(
            patch(json!({"note": "line 1\nline 2"})).is_ok(),
            "notes keep line breaks"
        );
        assert!(patch(json!({"adr": {"street": "Main St 1\nUID:x"}})).is_err());
        assert!(patch(json!({"email": {"value": "a@b.example", "type": "work;X=1"}})).is_err());
        assert!(patch(json!({"bday": "1990-01-01\r\nUID:x"})).is_err());
        assert!(
            patch(json!({"email": "a@b.example", "tel": {"value": "+1 555 0100", "type": "cell"}}))
                .is_ok()
        );
    }

    #[test]
    fn uids_are_one_printable_line_without_separators() {
        assert!(check_uid("3f2a-11").is_ok());
        for bad in ["", "a/b", "a\\b", "a\r\nUID:x", &"x".repeat(201)] {
            assert!(check_uid(bad).is_err(), "{bad:?}");
        }
    }
}
