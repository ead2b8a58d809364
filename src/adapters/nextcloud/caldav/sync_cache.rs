//! Repeated listings through sync-collection (RFC 6578).
//!
//! A listing remembers, per (Nextcloud base URL, user, collection URL), the
//! collection's sync-token taken just before the server-filtered query, the
//! query it answered and the objects it returned. The same listing again sends
//! a sync-collection REPORT from that token, fetches what changed with a
//! multiget, drops what was deleted and re-applies the query's filter locally
//! to the changed objects only. Anything unexpected (an error, no token, a new
//! token without changes: Nextcloud's answer to a token it does not know) drops
//! the entry so the caller lists in full. Entries expire after five minutes
//! and the cache holds at most 256 collections.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::super::dav_props::{DAV, Multistatus};

pub const MAX_ENTRIES: usize = 256;
pub const MAX_AGE: Duration = Duration::from_secs(300);

/// sync-collection REPORT (captures caldav 16, 27, 28; carddav 10); no Depth.
pub fn sync_collection(token: Option<&str>) -> String {
    let token = match token {
        Some(t) => format!(
            "<d:sync-token>{}</d:sync-token>",
            quick_xml::escape::escape(t)
        ),
        None => "<d:sync-token/>".to_string(),
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<d:sync-collection xmlns:d="DAV:">{token}<d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>
"#
    )
}

/// What a sync-collection reply says changed since the token sent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncDelta {
    /// New or changed members: href and new ETag.
    pub changed: Vec<(String, Option<String>)>,
    /// Removed members (a response-level 404).
    pub deleted: Vec<String>,
    /// The token to send next time.
    pub token: Option<String>,
}

impl SyncDelta {
    pub fn from_reply(reply: &Multistatus, collection_path: &str) -> Self {
        let mut delta = SyncDelta {
            token: reply.sync_token.clone(),
            ..SyncDelta::default()
        };
        for r in &reply.responses {
            // The collection itself may be listed; it is not a member.
            if r.href.trim_end_matches('/') == collection_path.trim_end_matches('/') {
                continue;
            }
            if r.status == Some(404) {
                delta.deleted.push(r.href.clone());
            } else {
                delta.changed.push((r.href.clone(), r.text(DAV, "getetag")));
            }
        }
        delta
    }

    /// Whether the reply can be trusted as "these are all the changes since
    /// `sent`". A token that moved without any change listed is how Nextcloud
    /// answers a token it does not know (capture 28): not trustworthy.
    pub fn usable_after(&self, sent: &str) -> bool {
        match &self.token {
            None => false,
            Some(t) => t == sent || !self.changed.is_empty() || !self.deleted.is_empty(),
        }
    }
}

/// One remembered listing.
#[derive(Clone, Debug)]
pub struct Entry<T> {
    pub token: String,
    /// The listing's parameters; another query lists in full again.
    pub query: String,
    /// href -> (ETag, parsed items) of the objects the query matched.
    pub objects: HashMap<String, (Option<String>, Vec<T>)>,
    pub stored: Instant,
}

impl<T: Clone> Entry<T> {
    /// Every cached item, in href order so repeated listings read the same.
    pub fn items(&self) -> Vec<T> {
        let mut hrefs: Vec<&String> = self.objects.keys().collect();
        hrefs.sort();
        hrefs
            .into_iter()
            .flat_map(|h| self.objects[h].1.iter().cloned())
            .collect()
    }
}

/// The bounded, expiring cache of listings, one per collection.
pub struct SyncCache<T> {
    entries: Mutex<Option<HashMap<String, Entry<T>>>>,
}

impl<T: Clone> SyncCache<T> {
    pub const fn new() -> Self {
        Self {
            entries: Mutex::new(None),
        }
    }

    pub fn key(base: &str, user: &str, collection: &str) -> String {
        format!("{base}\n{user}\n{collection}")
    }

    fn with<R>(&self, f: impl FnOnce(&mut HashMap<String, Entry<T>>) -> R) -> R {
        let mut guard = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        f(guard.get_or_insert_with(HashMap::new))
    }

    /// A fresh entry for this key and query, if any (expired ones are dropped).
    pub fn get(&self, key: &str, query: &str) -> Option<Entry<T>> {
        self.with(|map| {
            let fresh = map
                .get(key)
                .is_some_and(|e| e.stored.elapsed() < MAX_AGE && e.query == query);
            if fresh {
                map.get(key).cloned()
            } else {
                map.remove(key);
                None
            }
        })
    }

    /// Stores an entry; when full, expired entries go first, then the oldest.
    pub fn put(&self, key: String, entry: Entry<T>) {
        self.with(|map| {
            if !map.contains_key(&key) && map.len() >= MAX_ENTRIES {
                map.retain(|_, e| e.stored.elapsed() < MAX_AGE);
                if map.len() >= MAX_ENTRIES
                    && let Some(oldest) = map
                        .iter()
                        .min_by_key(|(_, e)| e.stored)
                        .map(|(k, _)| k.clone())
                {
                    map.remove(&oldest);
                }
            }
            map.insert(key, entry);
        })
    }

    /// Forgets a collection (after a write through this server, or an error).
    pub fn invalidate(&self, key: &str) {
        self.with(|map| {
            map.remove(key);
        })
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.with(|map| map.len())
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::dav_props;
    use super::*;

    fn entry(query: &str) -> Entry<u32> {
        Entry {
            token: "t".into(),
            query: query.into(),
            objects: HashMap::new(),
            stored: Instant::now(),
        }
    }

    #[test]
    fn bounded_and_keyed_by_query() {
        let cache = SyncCache::<u32>::new();
        for i in 0..MAX_ENTRIES + 10 {
            cache.put(format!("k{i}"), entry("q"));
        }
        assert_eq!(cache.len(), MAX_ENTRIES);
        let last = format!("k{}", MAX_ENTRIES + 9);
        assert!(cache.get(&last, "other").is_none(), "another query misses");
        assert!(cache.get(&last, "q").is_none(), "and dropped the entry");
        cache.put(last.clone(), entry("q"));
        assert!(cache.get(&last, "q").is_some());
        cache.invalidate(&last);
        assert!(cache.get(&last, "q").is_none());
    }

    #[test]
    fn expired_entries_are_not_served() {
        let cache = SyncCache::<u32>::new();
        let mut old = entry("q");
        let Some(then) = Instant::now().checked_sub(MAX_AGE + Duration::from_secs(1)) else {
            return;
        };
        old.stored = then;
        cache.put("k".into(), old);
        assert!(cache.get("k", "q").is_none());
    }

    const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/nextcloud-34/");

    /// (request body, response body) of a capture.
    fn capture(folder: &str, name: &str) -> (String, String) {
        let read = |part: &str| {
            let raw = std::fs::read_to_string(format!("{ROOT}{folder}/{name}.{part}.http"))
                .unwrap()
                .replace("\r\n", "\n");
            raw.split_once("\n\n").unwrap().1.to_string()
        };
        (read("request"), read("response"))
    }

    fn squeeze(xml: &str) -> String {
        xml.lines().map(str::trim).collect()
    }

    const EVENTS: &str = "/remote.php/dav/calendars/admin/fixture-events/";

    #[test]
    fn request_bodies_are_the_captured_ones() {
        let (initial, _) = capture("caldav", "16-sync-collection-initial");
        assert_eq!(squeeze(&sync_collection(None)), squeeze(&initial));
        let (incremental, _) = capture("caldav", "27-sync-collection-incremental");
        let sent = sync_collection(Some("http://sabre.io/ns/sync/4"));
        assert_eq!(squeeze(&sent), squeeze(&incremental));
        let (unknown, _) = capture("caldav", "28-sync-collection-invalid-token");
        let sent = sync_collection(Some("http://sabre.io/ns/sync/999999"));
        assert_eq!(squeeze(&sent), squeeze(&unknown));
        let (cards, _) = capture("carddav", "10-sync-collection-initial");
        assert_eq!(squeeze(&sync_collection(None)), squeeze(&cards));
    }

    #[test]
    fn parses_the_initial_reply() {
        let (_, xml) = capture("caldav", "16-sync-collection-initial");
        let delta = SyncDelta::from_reply(&dav_props::parse(&xml).unwrap(), EVENTS);
        assert_eq!(delta.token.as_deref(), Some("http://sabre.io/ns/sync/4"));
        assert_eq!(delta.changed.len(), 3);
        assert_eq!(
            delta.changed[1],
            (
                format!("{EVENTS}fixture-simple-0001.ics"),
                Some("\"543f3c79de09bef0ceb5046e5596ea77\"".to_string())
            )
        );
        assert!(delta.deleted.is_empty());
    }

    #[test]
    fn parses_changes_and_deletions() {
        let (_, xml) = capture("caldav", "27-sync-collection-incremental");
        let delta = SyncDelta::from_reply(&dav_props::parse(&xml).unwrap(), EVENTS);
        assert_eq!(delta.token.as_deref(), Some("http://sabre.io/ns/sync/6"));
        assert_eq!(
            delta.changed,
            vec![(
                format!("{EVENTS}fixture-simple-0001.ics"),
                Some("\"091fceacc3a0e354112a5d503ce3250c\"".to_string())
            )]
        );
        assert_eq!(
            delta.deleted,
            vec![format!("{EVENTS}fixture-allday-0001.ics")]
        );
        assert!(delta.usable_after("http://sabre.io/ns/sync/4"));
    }

    #[test]
    fn the_unknown_token_reply_is_not_trusted() {
        let (_, xml) = capture("caldav", "28-sync-collection-invalid-token");
        let delta = SyncDelta::from_reply(&dav_props::parse(&xml).unwrap(), EVENTS);
        assert!(delta.changed.is_empty() && delta.deleted.is_empty());
        assert_eq!(delta.token.as_deref(), Some("http://sabre.io/ns/sync/6"));
        assert!(!delta.usable_after("http://sabre.io/ns/sync/999999"));
    }

    #[test]
    fn a_moved_token_without_changes_is_not_usable() {
        let delta = SyncDelta {
            token: Some("http://sabre.io/ns/sync/6".into()),
            ..SyncDelta::default()
        };
        assert!(!delta.usable_after("http://sabre.io/ns/sync/999999"));
        assert!(delta.usable_after("http://sabre.io/ns/sync/6"));
        assert!(!SyncDelta::default().usable_after("x"));
    }
}
