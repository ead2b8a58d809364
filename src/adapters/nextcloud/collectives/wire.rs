//! The JSON Collectives 4.x answers, as captured, and its conversion to the
//! domain types. Unknown fields are ignored; optional ones default.

use serde::Deserialize;

use crate::domain::collectives::{Collective, Page, Tag};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireCollective {
    id: u64,
    name: String,
    #[serde(default)]
    emoji: Option<String>,
    #[serde(default)]
    trash_timestamp: Option<i64>,
    #[serde(default)]
    can_edit: bool,
    #[serde(default)]
    can_share: bool,
}

impl From<WireCollective> for Collective {
    fn from(w: WireCollective) -> Self {
        Collective {
            id: w.id,
            name: w.name,
            emoji: w.emoji.filter(|e| !e.is_empty()),
            trashed_at: w.trash_timestamp,
            can_edit: w.can_edit,
            can_share: w.can_share,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WirePage {
    id: u64,
    title: String,
    #[serde(default)]
    emoji: Option<String>,
    #[serde(default)]
    parent_id: u64,
    #[serde(default)]
    subpage_order: Vec<u64>,
    #[serde(default)]
    tags: Vec<u64>,
    #[serde(default)]
    timestamp: i64,
    #[serde(default)]
    size: u64,
    #[serde(default)]
    last_user_id: Option<String>,
    #[serde(default)]
    trash_timestamp: Option<i64>,
    #[serde(default)]
    collective_path: Option<String>,
    #[serde(default)]
    file_path: String,
    #[serde(default)]
    file_name: String,
}

impl From<WirePage> for Page {
    fn from(w: WirePage) -> Self {
        Page {
            id: w.id,
            title: w.title,
            emoji: w.emoji.filter(|e| !e.is_empty()),
            parent_id: w.parent_id,
            subpage_order: w.subpage_order,
            tags: w.tags,
            modified: w.timestamp,
            size: w.size,
            last_editor: w.last_user_id,
            trashed_at: w.trash_timestamp,
            collective_path: w.collective_path,
            folder: w.file_path,
            file_name: w.file_name,
        }
    }
}

#[derive(Deserialize)]
pub struct WireTag {
    id: u64,
    name: String,
    #[serde(default)]
    color: String,
}

impl From<WireTag> for Tag {
    fn from(w: WireTag) -> Self {
        Tag {
            id: w.id,
            name: w.name,
            color: w.color,
        }
    }
}

#[derive(Deserialize)]
pub struct CollectiveReply {
    pub collective: WireCollective,
}

#[derive(Deserialize)]
pub struct CollectivesReply {
    pub collectives: Vec<WireCollective>,
}

#[derive(Deserialize)]
pub struct PageReply {
    pub page: WirePage,
}

#[derive(Deserialize)]
pub struct PagesReply {
    pub pages: Vec<WirePage>,
}

#[derive(Deserialize)]
pub struct TagReply {
    pub tag: WireTag,
}

#[derive(Deserialize)]
pub struct TagsReply {
    pub tags: Vec<WireTag>,
}
