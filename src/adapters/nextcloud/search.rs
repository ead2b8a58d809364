//! Unified search over OCS (`/ocs/v2.php/search/providers`). An unknown
//! provider answers 500 with OCS code 996 (fixture unified-search/07).

use async_trait::async_trait;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;

use super::errors::search_provider_failed;
use super::http::NextcloudSession;
use crate::domain::search::{SearchEntry, SearchPage, SearchProvider, SearchQuery};
use crate::ports::nextcloud::{NextcloudError, SearchApi};

const PROVIDERS: &str = "ocs/v2.php/search/providers";
/// The page size Nextcloud's unified search uses when none is sent
/// (capture unified-search/02 answers cursor 5).
const DEFAULT_LIMIT: usize = 5;
/// Provider ids such as `search-deck-card-board` keep their dashes.
const ID: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.');

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireProvider {
    id: String,
    #[serde(default)]
    app_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    order: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireEntry {
    #[serde(default)]
    title: String,
    #[serde(default)]
    subline: String,
    #[serde(default)]
    resource_url: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WirePage {
    #[serde(default)]
    name: String,
    #[serde(default)]
    is_paginated: bool,
    #[serde(default)]
    entries: Vec<WireEntry>,
    /// A number for the files provider, possibly a string elsewhere.
    #[serde(default)]
    cursor: Value,
}

fn cursor_text(cursor: &Value) -> Option<String> {
    match cursor {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

#[async_trait]
impl SearchApi for NextcloudSession {
    async fn list_search_providers(&self) -> Result<Vec<SearchProvider>, NextcloudError> {
        let request = self.ocs_request(Method::GET, PROVIDERS)?;
        let wire: Vec<WireProvider> = self.ocs_call(request, "the search providers").await?;
        Ok(wire
            .into_iter()
            .map(|p| SearchProvider {
                id: p.id,
                app_id: p.app_id,
                name: p.name,
                order: p.order,
            })
            .collect())
    }

    async fn search_provider(
        &self,
        provider: &str,
        query: &SearchQuery,
    ) -> Result<SearchPage, NextcloudError> {
        let id = utf8_percent_encode(provider, ID).to_string();
        let mut request = self
            .ocs_request(Method::GET, &format!("{PROVIDERS}/{id}/search"))?
            .query(&[("term", query.term.as_str())]);
        if let Some(limit) = query.limit {
            request = request.query(&[("limit", limit)]);
        }
        if let Some(cursor) = &query.cursor {
            request = request.query(&[("cursor", cursor.as_str())]);
        }
        let what = format!("search provider '{provider}'");
        let page: WirePage = self
            .ocs_call(request, &what)
            .await
            .map_err(|e| search_provider_failed(e, provider))?;
        // Paginated providers answer a cursor on every page, also the last:
        // there is more only when the page came back full.
        let full = page.entries.len() >= query.limit.map_or(DEFAULT_LIMIT, |l| l as usize);
        let cursor = if page.is_paginated && !page.entries.is_empty() && full {
            cursor_text(&page.cursor)
        } else {
            None
        };
        Ok(SearchPage {
            provider: provider.to_string(),
            name: page.name,
            is_paginated: page.is_paginated,
            entries: page
                .entries
                .into_iter()
                .map(|e| SearchEntry {
                    title: e.title,
                    subline: e.subline,
                    resource_url: e.resource_url,
                })
                .collect(),
            cursor,
        })
    }
}
