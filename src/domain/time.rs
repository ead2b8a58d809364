//! Points in time as the domain sees them: whole seconds since the Unix
//! epoch. The domain never reads a clock; callers take the reading and pass
//! it in, so every decision about expiry can be tested with fixed times.

/// Seconds since the Unix epoch, as the caller's clock saw them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnixTime(pub i64);

impl UnixTime {
    /// A clock reading the caller took; times before 1970 read as 0.
    pub fn from_system(time: std::time::SystemTime) -> Self {
        UnixTime(
            time.duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64),
        )
    }

    /// This time plus `seconds` (a deadline, for instance).
    pub fn plus_secs(self, seconds: i64) -> Self {
        UnixTime(self.0.saturating_add(seconds))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn readings_convert_to_whole_seconds_and_never_below_zero() {
        let reading = UNIX_EPOCH + Duration::from_millis(1_700_000_000_999);
        assert_eq!(UnixTime::from_system(reading), UnixTime(1_700_000_000));
        let before_1970 = UNIX_EPOCH - Duration::from_secs(5);
        assert_eq!(UnixTime::from_system(before_1970), UnixTime(0));
        assert_eq!(UnixTime(10).plus_secs(600), UnixTime(610));
    }
}
