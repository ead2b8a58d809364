//! System tags (`/remote.php/dav/systemtags/`) and their relations to files
//! (`/remote.php/dav/systemtags-relations/files/{fileid}/{tagid}`).

use reqwest::header::CONTENT_TYPE;
use reqwest::{Method, StatusCode};

use super::bodies::{self, FILTER_PROPS, TAG_PROPS};
use super::meta::{created_id, failed};
use crate::adapters::nextcloud::dav::multistatus::{Multistatus, OWNCLOUD, Resource};
use crate::adapters::nextcloud::dav::request::{XML, dav_method};
use crate::adapters::nextcloud::errors::{app_tree_missing, map_status, not_multistatus, protocol};
use crate::adapters::nextcloud::http::NextcloudSession;
use crate::domain::file_meta::tags::SystemTag;
use crate::domain::files::FileEntry;
use crate::domain::path::UserPath;
use crate::ports::nextcloud::{Change, NextcloudError};

fn flag(resource: &Resource, local: &str) -> bool {
    resource.text(OWNCLOUD, local).as_deref() == Some("true")
}

/// The tags of a listing; the listed collection itself has no `oc:id` and
/// is left out.
fn tags_of(reply: &Multistatus) -> Result<Vec<SystemTag>, NextcloudError> {
    let mut tags = Vec::new();
    for resource in &reply.responses {
        let Some(id) = resource.text(OWNCLOUD, "id") else {
            continue;
        };
        tags.push(SystemTag {
            id: id
                .parse()
                .map_err(|_| protocol(format!("tag id is not a number: {id:.40}")))?,
            name: resource.text(OWNCLOUD, "display-name").unwrap_or_default(),
            user_visible: flag(resource, "user-visible"),
            user_assignable: flag(resource, "user-assignable"),
            can_assign: flag(resource, "can-assign"),
        });
    }
    Ok(tags)
}

fn tag_what(tag: &SystemTag) -> String {
    format!("tag '{}'", tag.name)
}

pub(super) async fn list(session: &NextcloudSession) -> Result<Vec<SystemTag>, NextcloudError> {
    let url = session.dav_tree_url(&["systemtags"], true)?;
    let body = bodies::propfind(TAG_PROPS);
    let reply = session
        .dav_query("PROPFIND", url, Some("1"), body, "the system tags")
        .await
        .map_err(|e| app_tree_missing(e, "system tags", "systemtags"))?;
    tags_of(&reply)
}

pub(super) async fn create(session: &NextcloudSession, name: &str) -> Result<u64, NextcloudError> {
    let url = session.dav_tree_url(&["systemtags"], true)?;
    let body = serde_json::json!({
        "name": name,
        "userVisible": true,
        "userAssignable": true,
        "canAssign": true,
    });
    let request = session.request(Method::POST, url).json(&body);
    let response = session.send_raw(request).await?;
    if response.status().is_success() {
        return created_id(&response);
    }
    let what = format!("tag '{name}'");
    match failed(response).await {
        (StatusCode::CONFLICT, _) => Err(NextcloudError::AlreadyExists(what)),
        (status, body) => Err(map_status(status, &what, &body)),
    }
}

pub(super) async fn of_file(
    session: &NextcloudSession,
    path: &UserPath,
) -> Result<Vec<SystemTag>, NextcloudError> {
    let file_id = session.file_id(path).await?.to_string();
    let url = session.dav_tree_url(&["systemtags-relations", "files", &file_id], false)?;
    let body = bodies::propfind(TAG_PROPS);
    let reply = session
        .dav_query("PROPFIND", url, Some("1"), body, &path.to_string())
        .await?;
    tags_of(&reply)
}

pub(super) async fn assign(
    session: &NextcloudSession,
    path: &UserPath,
    tag: &SystemTag,
) -> Result<Change, NextcloudError> {
    let file_id = session.file_id(path).await?.to_string();
    let tag_id = tag.id.to_string();
    let url = session.dav_tree_url(&["systemtags-relations", "files", &file_id, &tag_id], false)?;
    let response = session.send_raw(session.request(Method::PUT, url)).await?;
    if response.status().is_success() {
        return Ok(Change::Done);
    }
    match failed(response).await {
        // Sabre's "PUT is not allowed on non-files": the relation exists.
        (StatusCode::CONFLICT, _) => Ok(Change::AlreadySo),
        // An unknown tag is 412, not 404 (fixture systemtags/14).
        (StatusCode::PRECONDITION_FAILED, _) => Err(NextcloudError::NotFound(tag_what(tag))),
        (status, body) => Err(map_status(status, &path.to_string(), &body)),
    }
}

pub(super) async fn unassign(
    session: &NextcloudSession,
    path: &UserPath,
    tag: &SystemTag,
) -> Result<Change, NextcloudError> {
    let file_id = session.file_id(path).await?.to_string();
    let tag_id = tag.id.to_string();
    let url = session.dav_tree_url(&["systemtags-relations", "files", &file_id, &tag_id], false)?;
    let response = session
        .send_raw(session.request(Method::DELETE, url))
        .await?;
    if response.status().is_success() {
        return Ok(Change::Done);
    }
    match failed(response).await {
        // "Tag with id 1 not present for object 405" (fixture systemtags/24);
        // the file itself was found a moment ago.
        (StatusCode::NOT_FOUND, body) if body.contains("not present") => Ok(Change::AlreadySo),
        (status, body) => Err(map_status(status, &path.to_string(), &body)),
    }
}

pub(super) async fn files_with(
    session: &NextcloudSession,
    tag: &SystemTag,
) -> Result<Vec<FileEntry>, NextcloudError> {
    let url = session.dav_url(&UserPath::root(), true)?;
    let body = bodies::filter_files(FILTER_PROPS, &[("oc:systemtag", tag.id.to_string())]);
    let request = session
        .request(dav_method("REPORT"), url)
        .header(CONTENT_TYPE, XML)
        .body(body);
    let response = session.send_raw(request).await?;
    match response.status() {
        StatusCode::MULTI_STATUS => session.entries(response).await,
        // "Cannot filter by non-existing tag" (fixture systemtags/22).
        StatusCode::PRECONDITION_FAILED => Err(NextcloudError::NotFound(tag_what(tag))),
        status if status.is_success() => Err(not_multistatus(status)),
        _ => {
            let (status, body) = failed(response).await;
            Err(map_status(status, &tag_what(tag), &body))
        }
    }
}
