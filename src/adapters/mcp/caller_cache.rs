//! A short-lived answer per caller, for what Nextcloud rarely changes and a
//! tool would otherwise ask for on every call.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rmcp::RoleServer;
use rmcp::service::RequestContext;

use super::caller::caller_key;

/// Callers remembered at most; past it the cache starts afresh.
const MAX_ENTRIES: usize = 10_000;

/// Caller (`None`: the basic-mode or stdio user) -> (answer, when asked).
pub struct CallerCache<T> {
    ttl: Duration,
    entries: Mutex<HashMap<Option<String>, (T, Instant)>>,
}

/// The key of this request's caller (see [`caller_key`]).
fn key(request: &RequestContext<RoleServer>) -> Option<String> {
    caller_key(request)
}

impl<T: Clone> CallerCache<T> {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: Mutex::default(),
        }
    }

    pub fn get(&self, request: &RequestContext<RoleServer>) -> Option<T> {
        self.get_key(&key(request))
    }

    pub fn put(&self, request: &RequestContext<RoleServer>, value: T) {
        self.put_key(key(request), value);
    }

    fn get_key(&self, key: &Option<String>) -> Option<T> {
        let map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let (value, at) = map.get(key)?;
        (at.elapsed() < self.ttl).then(|| value.clone())
    }

    fn put_key(&self, key: Option<String>, value: T) {
        let mut map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_ENTRIES {
            map.clear();
        }
        map.insert(key, (value, Instant::now()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_kept_per_caller_until_they_expire() {
        let cache = CallerCache::new(Duration::from_secs(60));
        cache.put_key(None, 1);
        cache.put_key(Some("alice".into()), 2);
        assert_eq!(cache.get_key(&None), Some(1));
        assert_eq!(cache.get_key(&Some("alice".into())), Some(2));
        assert_eq!(cache.get_key(&Some("bob".into())), None);
        let expired = CallerCache::new(Duration::ZERO);
        expired.put_key(None, 1);
        assert_eq!(expired.get_key(&None), None);
    }
}
