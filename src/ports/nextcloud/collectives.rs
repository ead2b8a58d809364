//! Collectives over OCS (`/ocs/v2.php/apps/collectives/api/v1.0`). A page's
//! Markdown is not part of this API: it is a file, read and written with
//! [`super::FilesApi`] at [`crate::domain::collectives::Page::file_path`].

use async_trait::async_trait;

use crate::domain::collectives::{Collective, Page, Tag};

use super::NextcloudError;

/// Where a page goes on a move or copy; `None` fields stay as they are.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PagePlacement {
    pub parent_id: Option<u64>,
    pub title: Option<String>,
    /// Position among the new parent's subpages (0 = first).
    pub index: Option<u64>,
    /// Copy instead of move.
    pub copy: bool,
}

#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait CollectivesApi: Send + Sync {
    async fn list_collectives(&self) -> Result<Vec<Collective>, NextcloudError>;
    async fn create_collective(
        &self,
        name: &str,
        emoji: Option<String>,
    ) -> Result<Collective, NextcloudError>;
    /// `None` clears the emoji.
    async fn set_collective_emoji(
        &self,
        collective_id: u64,
        emoji: Option<String>,
    ) -> Result<Collective, NextcloudError>;
    async fn trash_collective(&self, collective_id: u64) -> Result<Collective, NextcloudError>;
    async fn list_trashed_collectives(&self) -> Result<Vec<Collective>, NextcloudError>;
    async fn restore_collective(&self, collective_id: u64) -> Result<Collective, NextcloudError>;
    /// Deletes a collective that is in the trash, for good; `with_team`
    /// also deletes the team (circle) that holds its members.
    async fn delete_collective(
        &self,
        collective_id: u64,
        with_team: bool,
    ) -> Result<Collective, NextcloudError>;

    /// Every page of a collective, flat (the hierarchy is in `parent_id`).
    async fn list_pages(&self, collective_id: u64) -> Result<Vec<Page>, NextcloudError>;
    async fn get_page(&self, collective_id: u64, page_id: u64) -> Result<Page, NextcloudError>;
    async fn create_page(
        &self,
        collective_id: u64,
        parent_id: u64,
        title: &str,
    ) -> Result<Page, NextcloudError>;
    async fn place_page(
        &self,
        collective_id: u64,
        page_id: u64,
        placement: &PagePlacement,
    ) -> Result<Page, NextcloudError>;
    async fn set_page_emoji(
        &self,
        collective_id: u64,
        page_id: u64,
        emoji: Option<String>,
    ) -> Result<Page, NextcloudError>;
    async fn trash_page(&self, collective_id: u64, page_id: u64) -> Result<Page, NextcloudError>;
    async fn list_trashed_pages(&self, collective_id: u64) -> Result<Vec<Page>, NextcloudError>;
    async fn restore_page(&self, collective_id: u64, page_id: u64) -> Result<Page, NextcloudError>;
    /// Deletes a page that is in the trash, for good.
    async fn delete_page(&self, collective_id: u64, page_id: u64) -> Result<(), NextcloudError>;
    /// Pages whose text matches; served from an index a background job
    /// builds, so recent pages may be missing.
    async fn search_pages(
        &self,
        collective_id: u64,
        query: &str,
    ) -> Result<Vec<Page>, NextcloudError>;

    async fn list_tags(&self, collective_id: u64) -> Result<Vec<Tag>, NextcloudError>;
    /// `color` is six hex digits without `#`.
    async fn create_tag(
        &self,
        collective_id: u64,
        name: &str,
        color: &str,
    ) -> Result<Tag, NextcloudError>;
    async fn assign_tag(
        &self,
        collective_id: u64,
        page_id: u64,
        tag_id: u64,
    ) -> Result<Page, NextcloudError>;
    async fn remove_tag(
        &self,
        collective_id: u64,
        page_id: u64,
        tag_id: u64,
    ) -> Result<Page, NextcloudError>;
}
