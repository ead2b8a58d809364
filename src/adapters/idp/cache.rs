//! A small, bounded cache of token validation results, keyed by the SHA-256
//! of the token: the token itself is never stored as a key or value.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

/// The SHA-256 of a token; what the cache keys by.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenHash([u8; 32]);

impl TokenHash {
    pub fn of(token: &SecretString) -> Self {
        Self(Sha256::digest(token.expose_secret().as_bytes()).into())
    }
}

impl std::fmt::Debug for TokenHash {
    // A short prefix is enough to correlate log lines, and reveals nothing.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TokenHash(")?;
        for b in &self.0[..4] {
            write!(f, "{b:02x}")?;
        }
        write!(f, "…)")
    }
}

pub struct TokenCache<V> {
    ttl: Duration,
    capacity: usize,
    entries: Mutex<HashMap<TokenHash, (V, Instant)>>,
}

impl<V: Clone> TokenCache<V> {
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        Self {
            ttl,
            capacity: capacity.max(1),
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// Whether anything is ever kept (a zero TTL turns the cache off).
    pub fn is_enabled(&self) -> bool {
        !self.ttl.is_zero()
    }

    pub fn get(&self, key: &TokenHash) -> Option<V> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        match entries.get(key) {
            Some((value, until)) if *until > Instant::now() => Some(value.clone()),
            Some(_) => {
                entries.remove(key);
                None
            }
            None => None,
        }
    }

    /// Stores `value` for at most the TTL, and never past `max_life` when the
    /// token's own remaining lifetime is known.
    pub fn insert(&self, key: TokenHash, value: V, max_life: Option<Duration>) {
        if self.ttl.is_zero() {
            return;
        }
        let life = max_life.map_or(self.ttl, |m| m.min(self.ttl));
        if life.is_zero() {
            return;
        }
        let now = Instant::now();
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= self.capacity && !entries.contains_key(&key) {
            entries.retain(|_, (_, until)| *until > now);
            if entries.len() >= self.capacity {
                // Evict the entry closest to expiry.
                if let Some(oldest) = entries
                    .iter()
                    .min_by_key(|(_, (_, until))| *until)
                    .map(|(k, _)| *k)
                {
                    entries.remove(&oldest);
                }
            }
        }
        entries.insert(key, (value, now + life));
    }

    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> TokenHash {
        TokenHash::of(&SecretString::from(s))
    }

    #[test]
    fn hits_within_ttl_and_misses_after() {
        let cache = TokenCache::new(Duration::from_secs(60), 10);
        cache.insert(key("a"), 1, None);
        assert_eq!(cache.get(&key("a")), Some(1));
        assert_eq!(cache.get(&key("b")), None);
        cache.insert(key("c"), 3, Some(Duration::ZERO));
        assert_eq!(cache.get(&key("c")), None, "expired tokens are not cached");
    }

    #[test]
    fn bounded_size_evicts_the_nearest_expiry() {
        let cache = TokenCache::new(Duration::from_secs(60), 2);
        cache.insert(key("short"), 1, Some(Duration::from_secs(5)));
        cache.insert(key("long"), 2, None);
        cache.insert(key("new"), 3, None);
        assert_eq!(cache.len(), 2);
        assert_eq!(cache.get(&key("short")), None);
        assert_eq!(cache.get(&key("long")), Some(2));
    }

    #[test]
    fn hash_debug_shows_only_a_prefix() {
        let shown = format!("{:?}", key("eyJ-some-token"));
        assert!(
            shown.starts_with("TokenHash(") && shown.len() < 24,
            "{shown}"
        );
        assert!(!shown.contains("eyJ"));
    }
}
