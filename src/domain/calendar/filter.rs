//! Client-side event filters, applied after the server's time-range query.

use super::Event;

/// Client-side filters for event listings (after the server's time-range query).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventFilter {
    pub title_contains: Option<String>,
    pub location_contains: Option<String>,
    pub categories: Vec<String>,
    pub status: Option<String>,
    pub min_attendees: Option<usize>,
    pub min_duration_minutes: Option<i64>,
}

fn contains_ci(haystack: Option<&str>, needle: &str) -> bool {
    haystack.is_some_and(|h| h.to_lowercase().contains(&needle.to_lowercase()))
}

impl EventFilter {
    pub fn matches(&self, event: &Event) -> bool {
        let title_ok = self
            .title_contains
            .as_deref()
            .is_none_or(|t| contains_ci(Some(&event.title), t));
        let location_ok = self
            .location_contains
            .as_deref()
            .is_none_or(|l| contains_ci(event.location.as_deref(), l));
        let category_ok = self.categories.is_empty()
            || self.categories.iter().any(|wanted| {
                event
                    .categories
                    .iter()
                    .any(|c| c.eq_ignore_ascii_case(wanted))
            });
        let status_ok = self.status.as_deref().is_none_or(|s| {
            event
                .status
                .as_deref()
                .unwrap_or("CONFIRMED")
                .eq_ignore_ascii_case(s)
        });
        let attendees_ok = self
            .min_attendees
            .is_none_or(|n| event.attendees.len() >= n);
        let duration_ok = self
            .min_duration_minutes
            .is_none_or(|m| event.start.until(&event.effective_end()).num_minutes() >= m);
        title_ok && location_ok && category_ok && status_ok && attendees_ok && duration_ok
    }
}
