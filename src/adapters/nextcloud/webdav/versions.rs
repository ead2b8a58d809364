//! Versions of a file (`/remote.php/dav/versions/{user}/versions/{fileid}/`);
//! restoring is a MOVE of a version onto `/remote.php/dav/versions/{user}/restore/target`.

use reqwest::header::HeaderValue;

use super::bodies::{self, VERSION_PROPS};
use super::meta::{NEXTCLOUD_ORG, child_segment, failed};
use crate::adapters::nextcloud::dav::href::decode_segments;
use crate::adapters::nextcloud::dav::multistatus::{DAV, Resource};
use crate::adapters::nextcloud::dav::request::dav_method;
use crate::adapters::nextcloud::errors::{app_tree_missing, map_status, protocol};
use crate::adapters::nextcloud::http::NextcloudSession;
use crate::domain::file_meta::versions::FileVersion;
use crate::domain::path::UserPath;
use crate::ports::nextcloud::NextcloudError;

fn version(resource: &Resource, version_id: String) -> Result<FileVersion, NextcloudError> {
    let size = resource
        .text(DAV, "getcontentlength")
        .map(|v| {
            v.parse()
                .map_err(|_| protocol(format!("getcontentlength is not a number: {v:.40}")))
        })
        .transpose()?;
    Ok(FileVersion {
        version_id,
        modified: resource.text(DAV, "getlastmodified"),
        size,
        content_type: resource.text(DAV, "getcontenttype"),
        author: resource.text(NEXTCLOUD_ORG, "version-author"),
        label: resource.text(NEXTCLOUD_ORG, "version-label"),
    })
}

pub(super) async fn list(
    session: &NextcloudSession,
    path: &UserPath,
) -> Result<Vec<FileVersion>, NextcloudError> {
    let file_id = session.file_id(path).await?.to_string();
    let user = session.user_id().to_string();
    let url = session.dav_tree_url(&["versions", &user, "versions", &file_id], true)?;
    let root = decode_segments(url.path())?;
    let body = bodies::propfind(VERSION_PROPS);
    let reply = session
        .dav_query("PROPFIND", url, Some("1"), body, &path.to_string())
        .await
        .map_err(|e| app_tree_missing(e, "file versions", "files_versions"))?;
    let mut versions = Vec::new();
    for resource in &reply.responses {
        // An href of another origin is refused before any part of it is used.
        session.href_url(&resource.href)?;
        if let Some(id) = child_segment(&resource.href, &root)? {
            versions.push(version(resource, id)?);
        }
    }
    Ok(versions)
}

pub(super) async fn restore(
    session: &NextcloudSession,
    path: &UserPath,
    version_id: &str,
) -> Result<(), NextcloudError> {
    let file_id = session.file_id(path).await?.to_string();
    let user = session.user_id().to_string();
    let from = session.dav_tree_url(
        &["versions", &user, "versions", &file_id, version_id],
        false,
    )?;
    let to = session.dav_tree_url(&["versions", &user, "restore", "target"], false)?;
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
        &format!("version {version_id} of {path}"),
        &body,
    ))
}
