//! Which events a bulk operation touches: the filters of the reference
//! server's `nc_calendar_bulk_operations`, applied to whole events (a
//! series counts once), and the bound on how many one call may change.

use super::Event;

/// What one call may change at most; larger sets are refused, so a vague
/// filter cannot rewrite a whole calendar.
pub const MAX_BULK_EVENTS: usize = 200;
pub const DEFAULT_BULK_LIMIT: usize = 50;

/// `None` (or empty) keeps every event in that respect; text matches
/// ignore case.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BulkFilter {
    pub title_contains: Option<String>,
    pub location_contains: Option<String>,
    /// The event must carry every one of these categories.
    pub categories: Vec<String>,
    pub status: Option<String>,
}

fn contains(haystack: &str, needle: &str) -> bool {
    haystack
        .to_lowercase()
        .contains(&needle.trim().to_lowercase())
}

impl BulkFilter {
    pub fn matches(&self, event: &Event) -> bool {
        let title = self
            .title_contains
            .as_deref()
            .is_none_or(|t| contains(&event.title, t));
        let location = self.location_contains.as_deref().is_none_or(|l| {
            event
                .location
                .as_deref()
                .is_some_and(|have| contains(have, l))
        });
        let categories = self.categories.iter().all(|wanted| {
            event
                .categories
                .iter()
                .any(|c| c.trim().eq_ignore_ascii_case(wanted.trim()))
        });
        let status = self.status.as_deref().is_none_or(|s| {
            event
                .status
                .as_deref()
                .is_some_and(|have| have.eq_ignore_ascii_case(s.trim()))
        });
        title && location && categories && status
    }

    /// Whether any filter is set: an operation on "everything in the
    /// range" must be asked for by a filter or a calendar name.
    pub fn is_empty(&self) -> bool {
        self.title_contains.is_none()
            && self.location_contains.is_none()
            && self.categories.is_empty()
            && self.status.is_none()
    }
}

/// The matching events once each (a series and its overrides share a uid),
/// in the order given.
pub fn select<'a>(events: &'a [Event], filter: &BulkFilter) -> Vec<&'a Event> {
    let mut seen = std::collections::HashSet::new();
    events
        .iter()
        .filter(|e| filter.matches(e))
        .filter(|e| seen.insert((e.calendar.as_str(), e.uid.as_str())))
        .collect()
}
