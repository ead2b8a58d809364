//! Favorites: the `oc:favorite` property of files, found with an
//! `oc:filter-files` REPORT.

use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;

use super::bodies::{self, FILTER_PROPS};
use super::meta::failed;
use crate::adapters::nextcloud::dav::request::{XML, dav_method};
use crate::adapters::nextcloud::errors::{map_status, not_multistatus};
use crate::adapters::nextcloud::http::NextcloudSession;
use crate::domain::files::FileEntry;
use crate::domain::path::UserPath;
use crate::ports::nextcloud::NextcloudError;

pub(super) async fn list(
    session: &NextcloudSession,
    scope: &UserPath,
) -> Result<Vec<FileEntry>, NextcloudError> {
    let url = session.dav_url(scope, true)?;
    let body = bodies::filter_files(FILTER_PROPS, &[("oc:favorite", "1".into())]);
    let request = session
        .request(dav_method("REPORT"), url)
        .header(CONTENT_TYPE, XML)
        .body(body);
    let response = session.send_raw(request).await?;
    match response.status() {
        StatusCode::MULTI_STATUS => session.entries(response).await,
        status if status.is_success() => Err(not_multistatus(status)),
        _ => {
            let (status, body) = failed(response).await;
            Err(map_status(status, &scope.to_string(), &body))
        }
    }
}

pub(super) async fn set(
    session: &NextcloudSession,
    path: &UserPath,
    favorite: bool,
) -> Result<(), NextcloudError> {
    let url = session.dav_url(path, false)?;
    let body = bodies::proppatch("oc:favorite", if favorite { "1" } else { "0" });
    session
        .dav_change("PROPPATCH", url, body, &path.to_string())
        .await
}
