//! The JSON News 28 answers, as captured, and its conversion to the domain
//! types. Counts and optional texts can be null.

use serde::Deserialize;

use crate::domain::news::{Feed, NewsFolder, NewsItem};

#[derive(Deserialize)]
pub struct WireFolder {
    id: u64,
    #[serde(default)]
    name: String,
}

impl From<WireFolder> for NewsFolder {
    fn from(w: WireFolder) -> Self {
        NewsFolder {
            id: w.id,
            name: w.name,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireFeed {
    pub id: u64,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    link: Option<String>,
    #[serde(default)]
    folder_id: Option<u64>,
    /// null in the create reply.
    #[serde(default)]
    unread_count: Option<u64>,
    #[serde(default)]
    added: i64,
    #[serde(default)]
    update_error_count: Option<u64>,
    #[serde(default)]
    last_update_error: Option<String>,
    #[serde(default)]
    next_update_time: Option<i64>,
}

impl From<WireFeed> for Feed {
    fn from(w: WireFeed) -> Self {
        Feed {
            id: w.id,
            title: w.title,
            url: w.url,
            link: w.link.filter(|l| !l.is_empty()),
            folder_id: w.folder_id.filter(|id| *id != 0),
            unread_count: w.unread_count.unwrap_or(0),
            added: w.added,
            update_error_count: w.update_error_count.unwrap_or(0),
            last_update_error: w.last_update_error.filter(|e| !e.trim().is_empty()),
            next_update_time: w.next_update_time,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireItem {
    id: u64,
    #[serde(default)]
    feed_id: u64,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    author: Option<String>,
    #[serde(default)]
    pub_date: Option<i64>,
    #[serde(default)]
    updated_date: Option<i64>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    unread: bool,
    #[serde(default)]
    starred: bool,
    #[serde(default)]
    enclosure_link: Option<String>,
    #[serde(default)]
    enclosure_mime: Option<String>,
}

impl From<WireItem> for NewsItem {
    fn from(w: WireItem) -> Self {
        NewsItem {
            id: w.id,
            feed_id: w.feed_id,
            title: w.title.unwrap_or_default(),
            url: w.url.filter(|u| !u.is_empty()),
            author: w.author.filter(|a| !a.is_empty()),
            published: w.pub_date.unwrap_or_default(),
            updated: w.updated_date,
            body: w.body.unwrap_or_default(),
            unread: w.unread,
            starred: w.starred,
            enclosure_link: w.enclosure_link.filter(|l| !l.is_empty()),
            enclosure_mime: w.enclosure_mime.filter(|m| !m.is_empty()),
        }
    }
}

#[derive(Deserialize)]
pub struct FoldersReply {
    pub folders: Vec<WireFolder>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FeedsReply {
    pub feeds: Vec<WireFeed>,
    #[serde(default)]
    pub starred_count: u64,
    #[serde(default)]
    pub newest_item_id: Option<u64>,
}

/// An item list, or the refusal News sends as a 200 ("Setting getRead on
/// an already filtered list is not allowed!").
#[derive(Deserialize)]
#[serde(untagged)]
pub enum ItemsReply {
    Items { items: Vec<WireItem> },
    Refused { message: String },
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusReply {
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub warnings: Warnings,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Warnings {
    #[serde(default)]
    pub improperly_configured_cron: bool,
    #[serde(default)]
    pub incorrect_db_charset: bool,
}
