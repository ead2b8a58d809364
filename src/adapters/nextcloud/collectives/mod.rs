//! Collectives over OCS (`/ocs/v2.php/apps/collectives/api/v1.0`), checked
//! against captures of Collectives 4.5.0. Every write answers 200 with the
//! changed object, never 201.

mod wire;

use async_trait::async_trait;
use reqwest::{Method, RequestBuilder};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use super::http::NextcloudSession;
use super::scrub::scrub;
use crate::domain::collectives::{Collective, Page, Tag};
use crate::ports::nextcloud::{CollectivesApi, NextcloudError, PagePlacement};
use wire::{CollectiveReply, CollectivesReply, PageReply, PagesReply, TagReply, TagsReply};

const API: &str = "ocs/v2.php/apps/collectives/api/v1.0/collectives";

impl NextcloudSession {
    /// An OCS request as the captures send it: JSON accepted by header, so
    /// no `format` parameter.
    fn collectives_request(
        &self,
        method: Method,
        path: &str,
    ) -> Result<RequestBuilder, NextcloudError> {
        let url = self.url(&format!("{API}{path}"))?;
        Ok(self.json_request(method, url))
    }

    async fn collectives_call<T: DeserializeOwned>(
        &self,
        request: RequestBuilder,
        what: &str,
    ) -> Result<T, NextcloudError> {
        self.ocs_call(request, what)
            .await
            .map_err(|e| refine(e, what))
    }
}

/// The app says "already exists" with HTTP 400 ("Collective already
/// exists.", "Tag already exists for collective: x"); a person reads that as
/// a name clash, not a malformed request.
fn refine(error: NextcloudError, what: &str) -> NextcloudError {
    match scrub(error) {
        NextcloudError::BadRequest(m) if m.to_lowercase().contains("already exists") => {
            NextcloudError::AlreadyExists(what.to_string())
        }
        other => other,
    }
}

fn collective_what(id: u64) -> String {
    format!("collective {id} (or you are not a member of it)")
}

fn page_what(collective_id: u64, page_id: u64) -> String {
    format!("page {page_id} in collective {collective_id}")
}

fn emoji_body(emoji: Option<String>) -> Value {
    // Leaving `emoji` out clears it (collectives/20).
    match emoji {
        Some(e) => json!({ "emoji": e }),
        None => json!({}),
    }
}

#[async_trait]
impl CollectivesApi for NextcloudSession {
    async fn list_collectives(&self) -> Result<Vec<Collective>, NextcloudError> {
        let request = self.collectives_request(Method::GET, "")?;
        let reply: CollectivesReply = self.collectives_call(request, "your collectives").await?;
        Ok(reply.collectives.into_iter().map(Into::into).collect())
    }

    async fn create_collective(
        &self,
        name: &str,
        emoji: Option<String>,
    ) -> Result<Collective, NextcloudError> {
        let mut body = Map::new();
        body.insert("name".into(), json!(name));
        if let Some(e) = emoji {
            body.insert("emoji".into(), json!(e));
        }
        let request = self.collectives_request(Method::POST, "")?.json(&body);
        let what = format!("a collective named '{name}'");
        let reply: CollectiveReply = self.collectives_call(request, &what).await?;
        Ok(reply.collective.into())
    }

    async fn set_collective_emoji(
        &self,
        collective_id: u64,
        emoji: Option<String>,
    ) -> Result<Collective, NextcloudError> {
        let request = self
            .collectives_request(Method::PUT, &format!("/{collective_id}"))?
            .json(&emoji_body(emoji));
        let reply: CollectiveReply = self
            .collectives_call(request, &collective_what(collective_id))
            .await?;
        Ok(reply.collective.into())
    }

    async fn trash_collective(&self, collective_id: u64) -> Result<Collective, NextcloudError> {
        let request = self.collectives_request(Method::DELETE, &format!("/{collective_id}"))?;
        let reply: CollectiveReply = self
            .collectives_call(request, &collective_what(collective_id))
            .await?;
        Ok(reply.collective.into())
    }

    async fn list_trashed_collectives(&self) -> Result<Vec<Collective>, NextcloudError> {
        let request = self.collectives_request(Method::GET, "/trash")?;
        let reply: CollectivesReply = self
            .collectives_call(request, "the collectives trash")
            .await?;
        Ok(reply.collectives.into_iter().map(Into::into).collect())
    }

    async fn restore_collective(&self, collective_id: u64) -> Result<Collective, NextcloudError> {
        let request =
            self.collectives_request(Method::PATCH, &format!("/trash/{collective_id}"))?;
        let what = format!("collective {collective_id} in the trash");
        let reply: CollectiveReply = self.collectives_call(request, &what).await?;
        Ok(reply.collective.into())
    }

    async fn delete_collective(
        &self,
        collective_id: u64,
        with_team: bool,
    ) -> Result<Collective, NextcloudError> {
        let mut request =
            self.collectives_request(Method::DELETE, &format!("/trash/{collective_id}"))?;
        if with_team {
            request = request.query(&[("circle", "true")]);
        }
        let what = format!("collective {collective_id} in the trash");
        let reply: CollectiveReply = self.collectives_call(request, &what).await?;
        Ok(reply.collective.into())
    }

    async fn list_pages(&self, collective_id: u64) -> Result<Vec<Page>, NextcloudError> {
        let request = self.collectives_request(Method::GET, &format!("/{collective_id}/pages"))?;
        let reply: PagesReply = self
            .collectives_call(request, &collective_what(collective_id))
            .await?;
        Ok(reply.pages.into_iter().map(Into::into).collect())
    }

    async fn get_page(&self, collective_id: u64, page_id: u64) -> Result<Page, NextcloudError> {
        let request =
            self.collectives_request(Method::GET, &format!("/{collective_id}/pages/{page_id}"))?;
        let reply: PageReply = self
            .collectives_call(request, &page_what(collective_id, page_id))
            .await?;
        Ok(reply.page.into())
    }

    async fn create_page(
        &self,
        collective_id: u64,
        parent_id: u64,
        title: &str,
    ) -> Result<Page, NextcloudError> {
        let request = self
            .collectives_request(Method::POST, &format!("/{collective_id}/pages/{parent_id}"))?
            .json(&json!({ "title": title }));
        let what = format!("parent page {parent_id} in collective {collective_id}");
        let reply: PageReply = self.collectives_call(request, &what).await?;
        Ok(reply.page.into())
    }

    async fn place_page(
        &self,
        collective_id: u64,
        page_id: u64,
        placement: &PagePlacement,
    ) -> Result<Page, NextcloudError> {
        let mut body = Map::new();
        if let Some(parent) = placement.parent_id {
            body.insert("parentId".into(), json!(parent));
        }
        if let Some(title) = &placement.title {
            body.insert("title".into(), json!(title));
        }
        if let Some(index) = placement.index {
            body.insert("index".into(), json!(index));
        }
        if placement.copy {
            body.insert("copy".into(), json!(true));
        }
        let request = self
            .collectives_request(Method::PUT, &format!("/{collective_id}/pages/{page_id}"))?
            .json(&body);
        let reply: PageReply = self
            .collectives_call(request, &page_what(collective_id, page_id))
            .await?;
        Ok(reply.page.into())
    }

    async fn set_page_emoji(
        &self,
        collective_id: u64,
        page_id: u64,
        emoji: Option<String>,
    ) -> Result<Page, NextcloudError> {
        let request = self
            .collectives_request(
                Method::PUT,
                &format!("/{collective_id}/pages/{page_id}/emoji"),
            )?
            .json(&emoji_body(emoji));
        let reply: PageReply = self
            .collectives_call(request, &page_what(collective_id, page_id))
            .await?;
        Ok(reply.page.into())
    }

    async fn trash_page(&self, collective_id: u64, page_id: u64) -> Result<Page, NextcloudError> {
        let request =
            self.collectives_request(Method::DELETE, &format!("/{collective_id}/pages/{page_id}"))?;
        let reply: PageReply = self
            .collectives_call(request, &page_what(collective_id, page_id))
            .await?;
        Ok(reply.page.into())
    }

    async fn list_trashed_pages(&self, collective_id: u64) -> Result<Vec<Page>, NextcloudError> {
        let request =
            self.collectives_request(Method::GET, &format!("/{collective_id}/pages/trash"))?;
        let reply: PagesReply = self
            .collectives_call(request, &collective_what(collective_id))
            .await?;
        Ok(reply.pages.into_iter().map(Into::into).collect())
    }

    async fn restore_page(&self, collective_id: u64, page_id: u64) -> Result<Page, NextcloudError> {
        let request = self.collectives_request(
            Method::PATCH,
            &format!("/{collective_id}/pages/trash/{page_id}"),
        )?;
        let what = format!("{} in the trash", page_what(collective_id, page_id));
        let reply: PageReply = self.collectives_call(request, &what).await?;
        Ok(reply.page.into())
    }

    async fn delete_page(&self, collective_id: u64, page_id: u64) -> Result<(), NextcloudError> {
        let request = self.collectives_request(
            Method::DELETE,
            &format!("/{collective_id}/pages/trash/{page_id}"),
        )?;
        let what = format!("{} in the trash", page_what(collective_id, page_id));
        // Answers `data: []`.
        let _: Value = self.collectives_call(request, &what).await?;
        Ok(())
    }

    async fn search_pages(
        &self,
        collective_id: u64,
        query: &str,
    ) -> Result<Vec<Page>, NextcloudError> {
        let request = self
            .collectives_request(Method::GET, &format!("/{collective_id}/search"))?
            .query(&[("searchString", query)]);
        let reply: PagesReply = self
            .collectives_call(request, &collective_what(collective_id))
            .await?;
        Ok(reply.pages.into_iter().map(Into::into).collect())
    }

    async fn list_tags(&self, collective_id: u64) -> Result<Vec<Tag>, NextcloudError> {
        let request = self.collectives_request(Method::GET, &format!("/{collective_id}/tags"))?;
        let reply: TagsReply = self
            .collectives_call(request, &collective_what(collective_id))
            .await?;
        Ok(reply.tags.into_iter().map(Into::into).collect())
    }

    async fn create_tag(
        &self,
        collective_id: u64,
        name: &str,
        color: &str,
    ) -> Result<Tag, NextcloudError> {
        let request = self
            .collectives_request(Method::POST, &format!("/{collective_id}/tags"))?
            .json(&json!({ "name": name, "color": color }));
        let what = format!("a tag named '{name}' in collective {collective_id}");
        let reply: TagReply = self.collectives_call(request, &what).await?;
        Ok(reply.tag.into())
    }

    async fn assign_tag(
        &self,
        collective_id: u64,
        page_id: u64,
        tag_id: u64,
    ) -> Result<Page, NextcloudError> {
        tag_call(self, Method::PUT, collective_id, page_id, tag_id).await
    }

    async fn remove_tag(
        &self,
        collective_id: u64,
        page_id: u64,
        tag_id: u64,
    ) -> Result<Page, NextcloudError> {
        tag_call(self, Method::DELETE, collective_id, page_id, tag_id).await
    }
}

async fn tag_call(
    session: &NextcloudSession,
    method: Method,
    collective_id: u64,
    page_id: u64,
    tag_id: u64,
) -> Result<Page, NextcloudError> {
    let request = session.collectives_request(
        method,
        &format!("/{collective_id}/pages/{page_id}/tags/{tag_id}"),
    )?;
    let what = format!("tag {tag_id} or {}", page_what(collective_id, page_id));
    let reply: PageReply = session.collectives_call(request, &what).await?;
    Ok(reply.page.into())
}
