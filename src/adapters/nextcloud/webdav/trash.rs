//! The trash bin (`/remote.php/dav/trashbin/{user}/trash/`); restoring is a
//! MOVE into `/remote.php/dav/trashbin/{user}/restore/` (fixture webdav/38).

use reqwest::header::HeaderValue;

use super::bodies::{self, TRASH_PROPS};
use super::meta::{NEXTCLOUD_ORG, child_segment, failed};
use crate::adapters::nextcloud::dav::href::decode_segments;
use crate::adapters::nextcloud::dav::multistatus::{DAV, OWNCLOUD, Resource};
use crate::adapters::nextcloud::dav::request::dav_method;
use crate::adapters::nextcloud::errors::{app_tree_missing, map_status, protocol};
use crate::adapters::nextcloud::http::NextcloudSession;
use crate::domain::file_meta::trash::TrashEntry;
use crate::domain::files::EntryKind;
use crate::ports::nextcloud::NextcloudError;

fn entry(resource: &Resource, entry_id: String) -> Result<TrashEntry, NextcloudError> {
    let nc = |local| resource.text(NEXTCLOUD_ORG, local);
    let number = |field: &str, value: Option<String>| -> Result<Option<u64>, NextcloudError> {
        value
            .map(|v| {
                v.parse()
                    .map_err(|_| protocol(format!("{field} is not a number: {v:.40}")))
            })
            .transpose()
    };
    let deleted_at = nc("trashbin-deletion-time")
        .map(|v| {
            v.parse::<i64>()
                .map_err(|_| protocol(format!("trashbin-deletion-time is not a number: {v:.40}")))
        })
        .transpose()?;
    Ok(TrashEntry {
        name: nc("trashbin-filename").unwrap_or_else(|| entry_id.clone()),
        original_location: nc("trashbin-original-location"),
        deleted_at,
        deleted_by: nc("trashbin-deleted-by-display-name").or_else(|| nc("trashbin-deleted-by-id")),
        kind: if resource.has_child(DAV, "resourcetype", DAV, "collection") {
            EntryKind::Folder
        } else {
            EntryKind::File
        },
        size: number("getcontentlength", resource.text(DAV, "getcontentlength"))?,
        content_type: resource.text(DAV, "getcontenttype"),
        file_id: number("oc:fileid", resource.text(OWNCLOUD, "fileid"))?,
        entry_id,
    })
}

pub(super) async fn list(session: &NextcloudSession) -> Result<Vec<TrashEntry>, NextcloudError> {
    let user = session.user_id().to_string();
    let url = session.dav_tree_url(&["trashbin", &user, "trash"], true)?;
    let root = decode_segments(url.path())?;
    let body = bodies::propfind(TRASH_PROPS);
    let reply = session
        .dav_query("PROPFIND", url, Some("1"), body, "the trash bin")
        .await
        .map_err(|e| app_tree_missing(e, "a trash bin", "files_trashbin"))?;
    let mut entries = Vec::new();
    for resource in &reply.responses {
        // An href of another origin is refused before any part of it is used.
        session.href_url(&resource.href)?;
        if let Some(id) = child_segment(&resource.href, &root)? {
            entries.push(entry(resource, id)?);
        }
    }
    Ok(entries)
}

pub(super) async fn restore(
    session: &NextcloudSession,
    entry_id: &str,
) -> Result<(), NextcloudError> {
    let user = session.user_id().to_string();
    let from = session.dav_tree_url(&["trashbin", &user, "trash", entry_id], false)?;
    let to = session.dav_tree_url(&["trashbin", &user, "restore", entry_id], false)?;
    let destination = HeaderValue::from_str(to.as_str())
        .map_err(|_| protocol("the restore URL is not a valid header value"))?;
    let request = session
        .request(dav_method("MOVE"), from)
        .header("Destination", destination);
    let response = session.send_raw(request).await?;
    if response.status().is_success() {
        return Ok(());
    }
    let (status, body) = failed(response).await;
    Err(map_status(
        status,
        &format!("trash entry '{entry_id}'"),
        &body,
    ))
}
