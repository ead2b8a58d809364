//! Recurrence: checking RRULEs and expanding a series into the occurrences
//! that overlap a range, in the series' own zone (so 10:00 stays 10:00
//! across daylight-saving changes), with EXDATEs, RDATEs and overrides.

use chrono::{DateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::calendar::Event;
use super::caltime::{EventTime, TimeRange, local_instant};

mod rule;

/// At most this many occurrences of one series are produced per listing.
pub const MAX_OCCURRENCES: u16 = 1000;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RecurrenceError {
    #[error(
        "recurrence_rule '{rule}' is not a valid RFC 5545 RRULE ({reason}); expected e.g. \
         FREQ=WEEKLY;BYDAY=TU;COUNT=8 or FREQ=MONTHLY;BYMONTHDAY=1;UNTIL=20271231T235959Z"
    )]
    BadRule { rule: String, reason: String },
}

fn rrule_zone(time: &EventTime) -> rrule::Tz {
    match time {
        EventTime::Zoned(_, tz) => rrule::Tz::Tz(*tz),
        _ => rrule::Tz::UTC,
    }
}

/// The series start as the rrule crate wants it: local wall time in the zone
/// (UTC for dates, floating times and instants).
fn rrule_start(time: &EventTime) -> DateTime<rrule::Tz> {
    let tz = rrule_zone(time);
    let naive = match *time {
        EventTime::Date(d) => d.and_time(NaiveTime::MIN),
        EventTime::Floating(n) => n,
        EventTime::Utc(t) => t.naive_utc(),
        EventTime::Zoned(n, zone) => {
            return local_instant(n, zone).with_timezone(&tz);
        }
    };
    Utc.from_utc_datetime(&naive).with_timezone(&tz)
}

/// Back from an rrule date to the series' own kind of time.
fn event_time(like: &EventTime, at: DateTime<rrule::Tz>) -> EventTime {
    match like {
        EventTime::Date(_) => EventTime::Date(at.naive_utc().date()),
        EventTime::Floating(_) => EventTime::Floating(at.naive_utc()),
        EventTime::Utc(_) => EventTime::Utc(at.with_timezone(&Utc)),
        EventTime::Zoned(_, tz) => EventTime::Zoned(at.with_timezone(tz).naive_local(), *tz),
    }
}

/// `RRULE:FREQ=...` or `freq=...` into the bare upper-case rule.
pub fn normalize_rule(rule: &str) -> String {
    let trimmed = rule.trim();
    let bare = trimmed
        .strip_prefix("RRULE:")
        .or_else(|| trimmed.strip_prefix("rrule:"))
        .unwrap_or(trimmed);
    bare.to_ascii_uppercase()
}

fn parse_rule(
    rule: &str,
    start: &EventTime,
) -> Result<rrule::RRule<rrule::Validated>, RecurrenceError> {
    let bare = normalize_rule(rule);
    let bad = |reason: String| RecurrenceError::BadRule {
        rule: rule.trim().to_string(),
        reason,
    };
    self::rule::parse(&bare)
        .map_err(|e| bad(e.to_string()))?
        .validate(rrule_start(start))
        .map_err(|e| bad(e.to_string()))
}

/// Checks a rule against the series start; returns it normalised (bare, upper case).
pub fn check_rule(rule: &str, start: &EventTime) -> Result<String, RecurrenceError> {
    parse_rule(rule, start).map(|_| normalize_rule(rule))
}

/// A rule plus `UNTIL` for the last day a series may occur on: a date for
/// all-day series, else the end of that day in the series' zone, in UTC.
pub fn rule_with_until(rule: &str, last_day: chrono::NaiveDate, start: &EventTime) -> String {
    let kept: Vec<String> = normalize_rule(rule)
        .split(';')
        .filter(|part| {
            !part.starts_with("UNTIL=") && !part.starts_with("COUNT=") && !part.is_empty()
        })
        .map(str::to_string)
        .collect();
    let until = match start {
        EventTime::Date(_) => last_day.format("%Y%m%d").to_string(),
        other => {
            let zone = match other {
                EventTime::Zoned(_, tz) => *tz,
                _ => Tz::UTC,
            };
            let end_of_day = last_day.and_hms_opt(23, 59, 59).expect("valid time");
            local_instant(end_of_day, zone)
                .format("%Y%m%dT%H%M%SZ")
                .to_string()
        }
    };
    format!("{};UNTIL={until}", kept.join(";"))
}

/// The occurrences of `event` that overlap `range`, earliest first. A plain
/// event is itself when it overlaps. Overrides replace the instance named by
/// their RECURRENCE-ID and count where they were moved to.
pub fn occurrences(event: &Event, range: &TimeRange) -> Result<Vec<Event>, RecurrenceError> {
    let mut out = Vec::new();
    let overlaps = |e: &Event| range.overlaps(e.start.instant(), e.effective_end().instant());
    let Some(rule) = event.recurrence_rule.as_deref() else {
        if overlaps(event) {
            let mut single = event.clone();
            single.overrides.clear();
            out.push(single);
        }
        out.extend(event.overrides.iter().filter(|o| overlaps(o)).cloned());
        return Ok(out);
    };
    let duration = event.start.until(&event.effective_end());
    let tz = rrule_zone(&event.start);
    let mut set =
        rrule::RRuleSet::new(rrule_start(&event.start)).rrule(parse_rule(rule, &event.start)?);
    for ex in &event.exdates {
        set = set.exdate(rrule_start(ex).with_timezone(&tz));
    }
    for rdate in &event.rdates {
        set = set.rdate(rrule_start(rdate).with_timezone(&tz));
    }
    // An occurrence that starts before the range may still run into it.
    let reach = if duration > chrono::Duration::zero() {
        duration
    } else {
        chrono::Duration::zero()
    };
    let after = (range.start - reach - chrono::Duration::days(1)).with_timezone(&tz);
    let before = range.end.with_timezone(&tz);
    let overridden: Vec<DateTime<Utc>> = event
        .overrides
        .iter()
        .filter_map(|o| o.recurrence_id.map(|r| r.instant()))
        .collect();
    for at in set.after(after).before(before).all(MAX_OCCURRENCES).dates {
        let start = event_time(&event.start, at);
        if overridden.contains(&start.instant()) {
            continue;
        }
        let mut occurrence = event.clone();
        occurrence.overrides.clear();
        occurrence.start = start;
        occurrence.end = event.end.map(|_| start.shifted(duration));
        occurrence.recurrence_id = Some(start);
        if overlaps(&occurrence) {
            out.push(occurrence);
        }
    }
    out.extend(event.overrides.iter().filter(|o| overlaps(o)).cloned());
    out.sort_by_key(|e| e.start.instant());
    Ok(out)
}

#[cfg(test)]
mod tests;
