//! News over its REST API (`/index.php/apps/news/api/v1-3`): plain JSON, no
//! OCS envelope and no `OCS-APIRequest` header, checked against captures of
//! News 28.7.0.

mod errors;
mod wire;

use async_trait::async_trait;
use reqwest::header::ACCEPT;
use reqwest::{Method, RequestBuilder};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use super::body::error_bytes;
use super::http::NextcloudSession;
use super::ocs::{parse_json, read_body};
use super::scrub::safe_message;
use crate::domain::news::{
    FeedDraft, FeedList, ItemQuery, ItemSelection, NewsFolder, NewsItem, NewsStatus,
};
use crate::ports::nextcloud::{NewsApi, NextcloudError};
use errors::{add_feed_error, news_error};
use wire::{FeedsReply, FoldersReply, ItemsReply, StatusReply};

const API: &str = "index.php/apps/news/api/v1-3";

/// News list types (`type=`): feed 0, folder 1, starred 2, all 3.
fn list_type(selection: ItemSelection) -> (u8, Option<u64>) {
    match selection {
        ItemSelection::Feed(id) => (0, Some(id)),
        ItemSelection::Folder(id) => (1, Some(id)),
        ItemSelection::Starred => (2, None),
        ItemSelection::All => (3, None),
    }
}

fn item_what(ids: &[u64]) -> String {
    match ids {
        [one] => format!("news item {one}"),
        _ => "one of the news items".into(),
    }
}

impl NextcloudSession {
    fn news_request(&self, method: Method, path: &str) -> Result<RequestBuilder, NextcloudError> {
        let url = self.url(&format!("{API}{path}"))?;
        Ok(self.request(method, url).header(ACCEPT, "application/json"))
    }

    /// Sends and reads the reply: a successful body up to the JSON cap, an
    /// error body only as far as a message can reach.
    async fn news_send(
        &self,
        request: RequestBuilder,
        what: &str,
    ) -> Result<(reqwest::StatusCode, Vec<u8>), NextcloudError> {
        let response = self.send_raw(request).await?;
        let status = response.status();
        let body = if status.is_success() {
            read_body(response, what).await?
        } else {
            error_bytes(response).await
        };
        Ok((status, body))
    }

    async fn news_call<T: DeserializeOwned>(
        &self,
        request: RequestBuilder,
        what: &str,
    ) -> Result<T, NextcloudError> {
        let (status, body) = self.news_send(request, what).await?;
        if !status.is_success() {
            return Err(news_error(status, what, &body));
        }
        parse_json(&body, what)
    }

    /// A write that answers `[]` or `null`.
    async fn news_write(&self, request: RequestBuilder, what: &str) -> Result<(), NextcloudError> {
        let _: Value = self.news_call(request, what).await?;
        Ok(())
    }

    async fn mark_items(
        &self,
        ids: &[u64],
        single: &str,
        multiple: &str,
    ) -> Result<(), NextcloudError> {
        let what = item_what(ids);
        let request = match ids {
            // The single-item route says 404 for an unknown id; the
            // multiple one does not.
            [one] => self.news_request(Method::POST, &format!("/items/{one}/{single}"))?,
            _ => self
                .news_request(Method::POST, &format!("/items/{multiple}/multiple"))?
                .json(&json!({ "itemIds": ids })),
        };
        self.news_write(request, &what).await
    }
}

#[async_trait]
impl NewsApi for NextcloudSession {
    async fn news_status(&self) -> Result<NewsStatus, NextcloudError> {
        let request = self.news_request(Method::GET, "/status")?;
        let reply: StatusReply = self.news_call(request, "the News status").await?;
        Ok(NewsStatus {
            version: reply.version,
            cron_misconfigured: reply.warnings.improperly_configured_cron,
            database_charset_incorrect: reply.warnings.incorrect_db_charset,
        })
    }

    async fn list_news_folders(&self) -> Result<Vec<NewsFolder>, NextcloudError> {
        let request = self.news_request(Method::GET, "/folders")?;
        let reply: FoldersReply = self.news_call(request, "your News folders").await?;
        Ok(reply.folders.into_iter().map(Into::into).collect())
    }

    async fn list_feeds(&self) -> Result<FeedList, NextcloudError> {
        let request = self.news_request(Method::GET, "/feeds")?;
        let reply: FeedsReply = self.news_call(request, "your News feeds").await?;
        Ok(FeedList {
            feeds: reply.feeds.into_iter().map(Into::into).collect(),
            starred_count: reply.starred_count,
            newest_item_id: reply.newest_item_id,
        })
    }

    async fn list_items(&self, query: &ItemQuery) -> Result<Vec<NewsItem>, NextcloudError> {
        let (kind, id) = list_type(query.selection);
        let what = match query.selection {
            ItemSelection::Feed(id) => format!("news feed {id}"),
            ItemSelection::Folder(id) => format!("news folder {id}"),
            _ => "your news items".into(),
        };
        let mut params: Vec<(&str, String)> = vec![("type", kind.to_string())];
        if let Some(id) = id {
            params.push(("id", id.to_string()));
        }
        params.push(("getRead", (!query.server_hides_read()).to_string()));
        params.push(("batchSize", query.limit.to_string()));
        if let Some(before) = query.before_id {
            // `offset` is an item id: News answers the items below it.
            params.push(("offset", before.to_string()));
        }
        let request = self.news_request(Method::GET, "/items")?.query(&params);
        match self.news_call(request, &what).await? {
            ItemsReply::Items { items } => Ok(items.into_iter().map(Into::into).collect()),
            ItemsReply::Refused { message } => Err(NextcloudError::BadRequest(
                safe_message(Some(message)).unwrap_or_else(|| "News refused the item list".into()),
            )),
        }
    }

    async fn get_item(&self, item_id: u64) -> Result<Option<NewsItem>, NextcloudError> {
        let query = ItemQuery {
            selection: ItemSelection::All,
            unread_only: false,
            limit: 1,
            before_id: Some(item_id.saturating_add(1)),
        };
        let items = self.list_items(&query).await?;
        Ok(items.into_iter().find(|i| i.id == item_id))
    }

    async fn set_items_read(&self, item_ids: &[u64], read: bool) -> Result<(), NextcloudError> {
        let verb = if read { "read" } else { "unread" };
        self.mark_items(item_ids, verb, verb).await
    }

    async fn set_items_starred(
        &self,
        item_ids: &[u64],
        starred: bool,
    ) -> Result<(), NextcloudError> {
        let verb = if starred { "star" } else { "unstar" };
        self.mark_items(item_ids, verb, verb).await
    }

    async fn add_feed(&self, draft: &FeedDraft) -> Result<(u64, String), NextcloudError> {
        let mut body = Map::new();
        body.insert("url".into(), json!(draft.url));
        if let Some(folder) = draft.folder_id {
            body.insert("folderId".into(), json!(folder));
        }
        let what = format!("the feed {}", draft.url);
        let request = self.news_request(Method::POST, "/feeds")?.json(&body);
        let (status, reply) = self.news_send(request, &what).await?;
        if !status.is_success() {
            return Err(add_feed_error(status, &draft.url, draft.folder_id, &reply));
        }
        let reply: FeedsReply = parse_json(&reply, &what)?;
        let feed =
            reply.feeds.into_iter().next().ok_or_else(|| {
                NextcloudError::Protocol(format!("News answered no feed for {what}"))
            })?;
        Ok((feed.id, feed.title))
    }

    async fn remove_feed(&self, feed_id: u64) -> Result<(), NextcloudError> {
        let request = self.news_request(Method::DELETE, &format!("/feeds/{feed_id}"))?;
        self.news_write(request, &format!("news feed {feed_id}"))
            .await
    }
}
