//! News over its REST API (`/index.php/apps/news/api/v1-3`).

use async_trait::async_trait;

use crate::domain::news::{FeedDraft, FeedList, ItemQuery, NewsFolder, NewsItem, NewsStatus};

use super::NextcloudError;

#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait NewsApi: Send + Sync {
    async fn news_status(&self) -> Result<NewsStatus, NextcloudError>;
    async fn list_news_folders(&self) -> Result<Vec<NewsFolder>, NextcloudError>;
    async fn list_feeds(&self) -> Result<FeedList, NextcloudError>;
    /// One page of items, highest id first.
    async fn list_items(&self, query: &ItemQuery) -> Result<Vec<NewsItem>, NextcloudError>;
    /// News has no endpoint for one item; `None` when no item has this id.
    async fn get_item(&self, item_id: u64) -> Result<Option<NewsItem>, NextcloudError>;
    async fn set_items_read(&self, item_ids: &[u64], read: bool) -> Result<(), NextcloudError>;
    async fn set_items_starred(
        &self,
        item_ids: &[u64],
        starred: bool,
    ) -> Result<(), NextcloudError>;
    /// Subscribes; News fetches the feed first, so a URL that does not
    /// serve a feed fails here. Answers the new feed's id and title.
    async fn add_feed(&self, draft: &FeedDraft) -> Result<(u64, String), NextcloudError>;
    async fn remove_feed(&self, feed_id: u64) -> Result<(), NextcloudError>;
}
