//! System tags (the `systemtags` app): shared by every user, named uniquely.

use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SystemTag {
    pub id: u64,
    pub name: String,
    /// Whether users see the tag at all (invisible tags are admin-only).
    pub user_visible: bool,
    /// Whether non-admins may put it on files.
    pub user_assignable: bool,
    /// Whether this user may put it on files.
    pub can_assign: bool,
}

/// The tag a person means by `name`: the exact name, else the only one that
/// differs just in case. Two tags differing only in case make the lowercase
/// guess ambiguous, so then only an exact match counts.
pub fn find_tag<'a>(tags: &'a [SystemTag], name: &str) -> Option<&'a SystemTag> {
    let name = name.trim();
    if let Some(exact) = tags.iter().find(|t| t.name == name) {
        return Some(exact);
    }
    let mut folded = tags.iter().filter(|t| t.name.eq_ignore_ascii_case(name));
    match (folded.next(), folded.next()) {
        (Some(only), None) => Some(only),
        _ => None,
    }
}

/// Longest tag name accepted; Nextcloud stores names in a 64-character column.
pub const MAX_TAG_NAME_CHARS: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TagNameError {
    #[error("tag is empty; give the tag's name, e.g. \"urgent\"")]
    Empty,
    #[error("tag name is longer than {MAX_TAG_NAME_CHARS} characters")]
    TooLong,
    #[error("tag name contains a control character")]
    Control,
}

/// A tag name as a person typed it, trimmed and checked.
pub fn check_tag_name(name: &str) -> Result<&str, TagNameError> {
    let name = name.trim();
    if name.is_empty() {
        Err(TagNameError::Empty)
    } else if name.chars().count() > MAX_TAG_NAME_CHARS {
        Err(TagNameError::TooLong)
    } else if name.chars().any(char::is_control) {
        Err(TagNameError::Control)
    } else {
        Ok(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(id: u64, name: &str) -> SystemTag {
        SystemTag {
            id,
            name: name.into(),
            user_visible: true,
            user_assignable: true,
            can_assign: true,
        }
    }

    #[test]
    fn exact_names_win_then_a_unique_case_insensitive_match() {
        let tags = [tag(1, "Urgent"), tag(2, "urgent"), tag(3, "Review")];
        assert_eq!(find_tag(&tags, "urgent").unwrap().id, 2);
        assert_eq!(find_tag(&tags, " Urgent ").unwrap().id, 1);
        assert_eq!(find_tag(&tags, "review").unwrap().id, 3);
        assert!(find_tag(&tags, "URGENT").is_none(), "ambiguous");
        assert!(find_tag(&tags, "missing").is_none());
    }

    #[test]
    fn names_are_checked() {
        assert_eq!(check_tag_name("  a b "), Ok("a b"));
        assert_eq!(check_tag_name(" "), Err(TagNameError::Empty));
        assert_eq!(check_tag_name(&"x".repeat(65)), Err(TagNameError::TooLong));
        assert_eq!(check_tag_name("a\nb"), Err(TagNameError::Control));
    }
}
