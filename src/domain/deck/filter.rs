//! The card filters of the reference server's listings (`status`, `label`,
//! `assigned_to`) and the compact card rows of `detail = "summary"`,
//! applied here after Deck answered: Deck's listing routes filter nothing.

use serde::Serialize;

use super::Card;

/// Which cards a listing keeps. The first three partition a board: a card
/// that is done and archived counts as archived.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CardStatus {
    Open,
    Done,
    Archived,
    All,
}

impl CardStatus {
    pub fn of(card: &Card) -> Self {
        if card.archived {
            Self::Archived
        } else if card.done.is_some() {
            Self::Done
        } else {
            Self::Open
        }
    }

    /// Whether the archived cards must be fetched too (Deck lists them on
    /// a route of their own).
    pub fn needs_archived(self) -> bool {
        matches!(self, Self::Archived | Self::All)
    }

    /// Whether the active (not archived) cards are needed.
    pub fn needs_active(self) -> bool {
        self != Self::Archived
    }
}

/// How much of each card a listing shows.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Detail {
    /// Compact rows ([`CardSummary`]).
    Summary,
    /// Every field of the card.
    Full,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CardFilterError {
    #[error("status '{0}' is not one of open, done, archived, all")]
    BadStatus(String),
    #[error("detail '{0}' is not one of summary, full")]
    BadDetail(String),
    #[error("{0} must be from 1 to {MAX_PREVIEW_CHARS}")]
    BadLength(&'static str),
}

pub const DEFAULT_PREVIEW_CHARS: usize = 140;
pub const MAX_PREVIEW_CHARS: usize = 100_000;

pub fn parse_status(raw: &str) -> Result<CardStatus, CardFilterError> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "open" => Ok(CardStatus::Open),
        "done" => Ok(CardStatus::Done),
        "archived" => Ok(CardStatus::Archived),
        "all" => Ok(CardStatus::All),
        _ => Err(CardFilterError::BadStatus(raw.into())),
    }
}

pub fn parse_detail(raw: &str) -> Result<Detail, CardFilterError> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "summary" => Ok(Detail::Summary),
        "full" => Ok(Detail::Full),
        _ => Err(CardFilterError::BadDetail(raw.into())),
    }
}

/// A character count a caller gave for a preview or a cut.
pub fn check_length(what: &'static str, raw: i64) -> Result<usize, CardFilterError> {
    usize::try_from(raw)
        .ok()
        .filter(|n| (1..=MAX_PREVIEW_CHARS).contains(n))
        .ok_or(CardFilterError::BadLength(what))
}

/// The filters of one listing; `None` keeps every card in that respect.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CardFilter {
    /// `None`: the cards that are not archived (open and done), which is
    /// what the listings showed before the filter existed.
    pub status: Option<CardStatus>,
    /// A label title, compared without regard to case.
    pub label: Option<String>,
    /// A user id, compared exactly.
    pub assigned_to: Option<String>,
}

impl CardFilter {
    pub fn keeps(&self, card: &Card) -> bool {
        let status = CardStatus::of(card);
        let status_ok = match self.status {
            None => status != CardStatus::Archived,
            Some(CardStatus::All) => true,
            Some(wanted) => wanted == status,
        };
        let label_ok = self.label.as_deref().is_none_or(|wanted| {
            card.labels
                .iter()
                .any(|l| l.title.trim().eq_ignore_ascii_case(wanted.trim()))
        });
        let user_ok = self
            .assigned_to
            .as_deref()
            .is_none_or(|wanted| card.assigned_users.iter().any(|u| u == wanted.trim()));
        status_ok && label_ok && user_ok
    }

    /// Whether archived cards must be fetched for this filter.
    pub fn needs_archived(&self) -> bool {
        self.status.is_some_and(CardStatus::needs_archived)
    }

    /// Whether active cards must be fetched for this filter.
    pub fn needs_active(&self) -> bool {
        self.status.is_none_or(CardStatus::needs_active)
    }
}

/// One card as a compact row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CardSummary {
    pub id: u64,
    pub stack_id: u64,
    pub title: String,
    pub status: CardStatus,
    pub labels: Vec<String>,
    pub assigned_users: Vec<String>,
    pub duedate: Option<String>,
    pub comments_count: u64,
    /// The description's first characters; `description_truncated` says
    /// whether there was more.
    pub description_preview: String,
    pub description_truncated: bool,
}

impl CardSummary {
    pub fn of(card: &Card, preview_chars: usize) -> Self {
        let (description_preview, description_truncated) =
            cut_chars(&card.description, preview_chars);
        Self {
            id: card.id,
            stack_id: card.stack_id,
            title: card.title.clone(),
            status: CardStatus::of(card),
            labels: card.labels.iter().map(|l| l.title.clone()).collect(),
            assigned_users: card.assigned_users.clone(),
            duedate: card.duedate.clone(),
            comments_count: card.comments_count,
            description_preview,
            description_truncated,
        }
    }
}

/// The first `max` characters of `text`, and whether anything was cut.
pub fn cut_chars(text: &str, max: usize) -> (String, bool) {
    match text.char_indices().nth(max) {
        Some((at, _)) => (text[..at].to_string(), true),
        None => (text.to_string(), false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::deck::Label;

    fn card(id: u64, archived: bool, done: bool, labels: &[&str], users: &[&str]) -> Card {
        Card {
            id,
            stack_id: 1,
            title: format!("card {id}"),
            description: "äöü description".into(),
            card_type: "plain".into(),
            order: 0,
            archived,
            done: done.then(|| "2026-12-01T10:00:00+00:00".to_string()),
            duedate: None,
            owner: "admin".into(),
            labels: labels
                .iter()
                .enumerate()
                .map(|(i, t)| Label {
                    id: i as u64,
                    title: (*t).into(),
                    color: "000000".into(),
                })
                .collect(),
            assigned_users: users.iter().map(|u| (*u).to_string()).collect(),
            comments_count: 0,
            deleted_at: 0,
            last_modified: 0,
            etag: String::new(),
        }
    }

    fn kept(filter: &CardFilter, cards: &[Card]) -> Vec<u64> {
        cards
            .iter()
            .filter(|c| filter.keeps(c))
            .map(|c| c.id)
            .collect()
    }

    #[test]
    fn status_partitions_the_board_and_no_status_keeps_the_active_cards() {
        let cards = [
            card(1, false, false, &[], &[]),
            card(2, false, true, &[], &[]),
            card(3, true, true, &[], &[]),
            card(4, true, false, &[], &[]),
        ];
        let with = |status| CardFilter {
            status,
            ..CardFilter::default()
        };
        assert_eq!(kept(&with(None), &cards), [1, 2]);
        assert_eq!(kept(&with(Some(CardStatus::Open)), &cards), [1]);
        assert_eq!(kept(&with(Some(CardStatus::Done)), &cards), [2]);
        assert_eq!(kept(&with(Some(CardStatus::Archived)), &cards), [3, 4]);
        assert_eq!(kept(&with(Some(CardStatus::All)), &cards), [1, 2, 3, 4]);
        assert!(!with(None).needs_archived() && with(None).needs_active());
        assert!(with(Some(CardStatus::Archived)).needs_archived());
        assert!(!with(Some(CardStatus::Archived)).needs_active());
        assert!(with(Some(CardStatus::All)).needs_archived());
    }

    #[test]
    fn label_and_assignee_narrow_the_cards() {
        let cards = [
            card(1, false, false, &["Urgent"], &["alice"]),
            card(2, false, false, &["Later"], &["bob"]),
            card(3, false, false, &[], &["alice", "bob"]),
        ];
        let label = CardFilter {
            label: Some(" urgent ".into()),
            ..CardFilter::default()
        };
        assert_eq!(kept(&label, &cards), [1]);
        let user = CardFilter {
            assigned_to: Some("bob".into()),
            ..CardFilter::default()
        };
        assert_eq!(kept(&user, &cards), [2, 3]);
        let both = CardFilter {
            label: Some("Later".into()),
            assigned_to: Some("alice".into()),
            ..CardFilter::default()
        };
        assert!(kept(&both, &cards).is_empty());
    }

    #[test]
    fn words_and_lengths_are_checked() {
        assert_eq!(parse_status(" Done "), Ok(CardStatus::Done));
        assert!(parse_status("closed").is_err());
        assert_eq!(parse_detail("FULL"), Ok(Detail::Full));
        assert!(parse_detail("everything").is_err());
        assert_eq!(check_length("x", 5), Ok(5));
        assert!(check_length("x", 0).is_err() && check_length("x", -3).is_err());
    }

    #[test]
    fn summaries_cut_descriptions_on_character_boundaries() {
        let summary = CardSummary::of(&card(1, false, true, &["A"], &[]), 3);
        assert_eq!(summary.description_preview, "äöü");
        assert!(summary.description_truncated);
        assert_eq!(summary.status, CardStatus::Done);
        assert_eq!(summary.labels, ["A"]);
        let whole = CardSummary::of(&card(1, false, false, &[], &[]), 500);
        assert!(!whole.description_truncated);
        assert_eq!(cut_chars("abc", 3), ("abc".to_string(), false));
    }
}
