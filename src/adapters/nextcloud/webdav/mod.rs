//! Files over WebDAV (`/remote.php/dav/files/{user}/`).

mod xml;

use async_trait::async_trait;
use reqwest::header::{CONTENT_TYPE, IF_MATCH, IF_NONE_MATCH};
use reqwest::{Method, Response, StatusCode};
use url::Url;

use super::body::{error_text, read_or};
use super::dav::href::{decode_segments, encode};
use super::dav::multistatus::{DAV, OWNCLOUD, Resource};
use super::dav::request::{
    dav_method, etag_of, header, header_value, quoted_etag, read_multistatus,
};
use super::errors::{protocol, transfer_status, upload_status};
use super::http::NextcloudSession;
use crate::domain::files::{EntryKind, FileContent, FileEntry, WriteCondition, WriteOutcome};
use crate::domain::path::UserPath;
use crate::ports::nextcloud::{FilesApi, NextcloudError};

fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

/// A count from a DAV property. Negative values mean "unknown" to Nextcloud
/// (e.g. unscanned external storage), so they become `None`, not an error.
fn number(field: &str, value: Option<&str>) -> Result<Option<u64>, NextcloudError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) if v.parse::<i64>().is_ok_and(|n| n < 0) => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| protocol(format!("{field} is not a number: {v:.40}"))),
    }
}

/// A file or folder of a listing. Nextcloud lists properties it does not
/// have as empty elements in a 404 propstat, which the reader leaves out, so
/// `<d:getcontentlength/>` reads as absent, not as a bad number.
fn entry(resource: &Resource, root: &[String]) -> Result<FileEntry, NextcloudError> {
    let path = xml::href_path(&resource.href, root)?;
    let text = |ns, local| resource.text(ns, local);
    let size = match number("oc:size", text(OWNCLOUD, "size").as_deref())? {
        Some(size) => Some(size),
        None => number("getcontentlength", text(DAV, "getcontentlength").as_deref())?,
    };
    let file_id = number("oc:fileid", text(OWNCLOUD, "fileid").as_deref())?;
    let displayname = non_empty(text(DAV, "displayname"));
    Ok(FileEntry {
        // Only the root has no last segment; Nextcloud names it after the user.
        name: path
            .name()
            .map(str::to_string)
            .or(displayname)
            .unwrap_or_default(),
        kind: if resource.has_child(DAV, "resourcetype", DAV, "collection") {
            EntryKind::Folder
        } else {
            EntryKind::File
        },
        size,
        modified: non_empty(text(DAV, "getlastmodified")),
        etag: non_empty(text(DAV, "getetag")),
        file_id,
        content_type: non_empty(text(DAV, "getcontenttype")),
        favorite: text(OWNCLOUD, "favorite").as_deref() == Some("1"),
        path,
    })
}

impl NextcloudSession {
    /// The user's files root relative to the Nextcloud base, encoded.
    fn files_root(&self) -> String {
        format!("remote.php/dav/files/{}/", encode(self.user_id()))
    }

    /// `folder` adds the trailing slash Sabre uses for collections.
    fn dav_url(&self, path: &UserPath, folder: bool) -> Result<Url, NextcloudError> {
        let mut relative = self.files_root();
        let segments: Vec<String> = path.segments().iter().map(|s| encode(s)).collect();
        relative.push_str(&segments.join("/"));
        if folder && !path.is_root() {
            relative.push('/');
        }
        self.url(&relative)
    }

    async fn entries(&self, response: Response) -> Result<Vec<FileEntry>, NextcloudError> {
        let reply = read_multistatus(response).await?;
        let root = decode_segments(self.url(&self.files_root())?.path())?;
        reply
            .responses
            .iter()
            .map(|r| {
                // A reply naming another origin is not trusted in any part
                // (security.md: Where credentials go).
                self.href_url(&r.href)?;
                entry(r, &root)
            })
            .collect()
    }

    async fn propfind(
        &self,
        path: &UserPath,
        depth: &'static str,
        folder: bool,
    ) -> Result<Vec<FileEntry>, NextcloudError> {
        let request = self
            .request(dav_method("PROPFIND"), self.dav_url(path, folder)?)
            .header("Depth", depth)
            .header(CONTENT_TYPE, "application/xml; charset=utf-8")
            .body(xml::PROPFIND_BODY);
        let response = self.send(request, &path.to_string()).await?;
        self.entries(response).await
    }

    /// COPY and MOVE share their headers and their error cases.
    async fn transfer(
        &self,
        method: &'static str,
        from: &UserPath,
        to: &UserPath,
        overwrite: bool,
    ) -> Result<(), NextcloudError> {
        let destination = self.dav_url(to, false)?;
        let request = self
            .request(dav_method(method), self.dav_url(from, false)?)
            .header("Destination", destination.as_str())
            .header("Overwrite", if overwrite { "T" } else { "F" });
        let response = self.send_raw(request).await?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let body = error_text(response).await;
        Err(transfer_status(
            status,
            overwrite,
            &from.to_string(),
            &to.to_string(),
            &body,
        ))
    }
}

#[async_trait]
impl FilesApi for NextcloudSession {
    async fn list_folder(&self, path: &UserPath) -> Result<Vec<FileEntry>, NextcloudError> {
        let mut children = Vec::new();
        for entry in self.propfind(path, "1", true).await? {
            if entry.path != *path {
                children.push(entry);
            } else if entry.kind == EntryKind::File {
                // Depth 1 on a file lists just the file; an empty list would
                // wrongly read as "empty folder".
                return Err(NextcloudError::BadRequest(format!(
                    "{path} is a file, not a folder"
                )));
            }
        }
        Ok(children)
    }

    async fn file_info(&self, path: &UserPath) -> Result<FileEntry, NextcloudError> {
        self.propfind(path, "0", false)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| protocol("the multistatus reply lists nothing"))
    }

    async fn read_file(
        &self,
        path: &UserPath,
        max_bytes: u64,
    ) -> Result<FileContent, NextcloudError> {
        let what = path.to_string();
        let request = self.request(Method::GET, self.dav_url(path, false)?);
        let response = self.send(request, &what).await?;
        let too_large = || NextcloudError::TooLarge(what.clone(), max_bytes);
        let content_type = header(&response, &CONTENT_TYPE);
        let etag = etag_of(&response);
        let bytes = read_or(response, max_bytes, too_large).await?;
        Ok(FileContent {
            bytes,
            content_type,
            etag,
        })
    }

    async fn write_file(
        &self,
        path: &UserPath,
        body: Vec<u8>,
        content_type: Option<String>,
        condition: WriteCondition,
    ) -> Result<WriteOutcome, NextcloudError> {
        let what = path.to_string();
        let mut request = self
            .request(Method::PUT, self.dav_url(path, false)?)
            .body(body);
        if let Some(content_type) = content_type {
            request = request.header(CONTENT_TYPE, header_value(&content_type, "content type")?);
        }
        match &condition {
            WriteCondition::Any => {}
            WriteCondition::IfMatch(tag) => {
                request = request.header(IF_MATCH, header_value(&quoted_etag(tag), "etag")?);
            }
            WriteCondition::MustNotExist => request = request.header(IF_NONE_MATCH, "*"),
        }
        let response = self.send_raw(request).await?;
        let status = response.status();
        if !status.is_success() {
            let create_only = matches!(condition, WriteCondition::MustNotExist);
            let body = error_text(response).await;
            return Err(upload_status(status, create_only, &what, &body));
        }
        let created = status == StatusCode::CREATED;
        Ok(WriteOutcome {
            created,
            etag: etag_of(&response),
        })
    }

    async fn create_folder(&self, path: &UserPath) -> Result<(), NextcloudError> {
        let request = self.request(dav_method("MKCOL"), self.dav_url(path, false)?);
        self.send(request, &path.to_string()).await.map(drop)
    }

    async fn move_entry(
        &self,
        from: &UserPath,
        to: &UserPath,
        overwrite: bool,
    ) -> Result<(), NextcloudError> {
        self.transfer("MOVE", from, to, overwrite).await
    }

    async fn copy_entry(
        &self,
        from: &UserPath,
        to: &UserPath,
        overwrite: bool,
    ) -> Result<(), NextcloudError> {
        self.transfer("COPY", from, to, overwrite).await
    }

    async fn delete_entry(&self, path: &UserPath) -> Result<(), NextcloudError> {
        let request = self.request(Method::DELETE, self.dav_url(path, false)?);
        self.send(request, &path.to_string()).await.map(drop)
    }

    async fn search_by_name(
        &self,
        scope: &UserPath,
        like_pattern: &str,
        limit: u32,
    ) -> Result<Vec<FileEntry>, NextcloudError> {
        let mut scope_href = format!("/files/{}", self.user_id());
        for segment in scope.segments() {
            scope_href.push('/');
            scope_href.push_str(segment);
        }
        let request = self
            .request(dav_method("SEARCH"), self.url("remote.php/dav/")?)
            .header(CONTENT_TYPE, "text/xml; charset=utf-8")
            .body(xml::search_body(&scope_href, like_pattern, limit));
        let response = self.send(request, &scope.to_string()).await?;
        self.entries(response).await
    }
}
