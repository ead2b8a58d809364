//! How many tokens nobody has seen before may be sent to the identity
//! provider's introspection endpoint per second.
//!
//! Known tokens are answered from the caches (accepted and refused alike), so
//! only distinct new tokens reach the provider. Without a bound, an anonymous
//! caller sending a stream of distinct junk tokens turns each into an IdP
//! call. The bound is a token bucket: a burst for a busy minute's worth of new
//! sessions, then a steady rate; over it the caller is asked to retry
//! shortly, and nothing is asked of the provider.

use std::sync::Mutex;
use std::time::Instant;

/// New tokens a burst may carry (every client of a busy deployment
/// reconnecting at once).
pub const DEFAULT_BURST: u32 = 50;
/// New tokens per second, once the burst is spent.
pub const DEFAULT_PER_SECOND: u32 = 10;

#[derive(Debug)]
pub struct IntrospectionBudget {
    burst: f64,
    per_second: f64,
    state: Mutex<Bucket>,
}

#[derive(Debug)]
struct Bucket {
    available: f64,
    refilled_at: Instant,
}

impl IntrospectionBudget {
    pub fn new(burst: u32, per_second: u32) -> Self {
        Self {
            burst: f64::from(burst.max(1)),
            per_second: f64::from(per_second.max(1)),
            state: Mutex::new(Bucket {
                available: f64::from(burst.max(1)),
                refilled_at: Instant::now(),
            }),
        }
    }

    /// Takes one call from the budget at `now`; `false` when it is spent.
    pub fn try_take(&self, now: Instant) -> bool {
        let mut bucket = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let elapsed = now.saturating_duration_since(bucket.refilled_at);
        bucket.available =
            (bucket.available + elapsed.as_secs_f64() * self.per_second).min(self.burst);
        bucket.refilled_at = now;
        if bucket.available >= 1.0 {
            bucket.available -= 1.0;
            true
        } else {
            false
        }
    }
}

impl Default for IntrospectionBudget {
    fn default() -> Self {
        Self::new(DEFAULT_BURST, DEFAULT_PER_SECOND)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_burst_then_the_steady_rate() {
        let budget = IntrospectionBudget::new(3, 2);
        let start = Instant::now();
        assert!((0..3).all(|_| budget.try_take(start)));
        assert!(!budget.try_take(start), "the burst is spent");
        // Half a second at two per second refills one call, not more.
        let later = start + Duration::from_millis(500);
        assert!(budget.try_take(later));
        assert!(!budget.try_take(later));
        // A long pause refills up to the burst, never beyond it.
        let much_later = later + Duration::from_secs(3600);
        assert!((0..3).all(|_| budget.try_take(much_later)));
        assert!(!budget.try_take(much_later));
    }
}
