//! Files over WebDAV (`/remote.php/dav/files/{user}/`).

use async_trait::async_trait;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::header::{CONTENT_TYPE, ETAG, HeaderName, HeaderValue, IF_MATCH, IF_NONE_MATCH};
use reqwest::{Method, Response, StatusCode};
use url::Url;

use super::dav_xml::{self, DavResponse, protocol};
use super::errors::map_status;
use super::http::NextcloudSession;
use crate::domain::files::{EntryKind, FileContent, FileEntry, WriteCondition, WriteOutcome};
use crate::domain::path::UserPath;
use crate::ports::nextcloud::{FilesApi, NextcloudError};

/// Everything but RFC 3986 unreserved characters is encoded, so a name with
/// `#`, `?`, `%`, `&` or `;` reaches the server as those literal characters.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A listing bigger than this is refused instead of buffered without bound.
const MAX_MULTISTATUS_BYTES: u64 = 64 * 1024 * 1024;

fn encode(segment: &str) -> String {
    utf8_percent_encode(segment, SEGMENT).to_string()
}

fn dav_method(name: &'static str) -> Method {
    Method::from_bytes(name.as_bytes()).expect("DAV method names are valid tokens")
}

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

/// Sabre compares If-Match verbatim against the quoted ETag, so a bare value
/// would always fail with 412; quote it unless it already is (or is weak).
fn quoted_etag(etag: &str) -> String {
    let etag = etag.trim();
    if etag.starts_with('"') || etag.starts_with("W/") {
        etag.to_string()
    } else {
        format!("\"{etag}\"")
    }
}

fn header_value(value: &str, what: &str) -> Result<HeaderValue, NextcloudError> {
    HeaderValue::from_str(value)
        .map_err(|_| NextcloudError::BadRequest(format!("{what} is not a valid header value")))
}

fn header(response: &Response, name: &HeaderName) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// `ETag`, or Nextcloud's `OC-ETag` when a proxy stripped the standard one.
fn etag(response: &Response) -> Option<String> {
    header(response, &ETAG).or_else(|| header(response, &HeaderName::from_static("oc-etag")))
}

/// Reads a body chunk by chunk and gives up as soon as it passes `max`, so a
/// server that lies about (or omits) Content-Length cannot make us buffer more.
async fn read_capped(
    mut response: Response,
    max: u64,
    too_large: impl Fn() -> NextcloudError,
) -> Result<Vec<u8>, NextcloudError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|_| NextcloudError::Unavailable("the reply was interrupted".into()))?
    {
        if (bytes.len() + chunk.len()) as u64 > max {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

fn entry(response: DavResponse, root: &[String]) -> Result<FileEntry, NextcloudError> {
    let path = dav_xml::href_path(&response.href, root)?;
    let props = response.props;
    let size = match number("oc:size", props.size.as_deref())? {
        Some(size) => Some(size),
        None => number("getcontentlength", props.content_length.as_deref())?,
    };
    let file_id = number("oc:fileid", props.file_id.as_deref())?;
    let displayname = non_empty(props.displayname);
    Ok(FileEntry {
        // Only the root has no last segment; Nextcloud names it after the user.
        name: path
            .name()
            .map(str::to_string)
            .or(displayname)
            .unwrap_or_default(),
        kind: if props.collection {
            EntryKind::Folder
        } else {
            EntryKind::File
        },
        size,
        modified: non_empty(props.last_modified),
        etag: non_empty(props.etag),
        file_id,
        content_type: non_empty(props.content_type),
        favorite: props.favorite.as_deref().map(str::trim) == Some("1"),
        path,
    })
}

async fn status_error(response: Response, what: &str) -> NextcloudError {
    let status = response.status();
    map_status(status, what, &response.text().await.unwrap_or_default())
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
        if response.status() != StatusCode::MULTI_STATUS {
            return Err(protocol(format!(
                "expected 207 Multi-Status, got HTTP {}",
                response.status().as_u16()
            )));
        }
        let body = read_capped(response, MAX_MULTISTATUS_BYTES, || {
            protocol("the multistatus reply is too large")
        })
        .await?;
        let xml = String::from_utf8(body).map_err(|_| protocol("the reply is not UTF-8"))?;
        let root = dav_xml::decode_segments(self.url(&self.files_root())?.path())?;
        dav_xml::parse_multistatus(&xml)?
            .into_iter()
            .map(|r| entry(r, &root))
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
            .body(dav_xml::PROPFIND_BODY);
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
        Err(match status {
            StatusCode::PRECONDITION_FAILED if !overwrite => {
                NextcloudError::AlreadyExists(to.to_string())
            }
            // Sabre answers 409 when the destination's parent is missing.
            StatusCode::CONFLICT => NextcloudError::ParentMissing(to.to_string()),
            _ => status_error(response, &from.to_string()).await,
        })
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
        if response.content_length().is_some_and(|n| n > max_bytes) {
            return Err(too_large());
        }
        let content_type = header(&response, &CONTENT_TYPE);
        let etag = etag(&response);
        let bytes = read_capped(response, max_bytes, too_large).await?;
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
        let created = match response.status() {
            StatusCode::CREATED => true,
            s if s.is_success() => false,
            StatusCode::PRECONDITION_FAILED => {
                return Err(match condition {
                    WriteCondition::MustNotExist => NextcloudError::AlreadyExists(what),
                    _ => NextcloudError::Conflict(what),
                });
            }
            // PUT answers 404, not MKCOL's 409, when the parent is missing
            // (fixture webdav/14); the file itself cannot be "not found".
            StatusCode::NOT_FOUND => return Err(NextcloudError::ParentMissing(what)),
            _ => return Err(status_error(response, &what).await),
        };
        Ok(WriteOutcome {
            created,
            etag: etag(&response),
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
            .body(dav_xml::search_body(&scope_href, like_pattern, limit));
        let response = self.send(request, &scope.to_string()).await?;
        self.entries(response).await
    }
}
