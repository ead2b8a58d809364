//! What Nextcloud said about a Basic credential, remembered briefly so a
//! valid one is not checked on every request and a refused one is not sent
//! again at once. Keyed by an HMAC-SHA256 of login and password under a key
//! drawn at start: the key never leaves the process, so neither the cache nor
//! a memory dump of it gives a digest that could be checked against guesses
//! offline elsewhere, and the password itself is never kept.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;
use zeroize::Zeroizing;

/// The keyed digest of one login name and password.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CredentialKey([u8; 32]);

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Nextcloud accepted it, for this user id.
    Accepted { user_id: String },
    /// Nextcloud answered 401.
    Refused,
}

/// How long verdicts are kept and how many.
#[derive(Clone, Copy, Debug)]
pub struct VerdictLimits {
    pub accepted_for: Duration,
    pub refused_for: Duration,
    pub capacity: usize,
}

impl Default for VerdictLimits {
    /// A revoked app password keeps passing here for at most five minutes;
    /// Nextcloud itself refuses it on every call it is used for meanwhile.
    fn default() -> Self {
        Self {
            accepted_for: Duration::from_secs(300),
            refused_for: Duration::from_secs(30),
            capacity: 10_000,
        }
    }
}

pub struct Verdicts {
    key: Zeroizing<[u8; 32]>,
    limits: VerdictLimits,
    entries: Mutex<HashMap<CredentialKey, (Verdict, Instant)>>,
}

impl Verdicts {
    pub fn new(limits: VerdictLimits) -> Self {
        let mut key = Zeroizing::new([0u8; 32]);
        getrandom::fill(key.as_mut()).expect("the operating system's random source");
        Self {
            key,
            limits,
            entries: Mutex::default(),
        }
    }

    pub fn key_of(&self, login: &str, password: &SecretString) -> CredentialKey {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.key.as_ref())
            .expect("HMAC takes a key of any length");
        // Length-prefixed, so no two (login, password) pairs share an input.
        mac.update(&(login.len() as u64).to_be_bytes());
        mac.update(login.as_bytes());
        mac.update(password.expose_secret().as_bytes());
        CredentialKey(mac.finalize().into_bytes().into())
    }

    /// The verdict on `key`, if one is still fresh at `now`.
    pub fn get(&self, key: &CredentialKey, now: Instant) -> Option<Verdict> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        match entries.get(key) {
            Some((verdict, until)) if *until > now => Some(verdict.clone()),
            Some(_) => {
                entries.remove(key);
                None
            }
            None => None,
        }
    }

    pub fn put(&self, key: CredentialKey, verdict: Verdict, now: Instant) {
        let ttl = match verdict {
            Verdict::Accepted { .. } => self.limits.accepted_for,
            Verdict::Refused => self.limits.refused_for,
        };
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= self.limits.capacity.max(1) {
            entries.retain(|_, (_, until)| *until > now);
        }
        // Still full of fresh verdicts (a flood of distinct credentials):
        // start afresh rather than grow; the check budget bounds the cost.
        if entries.len() >= self.limits.capacity.max(1) {
            entries.clear();
        }
        entries.insert(key, (verdict, now + ttl));
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(capacity: usize) -> VerdictLimits {
        VerdictLimits {
            accepted_for: Duration::from_secs(300),
            refused_for: Duration::from_secs(30),
            capacity,
        }
    }

    fn pw(s: &str) -> SecretString {
        SecretString::from(s.to_string())
    }

    #[test]
    fn keys_depend_on_login_password_and_the_process_key() {
        let verdicts = Verdicts::new(limits(10));
        let key = verdicts.key_of("alice", &pw("pw"));
        assert!(key == verdicts.key_of("alice", &pw("pw")));
        assert!(key != verdicts.key_of("alice", &pw("pw2")));
        assert!(key != verdicts.key_of("bob", &pw("pw")));
        // The login/password boundary is part of the input.
        assert!(verdicts.key_of("ab", &pw("c")) != verdicts.key_of("a", &pw("bc")));
        // Another process (another random key) derives another digest.
        assert!(key != Verdicts::new(limits(10)).key_of("alice", &pw("pw")));
    }

    #[test]
    fn accepted_and_refused_verdicts_expire_on_their_own_clocks() {
        let verdicts = Verdicts::new(limits(10));
        let start = Instant::now();
        let good = verdicts.key_of("alice", &pw("good"));
        let bad = verdicts.key_of("alice", &pw("bad"));
        let accepted = Verdict::Accepted {
            user_id: "alice".into(),
        };
        verdicts.put(good, accepted.clone(), start);
        verdicts.put(bad, Verdict::Refused, start);
        let soon = start + Duration::from_secs(29);
        assert_eq!(verdicts.get(&good, soon), Some(accepted.clone()));
        assert_eq!(verdicts.get(&bad, soon), Some(Verdict::Refused));
        let later = start + Duration::from_secs(31);
        assert_eq!(verdicts.get(&bad, later), None);
        assert_eq!(verdicts.get(&good, later), Some(accepted));
        assert_eq!(verdicts.get(&good, start + Duration::from_secs(301)), None);
    }

    #[test]
    fn the_cache_never_grows_past_its_capacity() {
        let verdicts = Verdicts::new(limits(3));
        let now = Instant::now();
        for i in 0..20 {
            let key = verdicts.key_of("mallory", &pw(&format!("guess-{i}")));
            verdicts.put(key, Verdict::Refused, now);
            assert!(verdicts.len() <= 3);
        }
    }
}
