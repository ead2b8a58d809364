//! Ids from a listing that become one URL path segment (a trash entry, a
//! version), checked before they reach a URL.

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
