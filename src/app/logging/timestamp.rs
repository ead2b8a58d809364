//! The log lines' timestamp: RFC 3339 in UTC with microseconds, exactly as
//! the subscriber's default timer writes it, but with the text up to the
//! second formatted once per second and thread instead of for every line
//! (the calendar arithmetic was a visible part of a line's cost).

use std::cell::RefCell;
use std::fmt::{self, Write as _};
use std::time::{SystemTime, UNIX_EPOCH};

use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::FormatTime;

/// The timer the server's log subscriber uses.
#[derive(Clone, Copy, Debug, Default)]
pub struct Timestamp;

thread_local! {
    /// The second last written on this thread, and its text up to the fraction.
    static SECOND: RefCell<(u64, String)> = const { RefCell::new((u64::MAX, String::new())) };
}

impl FormatTime for Timestamp {
    fn format_time(&self, w: &mut Writer<'_>) -> fmt::Result {
        let Ok(since_epoch) = SystemTime::now().duration_since(UNIX_EPOCH) else {
            // A clock before 1970: rare enough to leave to the default timer.
            return tracing_subscriber::fmt::time::SystemTime.format_time(w);
        };
        let (second, micros) = (since_epoch.as_secs(), since_epoch.subsec_micros());
        let cached = SECOND.try_with(|cached| {
            let mut cached = cached.try_borrow_mut().ok()?;
            if cached.0 != second {
                cached.1.clear();
                up_to_the_second(&mut cached.1, second).ok()?;
                cached.0 = second;
            }
            Some(write!(w, "{}{micros:06}Z", cached.1))
        });
        match cached {
            Ok(Some(written)) => written,
            // The thread is ending or a line is being written inside a line.
            _ => {
                let mut text = String::new();
                up_to_the_second(&mut text, second)?;
                write!(w, "{text}{micros:06}Z")
            }
        }
    }
}

/// "YYYY-MM-DDTHH:MM:SS." for a second since the epoch.
fn up_to_the_second(out: &mut String, second: u64) -> fmt::Result {
    let time = i64::try_from(second)
        .ok()
        .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
        .ok_or(fmt::Error)?;
    write!(out, "{}", time.format("%Y-%m-%dT%H:%M:%S."))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn up_to(second: u64) -> String {
        let mut text = String::new();
        up_to_the_second(&mut text, second).expect("formats");
        text
    }

    #[test]
    fn seconds_are_written_as_utc_calendar_time() {
        assert_eq!(up_to(0), "1970-01-01T00:00:00.");
        assert_eq!(up_to(951_782_400), "2000-02-29T00:00:00.");
        assert_eq!(up_to(4_102_444_799), "2099-12-31T23:59:59.");
    }

    fn format(timer: impl FormatTime) -> String {
        let mut text = String::new();
        timer
            .format_time(&mut Writer::new(&mut text))
            .expect("formats");
        text
    }

    #[test]
    fn lines_carry_the_same_timestamp_as_with_the_default_timer() {
        // Both read the clock; a pair that straddles a second is read again.
        // The first line fills this thread's cache, the second may use it.
        for _ in 0..10 {
            let _ = format(Timestamp);
            let (ours, default) = (
                format(Timestamp),
                format(tracing_subscriber::fmt::time::SystemTime),
            );
            let shape = |t: &str| {
                t.chars()
                    .map(|c| if c.is_ascii_digit() { '0' } else { c })
                    .collect::<String>()
            };
            assert_eq!(shape(&ours), "0000-00-00T00:00:00.000000Z", "{ours}");
            assert_eq!(shape(&ours), shape(&default), "{ours} / {default}");
            if ours[..19] == default[..19] {
                return;
            }
        }
        panic!("the two timers never agreed to the second");
    }
}
