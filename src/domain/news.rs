//! News: RSS/Atom subscriptions, their folders and items.
//!
//! News pages item lists by item id, not by position: a page holds the
//! items below an id, newest id first. [`ItemQuery`] says which items and
//! below which id; the MCP edge turns that id into an opaque cursor.

use serde::Serialize;

use super::text::{TextInputError, check_url};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NewsFolder {
    pub id: u64,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Feed {
    pub id: u64,
    pub title: String,
    pub url: String,
    /// The site the feed belongs to.
    pub link: Option<String>,
    /// `None` for a feed at the top level.
    pub folder_id: Option<u64>,
    pub unread_count: u64,
    /// Unix seconds when it was added.
    pub added: i64,
    /// Failed updates in a row; 0 while the feed is healthy.
    pub update_error_count: u64,
    pub last_update_error: Option<String>,
    pub next_update_time: Option<i64>,
}

/// Whether a feed updates, in words a person can act on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FeedHealth {
    pub feed_id: u64,
    pub title: String,
    pub url: String,
    pub healthy: bool,
    pub update_error_count: u64,
    pub last_update_error: Option<String>,
    pub next_update_time: Option<i64>,
    pub summary: String,
}

impl Feed {
    pub fn health(&self) -> FeedHealth {
        let error = self
            .last_update_error
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty());
        let healthy = self.update_error_count == 0;
        let summary = match (healthy, error) {
            (true, _) => "updates normally".to_string(),
            (false, Some(e)) => format!(
                "the last {} update(s) failed: {e}; check that the URL still serves a feed",
                self.update_error_count
            ),
            (false, None) => format!(
                "the last {} update(s) failed; check that the URL still serves a feed",
                self.update_error_count
            ),
        };
        FeedHealth {
            feed_id: self.id,
            title: self.title.clone(),
            url: self.url.clone(),
            healthy,
            update_error_count: self.update_error_count,
            last_update_error: error.map(str::to_string),
            next_update_time: self.next_update_time,
            summary,
        }
    }
}

/// The user's feeds plus the totals News reports with them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FeedList {
    pub feeds: Vec<Feed>,
    pub starred_count: u64,
    /// The highest item id; marking a feed read uses it as the upper bound.
    pub newest_item_id: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NewsItem {
    pub id: u64,
    pub feed_id: u64,
    pub title: String,
    pub url: Option<String>,
    pub author: Option<String>,
    /// Unix seconds.
    pub published: i64,
    pub updated: Option<i64>,
    /// Sanitised HTML as News stores it.
    pub body: String,
    pub unread: bool,
    pub starred: bool,
    pub enclosure_link: Option<String>,
    pub enclosure_mime: Option<String>,
}

/// Which items a list holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemSelection {
    All,
    Feed(u64),
    Folder(u64),
    Starred,
}

/// One page of items: `limit` items of `selection` whose id is below
/// `before_id` (all when `None`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ItemQuery {
    pub selection: ItemSelection,
    pub unread_only: bool,
    pub limit: u32,
    pub before_id: Option<u64>,
}

impl ItemQuery {
    /// Whether News itself can leave read items out: it answers
    /// `getRead=false` on the starred list with a refusal (as a 200), so
    /// there read items are dropped after fetching.
    pub fn server_hides_read(&self) -> bool {
        self.unread_only && self.selection != ItemSelection::Starred
    }
}

/// One page from `fetched`, which was asked for `limit + 1` items: the
/// first `limit`, minus read ones when the server could not drop them, and
/// the id the next page starts below (`None` on the last page). The cursor
/// follows what News returned, not what is shown, so no item is skipped.
pub fn take_page(
    mut fetched: Vec<NewsItem>,
    query: &ItemQuery,
    limit: usize,
) -> (Vec<NewsItem>, Option<u64>) {
    let more = fetched.len() > limit;
    fetched.truncate(limit);
    let next = if more {
        fetched.iter().map(|i| i.id).min()
    } else {
        None
    };
    if query.unread_only && !query.server_hides_read() {
        fetched.retain(|i| i.unread);
    }
    (fetched, next)
}

/// A feed subscription to add.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedDraft {
    pub url: String,
    pub folder_id: Option<u64>,
}

impl FeedDraft {
    pub fn new(url: &str, folder_id: Option<u64>) -> Result<Self, TextInputError> {
        let url = url.trim();
        check_url("url", url)?;
        Ok(Self {
            url: url.to_string(),
            folder_id: folder_id.filter(|id| *id != 0),
        })
    }
}

/// The News app's own health report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NewsStatus {
    pub version: String,
    /// Feeds only update when Nextcloud's background jobs run by cron.
    pub cron_misconfigured: bool,
    pub database_charset_incorrect: bool,
}

impl NewsStatus {
    /// What an administrator should fix, if anything.
    pub fn warnings(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.cron_misconfigured {
            out.push("background jobs do not run by cron, so feeds may not update; an administrator should set Nextcloud's background jobs to Cron");
        }
        if self.database_charset_incorrect {
            out.push("the database character set is not utf8mb4, so some items may fail to store");
        }
        out
    }
}

/// Plain text of a sanitised HTML body, for the text rendering: tags
/// dropped, the common entities decoded, whitespace collapsed.
pub fn body_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                text.push(' ');
            }
            '>' if in_tag => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let decoded = text
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    let words: Vec<&str> = decoded.split_whitespace().collect();
    words.join(" ").replace(" .", ".").replace(" ,", ",")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(errors: u64, last: Option<&str>) -> Feed {
        Feed {
            id: 3,
            title: "Broken".into(),
            url: "http://vm/broken.xml".into(),
            link: None,
            folder_id: Some(1),
            unread_count: 0,
            added: 0,
            update_error_count: errors,
            last_update_error: last.map(str::to_string),
            next_update_time: None,
        }
    }

    #[test]
    fn health_says_what_failed() {
        assert!(feed(0, None).health().healthy);
        let sick = feed(2, Some("No parser can handle this stream")).health();
        assert!(!sick.healthy);
        assert!(sick.summary.contains("last 2 update(s) failed: No parser"));
        assert_eq!(feed(0, Some("")).health().last_update_error, None);
    }

    #[test]
    fn bodies_read_as_text() {
        let html = r#"<p>Third post with a <a target="_blank" href="http://x">link</a>.</p>"#;
        assert_eq!(body_text(html), "Third post with a link.");
        assert_eq!(body_text("a &amp; b"), "a & b");
    }

    #[test]
    fn feed_urls_are_checked() {
        assert!(FeedDraft::new("ftp://x/feed", None).is_err());
        let draft = FeedDraft::new(" https://example.org/feed.xml ", Some(0)).unwrap();
        assert_eq!(draft.url, "https://example.org/feed.xml");
        assert_eq!(draft.folder_id, None);
    }

    fn item(id: u64, unread: bool) -> NewsItem {
        NewsItem {
            id,
            feed_id: 1,
            title: format!("item {id}"),
            url: None,
            author: None,
            published: 0,
            updated: None,
            body: String::new(),
            unread,
            starred: true,
            enclosure_link: None,
            enclosure_mime: None,
        }
    }

    #[test]
    fn pages_continue_below_the_lowest_id_fetched() {
        let all = ItemQuery {
            selection: ItemSelection::All,
            unread_only: true,
            limit: 3,
            before_id: None,
        };
        assert!(all.server_hides_read());
        let (page, next) = take_page(vec![item(8, true), item(7, true), item(6, true)], &all, 2);
        assert_eq!(page.iter().map(|i| i.id).collect::<Vec<_>>(), [8, 7]);
        assert_eq!(next, Some(7));
        let (_, last) = take_page(vec![item(2, true)], &all, 2);
        assert_eq!(last, None);

        let starred = ItemQuery {
            selection: ItemSelection::Starred,
            ..all
        };
        assert!(!starred.server_hides_read());
        let (page, next) = take_page(
            vec![item(9, false), item(5, true), item(4, true)],
            &starred,
            2,
        );
        assert_eq!(page.iter().map(|i| i.id).collect::<Vec<_>>(), [5]);
        assert_eq!(next, Some(5));
    }

    #[test]
    fn status_warnings_are_actionable() {
        let status = NewsStatus {
            version: "28.7.0".into(),
            cron_misconfigured: true,
            database_charset_incorrect: false,
        };
        assert_eq!(status.warnings().len(), 1);
        assert!(status.warnings()[0].contains("Cron"));
    }
}
