//! The changes of a collection since a token the caller keeps (the index
//! sync stores it with its own state): a sync-collection from that token, a
//! full one when the server no longer honours it, and a multiget of what
//! changed. Unlike the listing cache, nothing is remembered here.

use std::collections::HashSet;

use url::Url;

use super::report::{SyncDelta, sync_collection};
use crate::adapters::nextcloud::dav::href::last_segment;
use crate::adapters::nextcloud::dav::multistatus::Resource;
use crate::adapters::nextcloud::http::NextcloudSession;
use crate::ports::nextcloud::NextcloudError;

/// Members fetched per multiget, so one reply stays far below the
/// multistatus size cap even for large calendars.
const MULTIGET_CHUNK: usize = 100;

/// An HTTP date (getlastmodified) as Unix seconds.
pub fn http_date(value: Option<String>) -> Option<i64> {
    chrono::DateTime::parse_from_rfc2822(value?.trim())
        .ok()
        .map(|d| d.timestamp())
}

/// What changed, with the changed members fetched.
pub struct Fetched {
    pub token: Option<String>,
    /// Every member is in `changed`: the token was refused or none was sent.
    pub full: bool,
    /// The multiget responses of the new and changed members.
    pub changed: Vec<Resource>,
    /// Last href segments of the removed members.
    pub deleted: Vec<String>,
}

impl NextcloudSession {
    /// The members of `collection` changed since `since`; `multiget` builds
    /// the REPORT body fetching some hrefs.
    pub(in crate::adapters::nextcloud) async fn fetch_changes(
        &self,
        collection: &Url,
        what: &str,
        since: Option<&str>,
        multiget: fn(&[String]) -> String,
    ) -> Result<Fetched, NextcloudError> {
        let path = collection.path();
        let incremental = match since {
            None => None,
            Some(token) => match self
                .dav_query(
                    "REPORT",
                    collection.clone(),
                    None,
                    sync_collection(Some(token)),
                    what,
                )
                .await
            {
                // Nextcloud answers a token it does not know with a new
                // token and no changes (capture 28): start over.
                Ok(reply) => {
                    Some(SyncDelta::from_reply(&reply, path)).filter(|d| d.usable_after(token))
                }
                // RFC 6578 3.2: a token the server no longer honours is
                // refused with 403 (DAV:valid-sync-token).
                Err(NextcloudError::Forbidden(_)) => None,
                Err(error) => return Err(error),
            },
        };
        let full = incremental.is_none();
        let delta = match incremental {
            Some(delta) => delta,
            None => {
                let reply = self
                    .dav_query(
                        "REPORT",
                        collection.clone(),
                        None,
                        sync_collection(None),
                        what,
                    )
                    .await?;
                SyncDelta::from_reply(&reply, path)
            }
        };
        let hrefs: Vec<String> = delta.changed.iter().map(|(h, _)| h.clone()).collect();
        let mut changed = Vec::new();
        for chunk in hrefs.chunks(MULTIGET_CHUNK) {
            let asked = chunk
                .iter()
                .map(|h| Ok(self.href_url(h)?.path().to_string()))
                .collect::<Result<HashSet<String>, NextcloudError>>()?;
            let reply = self
                .dav_query(
                    "REPORT",
                    collection.clone(),
                    Some("1"),
                    multiget(chunk),
                    what,
                )
                .await?;
            for resource in reply.responses {
                // A member deleted since the sync-collection is reported
                // next time; a member not asked for is not trusted here.
                let wanted = asked.contains(self.href_url(&resource.href)?.path());
                if wanted && resource.status != Some(404) {
                    changed.push(resource);
                }
            }
        }
        Ok(Fetched {
            token: delta.token,
            full,
            changed,
            deleted: delta.deleted.iter().map(|h| last_segment(h)).collect(),
        })
    }
}
