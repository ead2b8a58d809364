//! [`FileMetaApi`] over the DAV trees next to the files tree, and what its
//! parts share: the file id those trees address files by, ids from
//! `Content-Location`, and reading a reply's status.

use async_trait::async_trait;
use reqwest::header::HeaderName;
use reqwest::{Response, StatusCode};
use url::Url;

use super::{comments, favorites, search, tags, trash, versions};
use crate::adapters::nextcloud::body::error_text;
use crate::adapters::nextcloud::dav::href::{decode_segments, encode, last_segment};
use crate::adapters::nextcloud::dav::request::header;
use crate::adapters::nextcloud::errors::protocol;
use crate::adapters::nextcloud::http::NextcloudSession;
use crate::domain::file_meta::comments::FileComment;
use crate::domain::file_meta::query::FileQuery;
use crate::domain::file_meta::tags::SystemTag;
use crate::domain::file_meta::trash::TrashEntry;
use crate::domain::file_meta::versions::FileVersion;
use crate::domain::files::FileEntry;
use crate::domain::path::UserPath;
use crate::ports::nextcloud::{Change, FileMetaApi, FilesApi, NextcloudError};

/// `.org`: the namespace of trash-bin and version properties.
pub const NEXTCLOUD_ORG: &str = "http://nextcloud.org/ns";

impl NextcloudSession {
    /// A URL below `remote.php/dav/`; `segments` are encoded one by one.
    pub(super) fn dav_tree_url(
        &self,
        segments: &[&str],
        folder: bool,
    ) -> Result<Url, NextcloudError> {
        let mut relative = String::from("remote.php/dav");
        for segment in segments {
            relative.push('/');
            relative.push_str(&encode(segment));
        }
        if folder {
            relative.push('/');
        }
        self.url(&relative)
    }

    /// The id the comments, tags and versions trees know a file by.
    pub(super) async fn file_id(&self, path: &UserPath) -> Result<u64, NextcloudError> {
        self.file_info(path)
            .await?
            .file_id
            .ok_or_else(|| protocol(format!("Nextcloud sent no file id for {path}")))
    }
}

/// The id at the end of `Content-Location`, where Nextcloud puts a new tag's
/// or comment's id (the reply body is empty: fixtures systemtags/04, comments/01).
pub(super) fn created_id(response: &Response) -> Result<u64, NextcloudError> {
    let location = header(response, &HeaderName::from_static("content-location"))
        .ok_or_else(|| protocol("Nextcloud sent no Content-Location for the new item"))?;
    last_segment(&location).parse().map_err(|_| {
        protocol(format!(
            "Content-Location {location:.80} does not end in an id"
        ))
    })
}

/// The one segment of `href` directly below `root` (decoded segments), or an
/// error for an href anywhere else; `None` for the root itself.
pub(super) fn child_segment(href: &str, root: &[String]) -> Result<Option<String>, NextcloudError> {
    let segments = decode_segments(href)?;
    match segments.strip_prefix(root) {
        Some([]) => Ok(None),
        Some([one]) => Ok(Some(one.clone())),
        _ => Err(protocol(format!(
            "href {href:.120} is outside the listed folder"
        ))),
    }
}

/// A failed reply's status and (capped) body, for the callers that read both.
pub(super) async fn failed(response: Response) -> (StatusCode, String) {
    let status = response.status();
    (status, error_text(response).await)
}

#[async_trait]
impl FileMetaApi for NextcloudSession {
    async fn list_system_tags(&self) -> Result<Vec<SystemTag>, NextcloudError> {
        tags::list(self).await
    }

    async fn create_system_tag(&self, name: &str) -> Result<u64, NextcloudError> {
        tags::create(self, name).await
    }

    async fn file_tags(&self, path: &UserPath) -> Result<Vec<SystemTag>, NextcloudError> {
        tags::of_file(self, path).await
    }

    async fn assign_system_tag(
        &self,
        path: &UserPath,
        tag: &SystemTag,
    ) -> Result<Change, NextcloudError> {
        tags::assign(self, path, tag).await
    }

    async fn unassign_system_tag(
        &self,
        path: &UserPath,
        tag: &SystemTag,
    ) -> Result<Change, NextcloudError> {
        tags::unassign(self, path, tag).await
    }

    async fn files_with_tag(&self, tag: &SystemTag) -> Result<Vec<FileEntry>, NextcloudError> {
        tags::files_with(self, tag).await
    }

    async fn list_file_comments(
        &self,
        path: &UserPath,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<FileComment>, NextcloudError> {
        comments::list(self, path, limit, offset).await
    }

    async fn create_file_comment(
        &self,
        path: &UserPath,
        message: &str,
    ) -> Result<u64, NextcloudError> {
        comments::create(self, path, message).await
    }

    async fn update_file_comment(
        &self,
        path: &UserPath,
        comment_id: u64,
        message: &str,
    ) -> Result<(), NextcloudError> {
        comments::update(self, path, comment_id, message).await
    }

    async fn delete_file_comment(
        &self,
        path: &UserPath,
        comment_id: u64,
    ) -> Result<(), NextcloudError> {
        comments::delete(self, path, comment_id).await
    }

    async fn list_favorites(&self, scope: &UserPath) -> Result<Vec<FileEntry>, NextcloudError> {
        favorites::list(self, scope).await
    }

    async fn set_favorite(&self, path: &UserPath, favorite: bool) -> Result<(), NextcloudError> {
        favorites::set(self, path, favorite).await
    }

    async fn list_trash(&self) -> Result<Vec<TrashEntry>, NextcloudError> {
        trash::list(self).await
    }

    async fn restore_from_trash(&self, entry_id: &str) -> Result<(), NextcloudError> {
        trash::restore(self, entry_id).await
    }

    async fn list_versions(&self, path: &UserPath) -> Result<Vec<FileVersion>, NextcloudError> {
        versions::list(self, path).await
    }

    async fn restore_version(
        &self,
        path: &UserPath,
        version_id: &str,
    ) -> Result<(), NextcloudError> {
        versions::restore(self, path, version_id).await
    }

    async fn search_files(&self, query: &FileQuery) -> Result<Vec<FileEntry>, NextcloudError> {
        search::files(self, query).await
    }
}
