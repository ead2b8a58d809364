//! The bounded, expiring memory of listings: per (Nextcloud base URL, user,
//! collection URL) the collection's sync-token, the query the listing
//! answered and the objects it returned. Entries expire after five minutes
//! and the cache holds at most 256 collections.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const MAX_ENTRIES: usize = 256;
pub const MAX_AGE: Duration = Duration::from_secs(300);

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

/// The key of one collection's listing.
pub fn key(base: &str, user: &str, collection: &str) -> String {
    format!("{base}\n{user}\n{collection}")
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
}
