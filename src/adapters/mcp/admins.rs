//! Which callers are Nextcloud admins, for listing the admin-only webhook
//! tools. Kept briefly: group membership rarely changes, and tools/list is
//! asked often.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long an answer about one caller is reused.
const TTL: Duration = Duration::from_secs(300);
/// Callers remembered at most; past it the cache starts afresh.
const MAX_ENTRIES: usize = 10_000;

/// The tools Nextcloud serves to admins only.
pub fn is_admin_tool(name: &str) -> bool {
    name.starts_with("nc_webhooks_")
}

/// Caller subject (`None`: the basic-mode user) -> (is admin, when asked).
#[derive(Default)]
pub struct AdminCache(Mutex<HashMap<Option<String>, (bool, Instant)>>);

impl AdminCache {
    pub fn get(&self, caller: Option<&str>) -> Option<bool> {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let (admin, at) = map.get(&caller.map(str::to_string))?;
        (at.elapsed() < TTL).then_some(*admin)
    }

    pub fn put(&self, caller: Option<&str>, admin: bool) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_ENTRIES {
            map.clear();
        }
        map.insert(caller.map(str::to_string), (admin, Instant::now()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_kept_per_caller() {
        let cache = AdminCache::default();
        assert_eq!(cache.get(None), None);
        cache.put(None, true);
        cache.put(Some("alice"), false);
        assert_eq!(cache.get(None), Some(true));
        assert_eq!(cache.get(Some("alice")), Some(false));
        assert_eq!(cache.get(Some("bob")), None);
        assert!(is_admin_tool("nc_webhooks_list") && !is_admin_tool("nc_notes_get_note"));
    }
}
