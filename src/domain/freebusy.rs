//! Free time: the gaps between a person's busy events, of at least a given
//! length, optionally only on weekdays and within business hours.

use chrono::{DateTime, Datelike, Duration, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;
use serde::Serialize;

use super::calendar::Event;
use super::caltime::{TimeRange, local_instant};

/// Options for [`free_slots`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotRules {
    pub duration: Duration,
    /// Zone for business hours, weekends and all-day events.
    pub zone: Tz,
    /// Only 09:00 to 17:00 local time.
    pub business_hours_only: bool,
    pub exclude_weekends: bool,
    /// Count all-day events as busy (off by default: holidays and birthdays
    /// are usually not busy time).
    pub include_all_day: bool,
}

/// A free interval, at least as long as asked for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Slot {
    pub start: String,
    pub end: String,
    pub minutes: i64,
}

const BUSINESS_START: (u32, u32) = (9, 0);
const BUSINESS_END: (u32, u32) = (17, 0);

/// The busy intervals of `events` (occurrences already expanded): not
/// transparent, not cancelled, and all-day only when asked.
pub fn busy_intervals(events: &[Event], rules: &SlotRules) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut busy: Vec<_> = events
        .iter()
        .filter(|e| !e.transparent)
        .filter(|e| e.status.as_deref() != Some("CANCELLED"))
        .filter(|e| rules.include_all_day || !e.all_day)
        .map(|e| {
            (
                e.start.instant_in(rules.zone),
                e.effective_end().instant_in(rules.zone),
            )
        })
        .filter(|(s, e)| e > s)
        .collect();
    busy.sort();
    busy
}

/// The windows in `range` where the person may meet, per day, in `rules.zone`.
fn open_windows(range: &TimeRange, rules: &SlotRules) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut windows = Vec::new();
    let mut day = range.start.with_timezone(&rules.zone).date_naive();
    let last = range.end.with_timezone(&rules.zone).date_naive();
    while day <= last {
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        if !(rules.exclude_weekends && weekend) {
            let (open, close) = if rules.business_hours_only {
                let at = |(h, m): (u32, u32)| {
                    local_instant(
                        day.and_time(NaiveTime::from_hms_opt(h, m, 0).expect("valid")),
                        rules.zone,
                    )
                };
                (at(BUSINESS_START), at(BUSINESS_END))
            } else {
                let next = day.succ_opt().unwrap_or(day);
                (
                    local_instant(day.and_time(NaiveTime::MIN), rules.zone),
                    local_instant(next.and_time(NaiveTime::MIN), rules.zone),
                )
            };
            let start = open.max(range.start);
            let end = close.min(range.end);
            if end > start {
                match windows.last_mut() {
                    Some((_, last_end)) if *last_end == start => *last_end = end,
                    _ => windows.push((start, end)),
                }
            }
        }
        day = match day.succ_opt() {
            Some(next) => next,
            None => break,
        };
    }
    windows
}

/// Free slots of at least `rules.duration` in `range`, earliest first.
pub fn free_slots(
    busy: &[(DateTime<Utc>, DateTime<Utc>)],
    range: &TimeRange,
    rules: &SlotRules,
) -> Vec<Slot> {
    let mut slots = Vec::new();
    for (open, close) in open_windows(range, rules) {
        let mut cursor = open;
        for (busy_start, busy_end) in busy {
            if *busy_end <= cursor || *busy_start >= close {
                continue;
            }
            if *busy_start > cursor {
                push_slot(&mut slots, cursor, *busy_start, rules);
            }
            cursor = cursor.max(*busy_end);
            if cursor >= close {
                break;
            }
        }
        if cursor < close {
            push_slot(&mut slots, cursor, close, rules);
        }
    }
    slots
}

fn push_slot(slots: &mut Vec<Slot>, start: DateTime<Utc>, end: DateTime<Utc>, rules: &SlotRules) {
    if end - start < rules.duration {
        return;
    }
    let iso = |t: DateTime<Utc>| {
        t.with_timezone(&rules.zone)
            .format("%Y-%m-%dT%H:%M:%S%:z")
            .to_string()
    };
    slots.push(Slot {
        start: iso(start),
        end: iso(end),
        minutes: (end - start).num_minutes(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, d, h, m, 0).unwrap()
    }

    fn rules(minutes: i64, business: bool, weekends: bool) -> SlotRules {
        SlotRules {
            duration: Duration::minutes(minutes),
            zone: Tz::UTC,
            business_hours_only: business,
            exclude_weekends: weekends,
            include_all_day: false,
        }
    }

    #[test]
    fn gaps_between_busy_times_within_business_hours() {
        let range = TimeRange::new(utc(1, 0, 0), utc(2, 0, 0)).unwrap();
        let busy = vec![
            (utc(1, 9, 30), utc(1, 10, 0)),
            (utc(1, 9, 45), utc(1, 12, 0)),
        ];
        let slots = free_slots(&busy, &range, &rules(60, true, false));
        let got: Vec<(&str, &str)> = slots
            .iter()
            .map(|s| (s.start.as_str(), s.end.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![("2026-12-01T12:00:00+00:00", "2026-12-01T17:00:00+00:00")]
        );
        let short = free_slots(&busy, &range, &rules(30, true, false));
        assert_eq!(short[0].start, "2026-12-01T09:00:00+00:00");
        assert_eq!(short[0].minutes, 30);
    }

    #[test]
    fn weekends_can_be_left_out() {
        // 2026-12-05 is a Saturday.
        let range = TimeRange::new(utc(5, 0, 0), utc(7, 0, 0)).unwrap();
        assert!(free_slots(&[], &range, &rules(30, false, true)).is_empty());
        let all = free_slots(&[], &range, &rules(30, false, false));
        assert_eq!(all.len(), 1, "adjacent days merge into one slot");
        assert_eq!(all[0].minutes, 48 * 60);
    }
}
