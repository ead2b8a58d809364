//! Sharing (OCS files_sharing): shares, permissions in words, and the checks
//! on new shares and changes.

use serde::Serialize;

pub use super::dates::CivilDate;
use super::path::UserPath;

/// Share permission bits, in Nextcloud's order.
pub const PERMISSION_NAMES: [(u8, &str); 5] = [
    (1, "read"),
    (2, "update"),
    (4, "create"),
    (8, "delete"),
    (16, "share"),
];
pub const ALL_PERMISSIONS: u8 = 31;

/// The permission bits as words, e.g. 17 -> ["read", "share"].
pub fn permission_words(bits: u8) -> Vec<&'static str> {
    PERMISSION_NAMES
        .iter()
        .filter(|(bit, _)| bits & bit != 0)
        .map(|(_, name)| *name)
        .collect()
}

/// What a share is shared with (`shareType`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ShareType {
    User,
    Group,
    PublicLink,
    Email,
    Federated,
    Team,
    TalkRoom,
    Other(i64),
}

impl ShareType {
    pub fn from_code(code: i64) -> Self {
        match code {
            0 => Self::User,
            1 => Self::Group,
            3 => Self::PublicLink,
            4 => Self::Email,
            6 => Self::Federated,
            7 => Self::Team,
            10 => Self::TalkRoom,
            other => Self::Other(other),
        }
    }

    pub fn code(self) -> i64 {
        match self {
            Self::User => 0,
            Self::Group => 1,
            Self::PublicLink => 3,
            Self::Email => 4,
            Self::Federated => 6,
            Self::Team => 7,
            Self::TalkRoom => 10,
            Self::Other(code) => code,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Group => "group",
            Self::PublicLink => "public link",
            Self::Email => "email",
            Self::Federated => "federated",
            Self::Team => "team",
            Self::TalkRoom => "talk room",
            Self::Other(_) => "other",
        }
    }

    /// Whether the share needs a recipient (`shareWith`).
    pub fn needs_recipient(self) -> bool {
        !matches!(self, Self::PublicLink)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Share {
    pub id: u64,
    pub share_type: i64,
    pub share_type_name: &'static str,
    pub path: String,
    pub item_type: String,
    pub permissions: u8,
    pub permission_names: Vec<&'static str>,
    /// The recipient; never set for public links (Nextcloud puts the
    /// password hash there).
    pub share_with: Option<String>,
    pub share_with_displayname: Option<String>,
    pub owner: String,
    pub url: Option<String>,
    pub expiration: Option<String>,
    pub label: String,
    pub note: String,
    pub has_password: bool,
    pub created: i64,
}

/// Which shares to list.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ShareQuery {
    pub path: Option<UserPath>,
    /// With `path`: also shares others made of it (reshares).
    pub reshares: bool,
    /// With `path` (a folder): the shares of the items inside it instead.
    pub subfiles: bool,
    /// Shares others made with the user, instead of the user's own.
    pub shared_with_me: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ShareDraft {
    pub path: UserPath,
    pub share_type: ShareType,
    pub share_with: Option<String>,
    pub permissions: Option<u8>,
    pub password: Option<String>,
    pub expire_date: Option<CivilDate>,
    pub label: Option<String>,
    pub note: Option<String>,
}

/// A change to a share; `None` keeps a field. An empty password or expiry
/// removes it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SharePatch {
    pub permissions: Option<u8>,
    pub password: Option<String>,
    pub expire_date: Option<String>,
    pub label: Option<String>,
    pub note: Option<String>,
}

impl SharePatch {
    pub fn is_empty(&self) -> bool {
        self.permissions.is_none()
            && self.password.is_none()
            && self.expire_date.is_none()
            && self.label.is_none()
            && self.note.is_none()
    }
}

/// A user, group or other recipient found by a sharee search.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sharee {
    pub label: String,
    pub share_type: i64,
    pub share_type_name: &'static str,
    pub share_with: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShareInputError {
    #[error(
        "permissions {0} is out of range; add up 1 read, 2 update, 4 create, 8 delete, 16 share (1 to 31)"
    )]
    BadPermissions(i64),
    #[error(
        "share type {0} is not one this tool creates; use 0 user, 1 group, 4 email, 6 federated or 7 team (public links: nc_share_create_public_link)"
    )]
    BadShareType(i64),
    #[error(
        "share_with is required for a {0} share: the user id, group id or address to share with"
    )]
    MissingRecipient(&'static str),
    #[error("expiry '{0}' is not a date; use YYYY-MM-DD")]
    BadDate(String),
    #[error("expiry {0} is in the past; give today ({1}) or a later date")]
    PastDate(String, String),
    #[error("{0} is longer than {1} characters")]
    TooLong(&'static str, usize),
    #[error(
        "nothing to change: give at least one of permissions, password, expire_date, label, note"
    )]
    EmptyUpdate,
}

pub const MAX_LABEL_CHARS: usize = 255;
pub const MAX_NOTE_CHARS: usize = 4000;
pub const MAX_PASSWORD_CHARS: usize = 200;

pub fn check_permissions(bits: i64) -> Result<u8, ShareInputError> {
    u8::try_from(bits)
        .ok()
        .filter(|b| (1..=ALL_PERMISSIONS).contains(b))
        .ok_or(ShareInputError::BadPermissions(bits))
}

/// An expiry date that must not be before `today`.
pub fn check_expiry(raw: &str, today: CivilDate) -> Result<CivilDate, ShareInputError> {
    let date = CivilDate::parse(raw.trim()).ok_or_else(|| ShareInputError::BadDate(raw.into()))?;
    if date < today {
        return Err(ShareInputError::PastDate(
            date.to_string(),
            today.to_string(),
        ));
    }
    Ok(date)
}

pub fn check_length(field: &'static str, value: &str, max: usize) -> Result<(), ShareInputError> {
    if value.chars().count() > max {
        return Err(ShareInputError::TooLong(field, max));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_in_words() {
        assert_eq!(permission_words(17), vec!["read", "share"]);
        assert_eq!(
            permission_words(31),
            vec!["read", "update", "create", "delete", "share"]
        );
        assert_eq!(check_permissions(31), Ok(31));
        assert!(check_permissions(0).is_err() && check_permissions(32).is_err());
        assert!(check_permissions(-1).is_err());
    }

    #[test]
    fn expiry_must_be_a_date_not_in_the_past() {
        let today = CivilDate::new(2026, 11, 23).unwrap();
        assert_eq!(
            check_expiry("2026-12-31", today).unwrap().to_string(),
            "2026-12-31"
        );
        assert!(check_expiry("2026-11-23", today).is_ok());
        assert_eq!(
            check_expiry("2020-01-01", today),
            Err(ShareInputError::PastDate(
                "2020-01-01".into(),
                "2026-11-23".into()
            ))
        );
        assert!(matches!(
            check_expiry("31.12.2026", today),
            Err(ShareInputError::BadDate(_))
        ));
        assert!(check_expiry("2026-02-29", today).is_err());
    }
}
