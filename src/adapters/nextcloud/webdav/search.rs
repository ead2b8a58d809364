//! Server-side file search (DAV SEARCH on `/remote.php/dav/`).

use reqwest::header::CONTENT_TYPE;

use super::bodies;
use crate::adapters::nextcloud::dav::request::dav_method;
use crate::adapters::nextcloud::http::NextcloudSession;
use crate::domain::file_meta::query::FileQuery;
use crate::domain::files::FileEntry;
use crate::ports::nextcloud::NextcloudError;

pub(super) async fn files(
    session: &NextcloudSession,
    query: &FileQuery,
) -> Result<Vec<FileEntry>, NextcloudError> {
    let mut scope_href = format!("/files/{}", session.user_id());
    for segment in query.scope.segments() {
        scope_href.push('/');
        scope_href.push_str(segment);
    }
    let request = session
        .request(dav_method("SEARCH"), session.url("remote.php/dav/")?)
        .header(CONTENT_TYPE, "text/xml; charset=utf-8")
        .body(bodies::search(query, &scope_href));
    let response = session.send(request, &query.scope.to_string()).await?;
    session.entries(response).await
}
