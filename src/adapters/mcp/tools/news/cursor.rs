//! The paging cursor of item lists. News pages by item id (the next page is
//! the items below the lowest id seen), which callers should not have to
//! know; they pass back the cursor a page gave them.

use rmcp::model::CallToolResult;

use crate::adapters::mcp::outcome::failure;

const PREFIX: &str = "nb";

/// Most items one call lists; each carries a summary of up to 300 characters.
pub const MAX_LIMIT: u32 = 100;
pub const DEFAULT_LIMIT: u32 = 20;

pub fn encode(before_id: u64) -> String {
    format!("{PREFIX}{before_id:x}")
}

/// The item id a page starts below; `None` for the first page.
pub fn decode(cursor: Option<&str>) -> Result<Option<u64>, CallToolResult> {
    let Some(raw) = cursor.map(str::trim).filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    raw.strip_prefix(PREFIX)
        .and_then(|hex| u64::from_str_radix(hex, 16).ok())
        .filter(|id| *id > 0)
        .map(Some)
        .ok_or_else(|| {
            failure(format!(
                "cursor \"{raw}\" is not one this server gave; pass next_cursor from the previous page, or omit it for the first page"
            ))
        })
}

pub fn limit(limit: Option<u32>) -> Result<u32, CallToolResult> {
    match limit.unwrap_or(DEFAULT_LIMIT) {
        0 => Err(failure("limit must be at least 1")),
        n if n > MAX_LIMIT => Err(failure(format!(
            "limit {n} is too large; the most is {MAX_LIMIT}"
        ))),
        n => Ok(n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_strangers_are_refused() {
        assert_eq!(decode(Some(&encode(7))).unwrap(), Some(7));
        assert_eq!(decode(None).unwrap(), None);
        assert_eq!(decode(Some(" ")).unwrap(), None);
        assert!(decode(Some("7")).is_err());
        assert!(decode(Some("nbzz")).is_err());
        assert!(decode(Some("nb0")).is_err());
        assert!(limit(Some(0)).is_err());
        assert!(limit(Some(101)).is_err());
        assert_eq!(limit(None).unwrap(), 20);
    }
}
