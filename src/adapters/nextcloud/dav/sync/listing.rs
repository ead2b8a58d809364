//! One listing of a collection through its [`SyncCache`]: brought up to date
//! by sync-collection when a fresh entry exists, listed in full otherwise.

use std::collections::HashMap;
use std::time::Instant;

use url::Url;

use super::cache::{Entry, SyncCache, key};
use super::report::{SyncDelta, sync_collection};
use crate::adapters::nextcloud::dav::multistatus::{DAV, Resource};
use crate::adapters::nextcloud::http::NextcloudSession;
use crate::ports::nextcloud::NextcloudError;

/// Reads a member fetched by multiget into its items; `None` leaves it out
/// of the listing (no data, or it no longer matches the query).
pub type ReadMember<'a, T> =
    &'a (dyn Fn(&Resource) -> Result<Option<Vec<T>>, NextcloudError> + Sync);

/// What one listing of one collection needs; the rest is the same for
/// calendars and address books.
pub struct Listing<'a, T: 'static> {
    pub cache: &'static SyncCache<T>,
    /// The collection listed (a calendar, an address book).
    pub collection: &'a Url,
    /// Names the collection in errors ("calendar 'work'").
    pub what: String,
    /// The listing's parameters; another query lists in full again.
    pub query: String,
    /// A Depth 0 PROPFIND body whose reply carries the `d:sync-token`, and
    /// the name of the collection in its errors.
    pub token_request: (String, &'static str),
    /// The multiget REPORT body fetching some hrefs.
    pub multiget: fn(&[String]) -> String,
    pub read: ReadMember<'a, T>,
    /// Any change lists in full again, so a search stays the server's.
    pub relist_on_change: bool,
}

/// One member of a full listing: where it is, its version, its items.
pub struct Member<T> {
    pub url: Url,
    pub etag: Option<String>,
    pub items: Vec<T>,
}

impl NextcloudSession {
    fn listing_key(&self, collection: &Url) -> Result<String, NextcloudError> {
        Ok(key(
            self.url("")?.as_str(),
            self.user_id(),
            collection.as_str(),
        ))
    }

    /// The cache key of an href the server sent, so spellings agree.
    fn member_key(&self, href: &str) -> Result<String, NextcloudError> {
        Ok(self.href_url(href)?.path().to_string())
    }

    /// Forgets the listing of `collection` in `cache` (a write went through).
    pub(in crate::adapters::nextcloud) fn forget_listing<T: Clone>(
        &self,
        cache: &SyncCache<T>,
        collection: &Url,
    ) {
        if let Ok(key) = self.listing_key(collection) {
            cache.invalidate(&key);
        }
    }

    /// Forgets the listing of the collection holding the member at `member`.
    pub(in crate::adapters::nextcloud) fn forget_listing_of<T: Clone>(
        &self,
        cache: &SyncCache<T>,
        member: &Url,
    ) {
        if let Ok(collection) = member.join("./") {
            self.forget_listing(cache, &collection);
        }
    }

    /// The collection's current sync-token (PROPFIND Depth 0, capture 29).
    async fn collection_token(&self, url: &Url, (body, what): &(String, &str)) -> Option<String> {
        let reply = self
            .dav_query("PROPFIND", url.clone(), Some("0"), body.clone(), what)
            .await
            .ok()?;
        reply
            .responses
            .iter()
            .find_map(|r| r.text(DAV, "sync-token"))
    }

    /// The listing's items: from the cache brought up to date when it has a
    /// fresh entry, otherwise from `full` (the server-filtered query), whose
    /// result is remembered for next time.
    pub(in crate::adapters::nextcloud) async fn list_synced<T, F>(
        &self,
        listing: &Listing<'_, T>,
        full: F,
    ) -> Result<Vec<T>, NextcloudError>
    where
        T: Clone + Send + Sync + 'static,
        F: Future<Output = Result<Vec<Member<T>>, NextcloudError>> + Send,
    {
        let cache = listing.cache;
        let key = self.listing_key(listing.collection)?;
        if let Some(entry) = cache.get(&key, &listing.query) {
            match self.resync(listing, entry).await {
                Ok(Some(entry)) => {
                    let items = entry.items();
                    cache.put(key, entry);
                    return Ok(items);
                }
                // Unknown token, error: list in full below.
                Ok(None) | Err(_) => cache.invalidate(&key),
            }
        }
        // The token first: a change racing the query is reported next time.
        let token = self
            .collection_token(listing.collection, &listing.token_request)
            .await;
        let members = full.await?;
        let mut out = Vec::new();
        let mut remembered = HashMap::new();
        for member in members {
            out.extend(member.items.iter().cloned());
            remembered.insert(member.url.path().to_string(), (member.etag, member.items));
        }
        if let Some(token) = token {
            cache.put(
                key,
                Entry {
                    token,
                    query: listing.query.clone(),
                    objects: remembered,
                    stored: Instant::now(),
                },
            );
        }
        Ok(out)
    }

    /// Brings a remembered listing up to date; `None` when it cannot be trusted.
    async fn resync<T: Clone>(
        &self,
        listing: &Listing<'_, T>,
        mut entry: Entry<T>,
    ) -> Result<Option<Entry<T>>, NextcloudError> {
        let url = listing.collection;
        let reply = self
            .dav_query(
                "REPORT",
                url.clone(),
                None,
                sync_collection(Some(&entry.token)),
                &listing.what,
            )
            .await?;
        let delta = SyncDelta::from_reply(&reply, url.path());
        if !delta.usable_after(&entry.token) {
            return Ok(None);
        }
        if listing.relist_on_change && (!delta.changed.is_empty() || !delta.deleted.is_empty()) {
            return Ok(None);
        }
        for href in &delta.deleted {
            entry.objects.remove(&self.member_key(href)?);
        }
        let mut fetch = Vec::new();
        let mut asked = Vec::new();
        for (href, etag) in &delta.changed {
            let key = self.member_key(href)?;
            let known = entry.objects.get(&key).and_then(|(e, _)| e.as_ref());
            if etag.is_none() || known != etag.as_ref() {
                entry.objects.remove(&key);
                fetch.push(href.clone());
                asked.push(key);
            }
        }
        if !fetch.is_empty() {
            let reply = self
                .dav_query(
                    "REPORT",
                    url.clone(),
                    Some("1"),
                    (listing.multiget)(&fetch),
                    &listing.what,
                )
                .await?;
            for resource in reply.responses {
                let key = self.member_key(&resource.href)?;
                if !asked.contains(&key) {
                    continue;
                }
                if let Some(items) = (listing.read)(&resource)? {
                    entry
                        .objects
                        .insert(key, (resource.text(DAV, "getetag"), items));
                }
            }
        }
        entry.token = delta.token.unwrap_or(entry.token);
        Ok(Some(entry))
    }
}
