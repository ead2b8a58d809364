//! Per-owner backoff after Nextcloud said "slow down" (429) or failed (5xx,
//! timeouts): the owner is skipped until the wait is over, doubling with
//! each failure in a row up to a cap, and reset by a pass that succeeds.

use std::collections::HashMap;
use std::time::{Duration, Instant};

const MAX_WAIT: Duration = Duration::from_secs(3600);

#[derive(Default)]
pub struct Backoff {
    waiting: HashMap<String, (u32, Instant)>,
}

impl Backoff {
    /// Whether `owner` may be synced at `now`.
    pub fn ready(&self, owner: &str, now: Instant) -> bool {
        self.waiting
            .get(owner)
            .is_none_or(|(_, until)| now >= *until)
    }

    /// Records a failure; `hint` (Retry-After) wins when longer.
    pub fn failed(&mut self, owner: &str, base: Duration, hint: Option<Duration>, now: Instant) {
        let failures = self.waiting.get(owner).map_or(0, |(n, _)| *n) + 1;
        let doubled = base.saturating_mul(1u32 << failures.min(16)).min(MAX_WAIT);
        let wait = hint.map_or(doubled, |h| h.max(doubled).min(MAX_WAIT));
        self.waiting
            .insert(owner.to_string(), (failures, now + wait));
    }

    pub fn succeeded(&mut self, owner: &str) {
        self.waiting.remove(owner);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_and_reset() {
        let mut b = Backoff::default();
        let t0 = Instant::now();
        let base = Duration::from_secs(10);
        assert!(b.ready("a", t0));
        b.failed("a", base, None, t0);
        assert!(!b.ready("a", t0 + Duration::from_secs(19)));
        assert!(b.ready("a", t0 + Duration::from_secs(20)));
        b.failed("a", base, None, t0);
        assert!(!b.ready("a", t0 + Duration::from_secs(39)));
        assert!(b.ready("a", t0 + Duration::from_secs(40)));
        assert!(b.ready("b", t0), "other owners are not held up");
        b.failed("a", base, Some(Duration::from_secs(300)), t0);
        assert!(!b.ready("a", t0 + Duration::from_secs(299)));
        b.succeeded("a");
        assert!(b.ready("a", t0));
        for _ in 0..40 {
            b.failed("a", base, None, t0);
        }
        assert!(b.ready("a", t0 + MAX_WAIT));
    }
}
