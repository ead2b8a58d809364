//! Deck: boards, stacks, cards, labels, assignments and comments, and the
//! checks on titles, colours and due dates made before any call. Card
//! filters are in `filter.rs`, attachments in `attachment.rs`, uploads of
//! new attachments in `upload.rs`.

mod attachment;
mod filter;
mod upload;

pub use attachment::*;
pub use filter::*;
pub use upload::*;

use serde::Serialize;

use super::dates::{ClockTime, Timestamp};

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Label {
    pub id: u64,
    pub title: String,
    pub color: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Board {
    pub id: u64,
    pub title: String,
    pub color: String,
    pub owner: String,
    pub archived: bool,
    /// Unix time of a soft delete, 0 if not deleted. Deleted boards stay
    /// listed until Deck purges them and can be restored.
    pub deleted_at: i64,
    pub last_modified: i64,
    pub labels: Vec<Label>,
    pub stacks: Vec<Stack>,
    pub users: Vec<String>,
    pub can_edit: bool,
    pub can_manage: bool,
    pub etag: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stack {
    pub id: u64,
    pub board_id: u64,
    pub title: String,
    pub order: i64,
    pub deleted_at: i64,
    pub cards: Vec<Card>,
    pub etag: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Card {
    pub id: u64,
    pub stack_id: u64,
    pub title: String,
    pub description: String,
    #[serde(rename = "type")]
    pub card_type: String,
    pub order: i64,
    pub archived: bool,
    /// When the card was marked done (ISO 8601), if it was.
    pub done: Option<String>,
    pub duedate: Option<String>,
    pub owner: String,
    pub labels: Vec<Label>,
    pub assigned_users: Vec<String>,
    pub comments_count: u64,
    pub deleted_at: i64,
    pub last_modified: i64,
    pub etag: String,
}

/// Where a card lives: Deck's REST paths name all three.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct CardRef {
    pub board_id: u64,
    pub stack_id: u64,
    pub card_id: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Assignment {
    pub card_id: u64,
    pub user_id: String,
    pub display_name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comment {
    pub id: u64,
    pub card_id: u64,
    pub message: String,
    pub actor_id: String,
    pub actor_display_name: String,
    pub created: String,
    /// The comment this one answers, for replies.
    pub reply_to: Option<u64>,
}

/// A board's editable fields; Deck's update takes all of them at once.
#[derive(Clone, Debug, PartialEq)]
pub struct BoardFields {
    pub title: String,
    pub color: String,
    pub archived: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CardDraft {
    pub title: String,
    pub description: Option<String>,
    pub duedate: Option<String>,
    pub order: i64,
}

/// A card's editable fields; Deck's update replaces all of them, so the
/// tool reads the card and changes only what was asked.
#[derive(Clone, Debug, PartialEq)]
pub struct CardFields {
    pub title: String,
    pub description: String,
    pub card_type: String,
    pub owner: String,
    pub order: i64,
    pub duedate: Option<String>,
}

impl CardFields {
    pub fn of(card: &Card) -> Self {
        Self {
            title: card.title.clone(),
            description: card.description.clone(),
            card_type: if card.card_type.is_empty() {
                "plain".into()
            } else {
                card.card_type.clone()
            },
            owner: card.owner.clone(),
            order: card.order,
            duedate: card.duedate.clone(),
        }
    }
}

pub const MAX_TITLE_CHARS: usize = 255;
pub const MAX_LABEL_TITLE_CHARS: usize = 100;
pub const MAX_DESCRIPTION_BYTES: usize = 256 * 1024;
pub const MAX_COMMENT_CHARS: usize = 1000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeckInputError {
    #[error("{0} is empty; give a short title")]
    EmptyTitle(&'static str),
    #[error("{0} is longer than {1} characters")]
    TooLong(&'static str, usize),
    #[error("description is {0} bytes; the limit is {MAX_DESCRIPTION_BYTES}")]
    DescriptionTooLarge(usize),
    #[error("color '{0}' is not a hex colour; use six hex digits such as 0082c9")]
    BadColor(String),
    #[error(
        "due date '{0}' is not understood; use 2026-12-04, 2026-12-04 17:00 or 2026-12-04T17:00:00+01:00"
    )]
    BadDueDate(String),
    #[error("comment is empty")]
    EmptyComment,
    #[error("nothing to change: give at least one field to update")]
    EmptyUpdate,
    #[error("{0} must not be empty")]
    EmptyValue(&'static str),
}

/// A title after trimming, refused when empty or too long.
pub fn check_title(what: &'static str, title: &str, max: usize) -> Result<String, DeckInputError> {
    let title = title.trim();
    if title.is_empty() {
        return Err(DeckInputError::EmptyTitle(what));
    }
    if title.chars().count() > max {
        return Err(DeckInputError::TooLong(what, max));
    }
    Ok(title.to_string())
}

/// A colour as Deck stores it: six hex digits, without `#`.
pub fn check_color(color: &str) -> Result<String, DeckInputError> {
    let hex = color.trim().trim_start_matches('#');
    if hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(hex.to_ascii_lowercase())
    } else {
        Err(DeckInputError::BadColor(color.to_string()))
    }
}

pub fn check_description(description: &str) -> Result<(), DeckInputError> {
    if description.len() > MAX_DESCRIPTION_BYTES {
        return Err(DeckInputError::DescriptionTooLarge(description.len()));
    }
    Ok(())
}

/// A due date in the form Deck stores (`2026-12-04T17:00:00+00:00`). A date
/// without a time means 12:00 UTC, which is the same calendar day in nearly
/// every time zone; a time without an offset means UTC. Deck drops an offset
/// it is sent (17:00+01:00 is stored as 17:00 UTC), so the moment goes out
/// in UTC.
pub fn parse_due_date(raw: &str) -> Result<String, DeckInputError> {
    Timestamp::parse(raw, ClockTime::NOON)
        .map(|t| t.to_utc().to_rfc3339())
        .ok_or_else(|| DeckInputError::BadDueDate(raw.to_string()))
}

/// The Unix time for an `If-Modified-Since` filter (midnight UTC for a date).
pub fn parse_since(raw: &str) -> Result<i64, DeckInputError> {
    Timestamp::parse(raw, ClockTime::default())
        .map(Timestamp::unix_seconds)
        .ok_or_else(|| DeckInputError::BadDueDate(raw.to_string()))
}

/// The new orders of the other stacks when `moved` goes to `order`: Deck
/// stores the number as given, so a stack already there would share the
/// place. Stacks from `order` on move up just enough to stay after it, in
/// their present sequence; stacks before it keep theirs. Only changes are
/// returned, as (stack id, new order).
pub fn renumber_for_move(stacks: &[Stack], moved: u64, order: i64) -> Vec<(u64, i64)> {
    let mut after: Vec<&Stack> = stacks
        .iter()
        .filter(|s| s.id != moved && s.order >= order)
        .collect();
    after.sort_by_key(|s| (s.order, s.id));
    let mut next = order.saturating_add(1);
    let mut changes = Vec::new();
    for stack in after {
        let new = stack.order.max(next);
        if new != stack.order {
            changes.push((stack.id, new));
        }
        next = new.saturating_add(1);
    }
    changes
}

impl Stack {
    /// Deck soft-deletes stacks: `deletedAt` is set and the stack can still
    /// be fetched by id.
    pub fn is_deleted(&self) -> bool {
        self.deleted_at > 0
    }
}

pub fn check_comment(message: &str) -> Result<(), DeckInputError> {
    if message.trim().is_empty() {
        return Err(DeckInputError::EmptyComment);
    }
    if message.chars().count() > MAX_COMMENT_CHARS {
        return Err(DeckInputError::TooLong("comment", MAX_COMMENT_CHARS));
    }
    Ok(())
}

/// A user id after trimming, refused when empty.
pub fn check_user_id(user_id: &str) -> Result<String, DeckInputError> {
    let user_id = user_id.trim();
    if user_id.is_empty() {
        return Err(DeckInputError::EmptyValue("user_id"));
    }
    Ok(user_id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_colours_and_comments() {
        assert_eq!(
            check_title("card title", "  Ship it ", 255).unwrap(),
            "Ship it"
        );
        assert_eq!(
            check_title("card title", "  ", 255),
            Err(DeckInputError::EmptyTitle("card title"))
        );
        assert!(check_title("label title", &"x".repeat(101), MAX_LABEL_TITLE_CHARS).is_err());
        assert_eq!(check_color("#0082C9").unwrap(), "0082c9");
        assert!(check_color("blue").is_err() && check_color("12345").is_err());
        assert!(check_comment("hi").is_ok() && check_comment(" ").is_err());
        assert!(check_user_id(" alice ").is_ok_and(|u| u == "alice"));
    }

    fn stack(id: u64, order: i64) -> Stack {
        Stack {
            id,
            board_id: 1,
            title: format!("s{id}"),
            order,
            deleted_at: 0,
            cards: Vec::new(),
            etag: String::new(),
        }
    }

    #[test]
    fn a_moved_stack_gets_its_place_alone() {
        let stacks = [stack(1, 0), stack(2, 1), stack(3, 2), stack(4, 5)];
        // Stack 3 to order 1: stack 2 moves behind it, stack 4 is far enough.
        assert_eq!(renumber_for_move(&stacks, 3, 1), vec![(2, 2)]);
        // Stack 1 to order 1: 2 and 3 both shift, 4 stays.
        assert_eq!(renumber_for_move(&stacks, 1, 1), vec![(2, 2), (3, 3)]);
        // To the end, or to a free place: nothing else changes.
        assert!(renumber_for_move(&stacks, 1, 9).is_empty());
        assert!(renumber_for_move(&stacks, 4, 3).is_empty());
        // Equal orders already there are separated as well.
        let tied = [stack(1, 1), stack(2, 1), stack(3, 1)];
        assert_eq!(renumber_for_move(&tied, 3, 1), vec![(1, 2), (2, 3)]);
    }

    #[test]
    fn due_dates_are_normalised() {
        assert_eq!(
            parse_due_date("2026-12-04T17:00:00+00:00").unwrap(),
            "2026-12-04T17:00:00+00:00"
        );
        assert_eq!(
            parse_due_date("2026-12-05").unwrap(),
            "2026-12-05T12:00:00+00:00"
        );
        assert_eq!(
            parse_due_date("2026-12-04T18:00+01:00").unwrap(),
            "2026-12-04T17:00:00+00:00"
        );
        assert_eq!(
            parse_due_date("2026-12-04 23:30-05:00").unwrap(),
            "2026-12-05T04:30:00+00:00"
        );
        assert!(matches!(
            parse_due_date("next friday"),
            Err(DeckInputError::BadDueDate(_))
        ));
        assert_eq!(parse_since("2026-11-23T08:38:30Z").unwrap(), 1_795_423_110);
    }

    #[test]
    fn card_fields_default_the_type() {
        let card = Card {
            id: 1,
            stack_id: 2,
            title: "t".into(),
            description: String::new(),
            card_type: String::new(),
            order: 3,
            archived: false,
            done: None,
            duedate: None,
            owner: "admin".into(),
            labels: vec![],
            assigned_users: vec![],
            comments_count: 0,
            deleted_at: 0,
            last_modified: 0,
            etag: String::new(),
        };
        assert_eq!(CardFields::of(&card).card_type, "plain");
    }
}
