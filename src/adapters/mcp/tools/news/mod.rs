//! News tools (`nc_news_*`, the reference server's names): feeds and
//! folders in `feeds.rs`, subscribing in `subscribe.rs`, reading items in
//! `items.rs`, marking them in `marks.rs`, the paging cursor in `cursor.rs`.

mod cursor;
mod feeds;
mod items;
mod marks;
mod subscribe;

use serde_json::{Value, json};

use super::AppRouter;
use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::tool_scopes::Access;
use crate::domain::capabilities::App;
use crate::domain::dates::CivilDate;
use crate::domain::news::{NewsItem, body_text};
use crate::domain::scopes::Scope;

/// News is an optional app.
pub(super) fn router() -> AppRouter {
    AppRouter::new(
        Some(App::News),
        Access::read_write(Scope::NewsRead, Scope::NewsWrite),
        NextcloudMcp::news_feeds_router()
            + NextcloudMcp::news_subscribe_router()
            + NextcloudMcp::news_items_router()
            + NextcloudMcp::news_marks_router(),
    )
}

/// A list shows this much of each item's text; nc_news_get_item has all.
const SUMMARY_CHARS: usize = 300;

fn item_line(item: &NewsItem) -> String {
    let mut flags = String::new();
    if item.unread {
        flags.push_str("[unread] ");
    }
    if item.starred {
        flags.push_str("[starred] ");
    }
    let mut line = format!(
        "- {flags}{} (item {}, feed {}, {})",
        item.title,
        item.id,
        item.feed_id,
        CivilDate::from_unix(item.published)
    );
    if let Some(url) = &item.url {
        line.push_str(&format!(" {url}"));
    }
    line
}

/// An item for a list: its text shortened to a summary, the HTML left out.
fn item_summary(item: &NewsItem) -> Value {
    let text = body_text(&item.body);
    let summary: String = text.chars().take(SUMMARY_CHARS).collect();
    let mut value = json!(item);
    if let Some(map) = value.as_object_mut() {
        map.remove("body");
        map.insert("summary".into(), json!(summary));
    }
    value
}
