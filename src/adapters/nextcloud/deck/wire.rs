//! Deck's JSON shapes as Nextcloud 34 / Deck 1.18 send them (fixtures
//! deck/*), and their conversion to domain types. Deck is inconsistent:
//! users are objects or bare ids, lists are sometimes `null`.

use serde::Deserialize;
use serde_json::Value;

use crate::domain::deck::{Assignment, Board, Card, Comment, Label, Stack};

/// A user as Deck sends it: an object in most replies, a bare id in some
/// (stack details, card reorder: fixtures deck/15, deck/20).
#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum WireUser {
    Object {
        uid: String,
        #[serde(default)]
        displayname: Option<String>,
    },
    Id(String),
}

impl WireUser {
    pub(super) fn uid(self) -> String {
        match self {
            Self::Object { uid, .. } | Self::Id(uid) => uid,
        }
    }

    pub(super) fn display_name(&self) -> String {
        match self {
            Self::Object {
                uid, displayname, ..
            } => displayname.clone().unwrap_or_else(|| uid.clone()),
            Self::Id(uid) => uid.clone(),
        }
    }
}

#[derive(Deserialize)]
pub(super) struct WireLabel {
    id: u64,
    #[serde(default)]
    title: String,
    #[serde(default)]
    color: String,
}

impl From<WireLabel> for Label {
    fn from(l: WireLabel) -> Self {
        Self {
            id: l.id,
            title: l.title,
            color: l.color,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(super) struct WirePermissions {
    #[serde(default)]
    permission_edit: bool,
    #[serde(default)]
    permission_manage: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct WireBoard {
    id: u64,
    #[serde(default)]
    title: String,
    owner: Option<WireUser>,
    #[serde(default)]
    color: String,
    #[serde(default)]
    archived: bool,
    #[serde(default)]
    labels: Option<Vec<WireLabel>>,
    #[serde(default)]
    stacks: Option<Vec<WireStack>>,
    #[serde(default)]
    users: Option<Vec<WireUser>>,
    #[serde(default)]
    deleted_at: i64,
    #[serde(default)]
    last_modified: i64,
    #[serde(default)]
    permissions: Option<WirePermissions>,
    #[serde(default, rename = "ETag")]
    etag: String,
}

impl From<WireBoard> for Board {
    fn from(b: WireBoard) -> Self {
        let permissions = b.permissions.unwrap_or_default();
        Self {
            id: b.id,
            title: b.title,
            color: b.color,
            owner: b.owner.map(WireUser::uid).unwrap_or_default(),
            archived: b.archived,
            deleted_at: b.deleted_at,
            last_modified: b.last_modified,
            labels: b
                .labels
                .unwrap_or_default()
                .into_iter()
                .map(Label::from)
                .collect(),
            stacks: b
                .stacks
                .unwrap_or_default()
                .into_iter()
                .map(Stack::from)
                .collect(),
            users: b
                .users
                .unwrap_or_default()
                .into_iter()
                .map(WireUser::uid)
                .collect(),
            can_edit: permissions.permission_edit,
            can_manage: permissions.permission_manage,
            etag: b.etag,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct WireStack {
    id: u64,
    #[serde(default)]
    board_id: u64,
    #[serde(default)]
    title: String,
    #[serde(default)]
    order: i64,
    #[serde(default)]
    deleted_at: i64,
    #[serde(default)]
    cards: Option<Vec<WireCard>>,
    #[serde(default, rename = "ETag")]
    etag: String,
}

impl From<WireStack> for Stack {
    fn from(s: WireStack) -> Self {
        Self {
            id: s.id,
            board_id: s.board_id,
            title: s.title,
            order: s.order,
            deleted_at: s.deleted_at,
            cards: s
                .cards
                .unwrap_or_default()
                .into_iter()
                .map(Card::from)
                .collect(),
            etag: s.etag,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct WireAssignment {
    participant: WireUser,
    #[serde(default)]
    card_id: u64,
}

impl From<WireAssignment> for Assignment {
    fn from(a: WireAssignment) -> Self {
        let display_name = a.participant.display_name();
        Self {
            card_id: a.card_id,
            user_id: a.participant.uid(),
            display_name,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct WireCard {
    id: u64,
    #[serde(default)]
    stack_id: u64,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default, rename = "type")]
    card_type: String,
    #[serde(default)]
    order: i64,
    #[serde(default)]
    archived: bool,
    #[serde(default)]
    done: Option<Value>,
    #[serde(default)]
    duedate: Option<String>,
    owner: Option<WireUser>,
    // `null` in some replies (fixtures deck/15, deck/20).
    #[serde(default)]
    labels: Option<Vec<WireLabel>>,
    #[serde(default)]
    assigned_users: Option<Vec<WireAssignment>>,
    #[serde(default)]
    comments_count: u64,
    #[serde(default)]
    deleted_at: i64,
    #[serde(default)]
    last_modified: i64,
    #[serde(default, rename = "ETag")]
    etag: String,
}

impl From<WireCard> for Card {
    fn from(c: WireCard) -> Self {
        Self {
            id: c.id,
            stack_id: c.stack_id,
            title: c.title,
            description: c.description.unwrap_or_default(),
            card_type: c.card_type,
            order: c.order,
            archived: c.archived,
            done: c.done.and_then(|d| d.as_str().map(str::to_string)),
            duedate: c.duedate.filter(|d| !d.is_empty()),
            owner: c.owner.map(WireUser::uid).unwrap_or_default(),
            labels: c
                .labels
                .unwrap_or_default()
                .into_iter()
                .map(Label::from)
                .collect(),
            assigned_users: c
                .assigned_users
                .unwrap_or_default()
                .into_iter()
                .map(|a| a.participant.uid())
                .collect(),
            comments_count: c.comments_count,
            deleted_at: c.deleted_at,
            last_modified: c.last_modified,
            etag: c.etag,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct WireComment {
    id: u64,
    #[serde(default)]
    object_id: Value,
    #[serde(default)]
    message: String,
    #[serde(default)]
    actor_id: String,
    #[serde(default)]
    actor_display_name: String,
    #[serde(default)]
    creation_date_time: String,
    /// Replies carry the comment they answer (fixture deck-extras/28).
    #[serde(default)]
    reply_to: Option<WireReplyTo>,
}

#[derive(Deserialize)]
pub(super) struct WireReplyTo {
    id: u64,
}

impl From<WireComment> for Comment {
    fn from(c: WireComment) -> Self {
        let card_id = match &c.object_id {
            Value::Number(n) => n.as_u64().unwrap_or_default(),
            Value::String(s) => s.parse().unwrap_or_default(),
            _ => 0,
        };
        Self {
            id: c.id,
            card_id,
            message: c.message,
            actor_id: c.actor_id,
            actor_display_name: c.actor_display_name,
            created: c.creation_date_time,
            reply_to: c.reply_to.map(|r| r.id),
        }
    }
}
