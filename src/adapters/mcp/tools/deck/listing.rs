//! The reference server's card-listing arguments (`detail`, `status`,
//! `label`, `assigned_to`, description lengths), turned into one
//! [`Listing`] that picks and shapes cards for every listing tool.

use rmcp::model::CallToolResult;
use serde_json::Value;

use super::card_line;
use crate::adapters::mcp::outcome::{OrFail, failure};
use crate::domain::deck::{
    Card, CardFilter, CardSummary, DEFAULT_PREVIEW_CHARS, Detail, Stack, check_length, cut_chars,
    parse_detail, parse_status,
};

/// The raw arguments, as each listing tool's schema declares them.
#[derive(Default)]
pub(super) struct ListingArgs<'a> {
    pub detail: Option<&'a str>,
    pub status: Option<&'a str>,
    pub label: Option<&'a str>,
    pub assigned_to: Option<&'a str>,
    pub description_max_length: Option<i64>,
    pub description_preview_length: Option<i64>,
}

pub(super) struct Listing {
    pub filter: CardFilter,
    detail: Detail,
    max_description: Option<usize>,
    preview: usize,
}

fn non_blank(raw: Option<&str>) -> Option<&str> {
    raw.map(str::trim).filter(|s| !s.is_empty())
}

impl Listing {
    /// `default_detail` keeps each tool's earlier output when `detail` is
    /// not given.
    pub fn parse(args: ListingArgs<'_>, default_detail: Detail) -> Result<Self, CallToolResult> {
        let detail = non_blank(args.detail)
            .map(parse_detail)
            .transpose()
            .or_fail()?
            .unwrap_or(default_detail);
        let status = non_blank(args.status)
            .map(parse_status)
            .transpose()
            .or_fail()?;
        let max_description = args
            .description_max_length
            .map(|n| check_length("description_max_length", n))
            .transpose()
            .or_fail()?;
        let preview = args
            .description_preview_length
            .map(|n| check_length("description_preview_length", n))
            .transpose()
            .or_fail()?
            .unwrap_or(DEFAULT_PREVIEW_CHARS);
        let filter = CardFilter {
            status,
            label: non_blank(args.label).map(String::from),
            assigned_to: non_blank(args.assigned_to).map(String::from),
        };
        Ok(Self {
            filter,
            detail,
            max_description,
            preview,
        })
    }

    /// The kept cards, in board order, as JSON rows and as text lines.
    pub fn shape(&self, cards: Vec<Card>) -> Result<(Vec<Value>, Vec<String>), CallToolResult> {
        let mut kept: Vec<Card> = cards.into_iter().filter(|c| self.filter.keeps(c)).collect();
        kept.sort_by_key(|c| (c.archived, c.order));
        let mut rows = Vec::with_capacity(kept.len());
        let mut lines = Vec::with_capacity(kept.len());
        for mut card in kept {
            lines.push(card_line(&card));
            let row = match self.detail {
                Detail::Summary => serde_json::to_value(CardSummary::of(&card, self.preview)),
                Detail::Full => {
                    if let Some(max) = self.max_description {
                        card.description = cut_chars(&card.description, max).0;
                    }
                    serde_json::to_value(&card)
                }
            };
            rows.push(row.map_err(|e| failure(format!("could not encode a card: {e}")))?);
        }
        Ok((rows, lines))
    }
}

/// Adds each archived stack's cards to the active stack with the same id
/// (Deck lists archived cards on a route of its own).
pub(super) fn merge_archived(stacks: &mut [Stack], archived: Vec<Stack>) {
    for extra in archived {
        if let Some(stack) = stacks.iter_mut().find(|s| s.id == extra.id) {
            stack.cards.extend(extra.cards);
        }
    }
}
