//! One way every list tool pages: `limit` items from an opaque `cursor`
//! (today the offset as text), and a result that says whether there is more
//! and which cursor fetches it.

use rmcp::model::CallToolResult;
use rmcp::schemars;
use serde::{Deserialize, Serialize};

use super::outcome::failure;

/// The two arguments every list tool takes, flattened into its own (or its
/// only ones). Each tool picks the default that keeps a page well under
/// 50 KB, and the most it serves at once.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
pub struct PageArgs {
    /// Most items per page.
    #[serde(default)]
    pub limit: Option<usize>,
    /// next_cursor of the previous page, if any.
    #[serde(default)]
    pub cursor: Option<String>,
}

impl PageArgs {
    pub fn request(&self, default: usize, max: usize) -> Result<PageRequest, CallToolResult> {
        PageRequest::parse(self.limit, self.cursor.as_deref(), default, max)
    }
}

/// Where a page starts and how long it is, read from a tool's arguments.
pub struct PageRequest {
    offset: usize,
    limit: usize,
}

/// What a listing says about the pages around it.
#[derive(Serialize)]
pub struct PageInfo {
    /// Absent where the source pages on the server and does not say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<usize>,
    pub offset: usize,
    pub has_more: bool,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

impl PageRequest {
    /// `default` keeps a page's result well under 50 KB; `max` bounds a
    /// caller who asks for more.
    pub fn parse(
        limit: Option<usize>,
        cursor: Option<&str>,
        default: usize,
        max: usize,
    ) -> Result<Self, CallToolResult> {
        let limit = match limit.unwrap_or(default) {
            0 => return Err(failure("limit must be at least 1")),
            n if n > max => {
                return Err(failure(format!(
                    "limit {n} is too large; the most is {max}"
                )));
            }
            n => n,
        };
        let offset = match cursor.map(str::trim).filter(|c| !c.is_empty()) {
            None => 0,
            Some(c) => c.parse().map_err(|_| {
                failure(format!(
                    "cursor \"{c}\" is not one this server gave; pass next_cursor from the previous page, or omit it for the first page"
                ))
            })?,
        };
        Ok(Self { offset, limit })
    }

    /// For tools that keep the reference server's `offset` beside `cursor`:
    /// today's cursors are offsets, so either says where the page starts.
    /// Both at once must agree, or the caller is told to pick one.
    pub fn parse_with_offset(
        limit: Option<usize>,
        cursor: Option<&str>,
        offset: Option<usize>,
        default: usize,
        max: usize,
    ) -> Result<Self, CallToolResult> {
        let page = Self::parse(limit, cursor, default, max)?;
        match offset {
            None => Ok(page),
            Some(offset) if cursor.is_none_or(|c| c.trim().is_empty()) => {
                Ok(Self { offset, ..page })
            }
            Some(offset) if offset == page.offset => Ok(page),
            Some(offset) => Err(failure(format!(
                "offset {offset} and cursor \"{}\" disagree; pass next_cursor as cursor and leave offset out",
                cursor.unwrap_or_default().trim()
            ))),
        }
    }

    /// Where the page starts, for sources that page on the server.
    pub fn offset(&self) -> usize {
        self.offset
    }

    pub fn limit(&self) -> usize {
        self.limit
    }

    /// This page of `items`, and what to say about the rest.
    pub fn page<'a, T>(&self, items: &'a [T]) -> (&'a [T], PageInfo) {
        let start = self.offset.min(items.len());
        let end = start.saturating_add(self.limit).min(items.len());
        let has_more = end < items.len();
        let info = PageInfo {
            total: Some(items.len()),
            offset: start,
            has_more,
            next_cursor: has_more.then(|| end.to_string()),
        };
        (&items[start..end], info)
    }

    /// How many items to ask a source that pages on the server for: up to
    /// this page's end, and one more to tell whether another page follows.
    pub fn window(&self) -> usize {
        self.offset.saturating_add(self.limit).saturating_add(1)
    }

    /// This page of `found`, the first [`Self::window`] items of a total
    /// the source does not tell.
    pub fn page_of_window<'a, T>(&self, found: &'a [T]) -> (&'a [T], PageInfo) {
        let end = self.offset.saturating_add(self.limit);
        let start = self.offset.min(found.len());
        let has_more = found.len() > end;
        let info = PageInfo {
            total: None,
            offset: start,
            has_more,
            next_cursor: has_more.then(|| end.to_string()),
        };
        (&found[start..end.min(found.len())], info)
    }
}

impl PageInfo {
    /// `text` followed by the page line, when there is one to say.
    pub fn under(&self, mut text: String, shown: usize) -> String {
        let more = self.line(shown);
        if !more.is_empty() {
            text.push('\n');
            text.push_str(&more);
        }
        text
    }

    /// One line for the text rendering: where this page is, how to go on.
    pub fn line(&self, shown: usize) -> String {
        let of = self.total.map(|t| format!(" of {t}")).unwrap_or_default();
        let (first, last) = (self.offset + 1, self.offset + shown);
        match &self.next_cursor {
            Some(next) => {
                format!("Showing {first}-{last}{of}; more: call again with cursor \"{next}\".")
            }
            None if self.offset > 0 || self.total.is_some_and(|t| shown < t) => {
                format!("Showing {first}-{last}{of}; this is the last page.")
            }
            None => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_cover_every_item_once() {
        let items: Vec<u32> = (0..25).collect();
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let request = PageRequest::parse(Some(10), cursor.as_deref(), 50, 100).unwrap();
            let (page, info) = request.page(&items);
            seen.extend_from_slice(page);
            match info.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        assert_eq!(seen, items);
    }

    #[test]
    fn bad_limits_and_cursors_are_refused() {
        assert!(PageRequest::parse(Some(0), None, 50, 100).is_err());
        assert!(PageRequest::parse(Some(101), None, 50, 100).is_err());
        assert!(PageRequest::parse(None, Some("abc"), 50, 100).is_err());
        let past_end = PageRequest::parse(None, Some("99"), 50, 100).unwrap();
        let (page, info) = past_end.page(&[1, 2, 3]);
        assert!(page.is_empty() && !info.has_more);
    }

    #[test]
    fn offset_is_a_cursor_by_another_name() {
        let by_offset = PageRequest::parse_with_offset(Some(5), None, Some(10), 50, 100).unwrap();
        assert_eq!((by_offset.offset(), by_offset.limit()), (10, 5));
        let both = PageRequest::parse_with_offset(None, Some("10"), Some(10), 50, 100).unwrap();
        assert_eq!(both.offset(), 10);
        let neither = PageRequest::parse_with_offset(None, Some(" "), None, 50, 100).unwrap();
        assert_eq!((neither.offset(), neither.limit()), (0, 50));
        assert!(PageRequest::parse_with_offset(None, Some("10"), Some(20), 50, 100).is_err());
        assert!(PageRequest::parse_with_offset(Some(0), None, Some(1), 50, 100).is_err());
    }

    #[test]
    fn a_window_from_the_source_tells_whether_more_follow() {
        let request = PageRequest::parse(Some(10), Some("10"), 50, 100).unwrap();
        assert_eq!(request.window(), 21);
        let found: Vec<u32> = (0..21).collect();
        let (page, info) = request.page_of_window(&found);
        assert_eq!(page, &found[10..20]);
        assert_eq!(info.next_cursor.as_deref(), Some("20"));
        let (page, info) = request.page_of_window(&found[..15]);
        assert_eq!(page, &found[10..15]);
        assert!(!info.has_more && info.next_cursor.is_none());
    }
}
