//! The filters of a server-side file search (DAV SEARCH), checked before
//! anything is sent.

use crate::domain::dates::{ClockTime, Timestamp};
use crate::domain::files::like_pattern;
use crate::domain::path::UserPath;

/// A MIME type filter: `image/png` is one type, `image` or `image/*` all
/// types of that family.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MimeFilter {
    Exact(String),
    /// The family with its slash (`image/`).
    Family(String),
}

impl MimeFilter {
    pub fn parse(raw: &str) -> Result<Self, QueryError> {
        let raw = raw.trim().to_ascii_lowercase();
        let valid = |part: &str| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.!#$&^_".contains(c))
        };
        let bad = || QueryError::MimeType(raw.chars().take(80).collect());
        match raw.split_once('/') {
            None if valid(&raw) => Ok(Self::Family(format!("{raw}/"))),
            Some((family, "*")) if valid(family) => Ok(Self::Family(format!("{family}/"))),
            Some((family, kind)) if valid(family) && valid(kind) => Ok(Self::Exact(raw.clone())),
            _ => Err(bad()),
        }
    }

    /// The `d:like` literal for a family (its `_` and `%` matched literally).
    pub fn family_like(family: &str) -> String {
        let literal = like_pattern(&format!("{family}*"));
        literal.trim_end_matches('%').to_string() + "%"
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileQuery {
    /// Folder searched, with everything below it.
    pub scope: UserPath,
    /// A `d:like` literal for the name (see [`like_pattern`]).
    pub name_like: Option<String>,
    pub mime: Option<MimeFilter>,
    pub only_favorites: bool,
    /// Unix seconds, inclusive.
    pub modified_after: Option<i64>,
    /// Unix seconds, inclusive.
    pub modified_before: Option<i64>,
    pub min_size: Option<u64>,
    pub max_size: Option<u64>,
    /// How many results to ask the server for, newest first.
    pub max_results: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error(
        "mime_type \"{0}\" is not a MIME type; give one like \"application/pdf\", or a family like \"image\" or \"image/*\""
    )]
    MimeType(String),
    #[error(
        "{field} \"{value}\" is not a date; use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS with an optional offset like +02:00"
    )]
    Date { field: &'static str, value: String },
    #[error("{low} is after {high}; nothing could match")]
    EmptyRange {
        low: &'static str,
        high: &'static str,
    },
    #[error(
        "give at least one filter (name_pattern, mime_type, only_favorites, modified_after, modified_before, min_size or max_size)"
    )]
    NoFilter,
}

/// A date bound: a date alone means the start of that day (UTC) for
/// `modified_after` and its end for `modified_before`, so a one-day range
/// `2026-01-05`..`2026-01-05` covers that whole day.
pub fn parse_bound(raw: &str, field: &'static str, end_of_day: bool) -> Result<i64, QueryError> {
    let default = if end_of_day {
        ClockTime::new(23, 59, 59)
    } else {
        ClockTime::new(0, 0, 0)
    }
    .expect("valid clock times");
    Timestamp::parse(raw.trim(), default)
        .map(Timestamp::unix_seconds)
        .ok_or_else(|| QueryError::Date {
            field,
            value: raw.chars().take(40).collect(),
        })
}

impl FileQuery {
    /// A query under `scope` without filters yet.
    pub fn new(scope: UserPath, max_results: u32) -> Self {
        Self {
            scope,
            name_like: None,
            mime: None,
            only_favorites: false,
            modified_after: None,
            modified_before: None,
            min_size: None,
            max_size: None,
            max_results,
        }
    }

    /// Refuses filters that could match nothing or everything.
    pub fn check(&self) -> Result<(), QueryError> {
        let has_filter = self.name_like.is_some()
            || self.mime.is_some()
            || self.only_favorites
            || self.modified_after.is_some()
            || self.modified_before.is_some()
            || self.min_size.is_some()
            || self.max_size.is_some();
        if !has_filter {
            return Err(QueryError::NoFilter);
        }
        if let (Some(after), Some(before)) = (self.modified_after, self.modified_before)
            && after > before
        {
            return Err(QueryError::EmptyRange {
                low: "modified_after",
                high: "modified_before",
            });
        }
        if let (Some(min), Some(max)) = (self.min_size, self.max_size)
            && min > max
        {
            return Err(QueryError::EmptyRange {
                low: "min_size",
                high: "max_size",
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mime_filters_are_exact_types_or_families() {
        assert_eq!(
            MimeFilter::parse(" Application/PDF "),
            Ok(MimeFilter::Exact("application/pdf".into()))
        );
        assert_eq!(
            MimeFilter::parse("image"),
            Ok(MimeFilter::Family("image/".into()))
        );
        assert_eq!(
            MimeFilter::parse("image/*"),
            Ok(MimeFilter::Family("image/".into()))
        );
        for bad in ["", "/", "image/", "a b/c", "text/%", "*/*"] {
            assert!(MimeFilter::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(MimeFilter::family_like("text/"), "text/%");
        assert_eq!(MimeFilter::family_like("x_y/"), "x\\_y/%");
    }

    #[test]
    fn date_bounds_cover_whole_days() {
        let start = parse_bound("2026-01-05", "modified_after", false).unwrap();
        let end = parse_bound("2026-01-05", "modified_before", true).unwrap();
        assert_eq!(end - start, 86_399);
        assert_eq!(
            parse_bound("2026-01-05T10:00:00+02:00", "x", true).unwrap(),
            start + 8 * 3600
        );
        assert!(parse_bound("last week", "modified_after", false).is_err());
    }

    #[test]
    fn empty_and_unbounded_queries_are_refused() {
        let base = FileQuery::new(UserPath::root(), 10);
        assert_eq!(base.check(), Err(QueryError::NoFilter));
        let backwards = FileQuery {
            modified_after: Some(10),
            modified_before: Some(5),
            ..FileQuery::new(UserPath::root(), 10)
        };
        assert!(matches!(
            backwards.check(),
            Err(QueryError::EmptyRange { .. })
        ));
        let sizes = FileQuery {
            min_size: Some(10),
            max_size: Some(5),
            ..FileQuery::new(UserPath::root(), 10)
        };
        assert!(sizes.check().is_err());
        let fine = FileQuery {
            only_favorites: true,
            ..FileQuery::new(UserPath::root(), 10)
        };
        assert!(fine.check().is_ok());
    }
}
