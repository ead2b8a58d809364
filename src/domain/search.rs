//! Unified search: providers, result pages with a cursor, and the checks on
//! a query before it is sent.

use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SearchProvider {
    pub id: String,
    pub app_id: String,
    pub name: String,
    pub order: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SearchEntry {
    pub title: String,
    pub subline: String,
    pub resource_url: String,
}

/// One page of one provider's results. `cursor` is what to pass to get the
/// next page; `None` when the provider does not page or there is no more.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SearchPage {
    pub provider: String,
    pub name: String,
    pub is_paginated: bool,
    pub entries: Vec<SearchEntry>,
    pub cursor: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SearchQuery {
    pub term: String,
    /// Results per provider; `None` leaves it to the server (5 in Nextcloud 34).
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

pub const MAX_SEARCH_LIMIT: u32 = 50;
pub const MAX_TERM_CHARS: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SearchInputError {
    #[error("the search term is empty; give at least one word")]
    EmptyTerm,
    #[error("the search term is longer than {MAX_TERM_CHARS} characters")]
    TermTooLong,
    #[error("limit must be from 1 to {MAX_SEARCH_LIMIT}")]
    BadLimit,
    #[error(
        "'{0}' is not a provider id; ids look like 'files' or 'search-deck-card-board' (see nc_search_list_providers)"
    )]
    BadProvider(String),
    #[error("a cursor only makes sense with one provider; pass provider too")]
    CursorWithoutProvider,
}

/// Checks a query; `provider` is `None` for "every provider".
pub fn check_query(
    term: &str,
    limit: Option<u32>,
    provider: Option<&str>,
    cursor: Option<&str>,
) -> Result<SearchQuery, SearchInputError> {
    let term = term.trim();
    if term.is_empty() {
        return Err(SearchInputError::EmptyTerm);
    }
    if term.chars().count() > MAX_TERM_CHARS {
        return Err(SearchInputError::TermTooLong);
    }
    if limit.is_some_and(|l| !(1..=MAX_SEARCH_LIMIT).contains(&l)) {
        return Err(SearchInputError::BadLimit);
    }
    if let Some(provider) = provider {
        check_provider(provider)?;
    }
    let cursor = cursor.map(str::trim).filter(|c| !c.is_empty());
    if cursor.is_some() && provider.is_none() {
        return Err(SearchInputError::CursorWithoutProvider);
    }
    Ok(SearchQuery {
        term: term.to_string(),
        limit,
        cursor: cursor.map(str::to_string),
    })
}

/// Provider ids are short slugs; anything else is refused before it can
/// reach a URL path.
pub fn check_provider(id: &str) -> Result<(), SearchInputError> {
    let ok = !id.is_empty()
        && id.len() <= 100
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(SearchInputError::BadProvider(id.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_checked() {
        let q = check_query(" hello ", None, Some("files"), Some("5")).unwrap();
        assert_eq!(q.term, "hello");
        assert_eq!(q.limit, None);
        assert_eq!(q.cursor.as_deref(), Some("5"));
        assert_eq!(
            check_query("", None, None, None),
            Err(SearchInputError::EmptyTerm)
        );
        assert_eq!(
            check_query("x", Some(0), None, None),
            Err(SearchInputError::BadLimit)
        );
        assert_eq!(
            check_query("x", Some(51), None, None),
            Err(SearchInputError::BadLimit)
        );
        assert_eq!(
            check_query("x", None, None, Some("2")),
            Err(SearchInputError::CursorWithoutProvider)
        );
        assert!(check_query("x", None, Some("../../cloud/users"), None).is_err());
        assert!(check_query("x", None, Some("search-deck-card-board"), None).is_ok());
    }
}
