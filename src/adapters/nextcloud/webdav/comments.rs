//! Comments on a file (`/remote.php/dav/comments/files/{fileid}/{id}`).

use reqwest::Method;

use super::bodies;
use super::meta::{created_id, failed};
use crate::adapters::nextcloud::dav::multistatus::{OWNCLOUD, Resource};
use crate::adapters::nextcloud::errors::{app_tree_missing, map_status, protocol};
use crate::adapters::nextcloud::http::NextcloudSession;
use crate::domain::file_meta::comments::FileComment;
use crate::domain::path::UserPath;
use crate::ports::nextcloud::NextcloudError;

fn comment(resource: &Resource) -> Result<Option<FileComment>, NextcloudError> {
    let Some(id) = resource.text(OWNCLOUD, "id") else {
        // The listed collection itself.
        return Ok(None);
    };
    let text = |local| resource.text(OWNCLOUD, local);
    Ok(Some(FileComment {
        id: id
            .parse()
            .map_err(|_| protocol(format!("comment id is not a number: {id:.40}")))?,
        author_id: text("actorId").unwrap_or_default(),
        author_name: text("actorDisplayName")
            .or_else(|| text("actorId"))
            .unwrap_or_default(),
        // Kept as written: leading blanks and line breaks are the author's.
        message: resource
            .prop(OWNCLOUD, "message")
            .map(|m| m.text.clone())
            .unwrap_or_default(),
        created: text("creationDateTime"),
        unread: text("isUnread").as_deref() == Some("true"),
    }))
}

fn what(path: &UserPath, comment_id: u64) -> String {
    format!("comment {comment_id} on {path}")
}

pub(super) async fn list(
    session: &NextcloudSession,
    path: &UserPath,
    limit: u32,
    offset: u32,
) -> Result<Vec<FileComment>, NextcloudError> {
    let file_id = session.file_id(path).await?.to_string();
    let url = session.dav_tree_url(&["comments", "files", &file_id], false)?;
    let body = bodies::filter_comments(limit, offset);
    let reply = session
        .dav_query("REPORT", url, None, body, &path.to_string())
        .await
        .map_err(|e| app_tree_missing(e, "comments", "comments"))?;
    reply
        .responses
        .iter()
        .filter_map(|r| comment(r).transpose())
        .collect()
}

pub(super) async fn create(
    session: &NextcloudSession,
    path: &UserPath,
    message: &str,
) -> Result<u64, NextcloudError> {
    let file_id = session.file_id(path).await?.to_string();
    let url = session.dav_tree_url(&["comments", "files", &file_id], false)?;
    let body = serde_json::json!({ "actorType": "users", "verb": "comment", "message": message });
    let response = session
        .send_raw(session.request(Method::POST, url).json(&body))
        .await?;
    if response.status().is_success() {
        return created_id(&response);
    }
    let (status, body) = failed(response).await;
    Err(map_status(status, &path.to_string(), &body))
}

pub(super) async fn update(
    session: &NextcloudSession,
    path: &UserPath,
    comment_id: u64,
    message: &str,
) -> Result<(), NextcloudError> {
    let file_id = session.file_id(path).await?.to_string();
    let id = comment_id.to_string();
    let url = session.dav_tree_url(&["comments", "files", &file_id, &id], false)?;
    let body = bodies::proppatch("oc:message", message);
    session
        .dav_change("PROPPATCH", url, body, &what(path, comment_id))
        .await
}

pub(super) async fn delete(
    session: &NextcloudSession,
    path: &UserPath,
    comment_id: u64,
) -> Result<(), NextcloudError> {
    let file_id = session.file_id(path).await?.to_string();
    let id = comment_id.to_string();
    let url = session.dav_tree_url(&["comments", "files", &file_id, &id], false)?;
    let response = session
        .send_raw(session.request(Method::DELETE, url))
        .await?;
    if response.status().is_success() {
        return Ok(());
    }
    let (status, body) = failed(response).await;
    Err(map_status(status, &what(path, comment_id), &body))
}
