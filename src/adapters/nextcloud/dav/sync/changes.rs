//! The changes of a collection since a token the caller keeps (the index
//! sync stores it with its own state): a sync-collection from that token, a
//! full one when the server no longer honours it, and a multiget of what
//! changed. Unlike the listing cache, nothing is remembered here.

use std::collections::HashSet;

use url::Url;

use super::report::{SyncDelta, sync_collection};
use crate::adapters::nextcloud::dav::href::last_segment;
use crate::adapters::nextcloud::dav::multistatus::{DAV, Resource};
use crate::adapters::nextcloud::http::NextcloudSession;
use crate::domain::changes::{ChangedObject, CollectionChanges};
use crate::domain::dates::parse_http_date;
use crate::ports::nextcloud::NextcloudError;

/// Members fetched per multiget, so one reply stays far below the
/// multistatus size cap even for large calendars.
const MULTIGET_CHUNK: usize = 100;

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

impl Fetched {
    /// The changed members as objects: `data` names the property holding
    /// each member's text (`(namespace, name)`); `read` turns that text and
    /// the member's ETag into the object and the time it says it last
    /// changed. Without such a time the server's getlastmodified stands in,
    /// else 0. A member without its data is skipped.
    pub fn read_objects<T>(
        self,
        data: (&str, &str),
        mut read: impl FnMut(&str, Option<&str>) -> Result<(T, Option<i64>), NextcloudError>,
    ) -> Result<CollectionChanges<T>, NextcloudError> {
        let mut changed = Vec::new();
        for resource in self.changed {
            let Some(text) = resource.raw_text(data.0, data.1) else {
                continue;
            };
            let etag = resource.text(DAV, "getetag");
            let (content, own_time) = read(text, etag.as_deref())?;
            changed.push(ChangedObject {
                name: last_segment(&resource.href),
                modified: own_time
                    .or_else(|| parse_http_date(&resource.text(DAV, "getlastmodified")?))
                    .unwrap_or(0),
                content,
                etag,
            });
        }
        Ok(CollectionChanges {
            token: self.token,
            full: self.full,
            changed,
            deleted: self.deleted,
        })
    }
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
