//! Contacts as the tools see them; `contact_data` (the tools' JSON object)
//! is read into a [`ContactPatch`] in `patch`.

mod patch;

use serde::Serialize;

pub use patch::{ContactInputError, ContactPatch, KNOWN_FIELDS, check_uid};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AddressBook {
    /// The collection's URI segment (`contacts`).
    pub name: String,
    pub display_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sync_token: Option<String>,
}

/// An email address or phone number with its TYPEs (`work`, `cell`...).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Typed {
    pub value: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PostalAddress {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<String>,
    pub street: String,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    pub country: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Contact {
    pub uid: String,
    pub addressbook: String,
    pub full_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<Typed>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<Typed>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<PostalAddress>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birthday: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub urls: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// The vCard version as read (`3.0` or `4.0`).
    pub version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
}

impl Contact {
    /// Case-insensitive match on name, nickname, organisation, email, and
    /// phone (digits only, so `+31 6 1234` finds `+31612345678`).
    pub fn matches(&self, query: &str) -> bool {
        let q = query.trim().to_lowercase();
        if q.is_empty() {
            return true;
        }
        let text = [
            Some(&self.full_name),
            self.nickname.as_ref(),
            self.organization.as_ref(),
            self.given_name.as_ref(),
            self.family_name.as_ref(),
        ];
        let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
        let q_digits = digits(&q);
        text.iter().flatten().any(|t| t.to_lowercase().contains(&q))
            || self
                .emails
                .iter()
                .any(|e| e.value.to_lowercase().contains(&q))
            || (q_digits.len() >= 3
                && self
                    .phones
                    .iter()
                    .any(|p| digits(&p.value).contains(&q_digits)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_matches_names_emails_and_phone_digits() {
        let c = Contact {
            full_name: "Bob Builder".into(),
            organization: Some("Example BV".into()),
            emails: vec![Typed {
                value: "bob@example.test".into(),
                types: vec![],
            }],
            phones: vec![Typed {
                value: "+31 6 1234 5678".into(),
                types: vec![],
            }],
            ..Contact::default()
        };
        for q in ["bob", "EXAMPLE bv", "bob@", "612345"] {
            assert!(c.matches(q), "{q}");
        }
        assert!(!c.matches("alice"));
    }
}
