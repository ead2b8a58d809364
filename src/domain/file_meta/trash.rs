//! Entries of the trash bin (the `files_trashbin` app).

use serde::Serialize;

use crate::domain::files::EntryKind;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TrashEntry {
    /// The name Nextcloud gives the entry in the trash (`a.txt.d1795423109`);
    /// pass it to restore.
    pub entry_id: String,
    pub name: String,
    /// Where it was, relative to the files root.
    pub original_location: Option<String>,
    /// Unix seconds.
    pub deleted_at: Option<i64>,
    pub deleted_by: Option<String>,
    pub kind: EntryKind,
    pub size: Option<u64>,
    pub content_type: Option<String>,
    pub file_id: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryIdError {
    #[error("{what} is empty; take it from the listing")]
    Empty { what: &'static str },
    #[error("{what} \"{value}\" is not one Nextcloud gives; take it from the listing")]
    Invalid { what: &'static str, value: String },
}

/// An id that becomes one URL path segment (a trash entry, a version): it
/// must not climb out of its folder or reach into another one.
pub fn check_segment<'a>(value: &'a str, what: &'static str) -> Result<&'a str, EntryIdError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(EntryIdError::Empty { what });
    }
    let bad = value == "."
        || value == ".."
        || value.contains('/')
        || value.contains('\\')
        || value.chars().any(char::is_control);
    if bad {
        return Err(EntryIdError::Invalid {
            what,
            value: value.chars().take(80).collect(),
        });
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_cannot_leave_their_folder() {
        assert_eq!(check_segment(" a.txt.d17 ", "entry_id"), Ok("a.txt.d17"));
        for bad in ["..", ".", "a/b", "a\\b", "a\u{0}b"] {
            assert!(check_segment(bad, "entry_id").is_err(), "{bad:?}");
        }
        assert_eq!(
            check_segment("", "version_id"),
            Err(EntryIdError::Empty { what: "version_id" })
        );
    }
}
