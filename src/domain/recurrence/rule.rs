//! Reading an RRULE value (RFC 5545 3.3.10) into the rrule crate's builder.
//!
//! The crate's own string parser needs a regular-expression engine only to
//! read UNTIL and an optional property-name prefix; reading the few parts
//! here keeps that engine out of the binary. The rules accepted and refused
//! are the ones the crate's parser accepted and refused (the tests compare
//! both on many rules), including its leniencies: parts in any order and
//! case, an empty part list for BY* parts other than BYDAY, an `RRULE:`,
//! `EXRULE:` or `DTSTART:` style prefix, and UNTIL without `Z` read in the
//! server's local zone. Validation against the series start stays with the
//! crate (`RRule::validate`).

use chrono::{DateTime, LocalResult, Month, NaiveDate, TimeZone, Utc, Weekday};
use rrule::{Frequency, NWeekday, RRule, Unvalidated};

/// Why a rule value could not be read; the text is shown to the person who
/// wrote the rule, so each names the part and what would be accepted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error(
        "`{0}` is not a property name a rule may start with; give the rule parts alone, \
         e.g. FREQ=DAILY;COUNT=5"
    )]
    UnknownProperty(String),
    #[error("property parameters are not allowed on a rule, found `{0}`")]
    Parameters(String),
    #[error("`{0}` is not a NAME=VALUE rule part")]
    Malformed(String),
    #[error(
        "`{0}` is not a rule part; known parts are FREQ, UNTIL, COUNT, INTERVAL, BYSECOND, \
         BYMINUTE, BYHOUR, BYDAY, BYMONTHDAY, BYYEARDAY, BYWEEKNO, BYMONTH, BYSETPOS and WKST"
    )]
    UnknownPart(String),
    #[error("`{0}` is given more than once")]
    Duplicate(String),
    #[error("FREQ is missing, and every rule needs one (e.g. FREQ=WEEKLY)")]
    MissingFreq,
    #[error(
        "`{0}` is not a valid FREQ; expected YEARLY, MONTHLY, WEEKLY, DAILY, HOURLY, \
         MINUTELY or SECONDLY"
    )]
    BadFreq(String),
    #[error("`{value}` is not a valid {part} value; expected {expected}")]
    BadValue {
        part: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error(
        "`{0}` is not a valid UNTIL; expected a date YYYYMMDD or a date-time YYYYMMDDTHHMMSS \
         with a trailing Z for UTC, e.g. 20271231T235959Z"
    )]
    BadUntil(String),
    #[error(
        "UNTIL `{0}` has no trailing Z and does not exist in the server's local time zone \
         (a daylight-saving gap); give it in UTC with a trailing Z"
    )]
    UntilInGap(String),
    #[error(
        "UNTIL `{0}` has no trailing Z and is ambiguous in the server's local time zone \
         (a daylight-saving overlap); give it in UTC with a trailing Z"
    )]
    UntilAmbiguous(String),
}

/// The rule parts, in the order their values are checked (so the first
/// bad part reported is the one the crate's parser reported).
#[derive(Clone, Copy)]
enum Part {
    Freq,
    Interval,
    Count,
    Until,
    Wkst,
    BySetPos,
    ByMonth,
    ByMonthDay,
    ByYearDay,
    ByWeekNo,
    ByDay,
    ByHour,
    ByMinute,
    BySecond,
}

const PARTS: usize = 14;

impl Part {
    fn named(name: &str) -> Option<Self> {
        // Unicode upper-casing, as the crate did, so the same names match.
        Some(match name.to_uppercase().as_str() {
            "FREQ" => Self::Freq,
            "UNTIL" => Self::Until,
            "COUNT" => Self::Count,
            "INTERVAL" => Self::Interval,
            "BYSECOND" => Self::BySecond,
            "BYMINUTE" => Self::ByMinute,
            "BYHOUR" => Self::ByHour,
            "BYWEEKDAY" | "BYDAY" => Self::ByDay,
            "BYMONTHDAY" => Self::ByMonthDay,
            "BYYEARDAY" => Self::ByYearDay,
            "BYWEEKNO" => Self::ByWeekNo,
            "BYMONTH" => Self::ByMonth,
            "BYSETPOS" => Self::BySetPos,
            "WKST" => Self::Wkst,
            _ => return None,
        })
    }
}

/// Property names the crate accepted before a rule (and then ignored).
const PROPERTY_NAMES: [&str; 5] = ["RRULE", "EXRULE", "RDATE", "EXDATE", "DTSTART"];

/// The property name a line of `text` starts with: the first line that
/// begins with ASCII capitals followed by `:` or `;`.
fn property_name(text: &str) -> Result<Option<&str>, RuleError> {
    for line in text.split('\n') {
        let letters = line.bytes().take_while(u8::is_ascii_uppercase).count();
        if letters > 0 && matches!(line.as_bytes().get(letters), Some(b':' | b';')) {
            let name = &line[..letters];
            return if PROPERTY_NAMES.contains(&name) {
                Ok(Some(name))
            } else {
                Err(RuleError::UnknownProperty(name.to_string()))
            };
        }
    }
    Ok(None)
}

/// The rule parts of `text`, without a property name and its parameters.
fn rule_value(text: &str) -> Result<&str, RuleError> {
    let name = property_name(text)?;
    if name.is_none_or(|n| n == "RRULE") && !text.contains(':') {
        return Ok(text);
    }
    let name = name.unwrap_or("RRULE");
    if let Some(rest) = text
        .strip_prefix(name)
        .and_then(|rest| rest.strip_prefix(';'))
        && let Some((parameters, _)) = rest.split_once(':')
        && !parameters.is_empty()
    {
        return Err(RuleError::Parameters(parameters.to_string()));
    }
    Ok(text.split_once(':').map(|(_, value)| value).unwrap_or(""))
}

/// `NAME=VALUE;...` into one value per part; empty parts are skipped.
fn split_parts(value: &str) -> Result<[Option<&str>; PARTS], RuleError> {
    let mut parts = [None; PARTS];
    for raw in value.split(';').filter(|raw| !raw.is_empty()) {
        let (name, value) = raw
            .split_once('=')
            .ok_or_else(|| RuleError::Malformed(raw.to_string()))?;
        let part = Part::named(name).ok_or_else(|| RuleError::UnknownPart(name.to_string()))?;
        if parts[part as usize].replace(value).is_some() {
            return Err(RuleError::Duplicate(name.to_string()));
        }
    }
    Ok(parts)
}

fn frequency(value: &str) -> Result<Frequency, RuleError> {
    Ok(match value.to_uppercase().as_str() {
        "YEARLY" => Frequency::Yearly,
        "MONTHLY" => Frequency::Monthly,
        "WEEKLY" => Frequency::Weekly,
        "DAILY" => Frequency::Daily,
        "HOURLY" => Frequency::Hourly,
        "MINUTELY" => Frequency::Minutely,
        "SECONDLY" => Frequency::Secondly,
        other => return Err(RuleError::BadFreq(other.to_string())),
    })
}

fn weekday(value: &str) -> Option<Weekday> {
    Some(match value.to_uppercase().as_str() {
        "MO" => Weekday::Mon,
        "TU" => Weekday::Tue,
        "WE" => Weekday::Wed,
        "TH" => Weekday::Thu,
        "FR" => Weekday::Fri,
        "SA" => Weekday::Sat,
        "SU" => Weekday::Sun,
        _ => return None,
    })
}

/// One BYDAY entry: a weekday, optionally after a signed ordinal (`-1FR`).
/// A prefix that is no number counts as none, as it did in the crate.
fn nth_weekday(entry: &str) -> Option<NWeekday> {
    let split = entry.len().checked_sub(2)?;
    let day = weekday(entry.get(split..)?)?;
    match entry[..split].parse::<i16>().unwrap_or(0) {
        0 => Some(NWeekday::Every(day)),
        n => Some(NWeekday::Nth(n, day)),
    }
}

fn by_day(value: &str) -> Result<Vec<NWeekday>, RuleError> {
    value
        .split(',')
        .map(|entry| {
            nth_weekday(entry).ok_or_else(|| RuleError::BadValue {
                part: "BYDAY",
                value: entry.to_string(),
                expected: "MO, TU, WE, TH, FR, SA or SU, each with an optional +/-n \
                           prefix, comma-separated, e.g. MO,WE or -1FR",
            })
        })
        .collect()
}

/// A comma-separated list of numbers that `accept` allows, sorted and
/// without repeats; an empty value is an empty list.
fn list<T: std::str::FromStr + Ord + Copy>(
    value: Option<&str>,
    part: &'static str,
    expected: &'static str,
    accept: impl Fn(T) -> bool,
) -> Result<Vec<T>, RuleError> {
    let Some(value) = value.filter(|v| !v.is_empty()) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for item in value.split(',') {
        match item.parse::<T>() {
            Ok(n) if accept(n) => out.push(n),
            _ => {
                return Err(RuleError::BadValue {
                    part,
                    value: value.to_string(),
                    expected,
                });
            }
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn number<T: std::str::FromStr>(
    value: &str,
    part: &'static str,
    expected: &'static str,
) -> Result<T, RuleError> {
    value.parse().map_err(|_| RuleError::BadValue {
        part,
        value: value.to_string(),
        expected,
    })
}

/// `YYYYMMDD`, `YYYYMMDDTHHMMSS` or `YYYYMMDDTHHMMSSZ` as (date-time, zulu).
/// The first line of `value` in that form counts, as it did in the crate.
fn until_parts(value: &str) -> Option<(chrono::NaiveDateTime, bool)> {
    let digits = |b: &[u8]| b.iter().all(u8::is_ascii_digit);
    // Only ASCII passes these checks, so the slices below are on character
    // boundaries.
    let line = value.split('\n').find(|line| {
        let b = line.as_bytes();
        let time = |b: &[u8]| b[8] == b'T' && digits(&b[9..15]);
        b.len() >= 8
            && digits(&b[..8])
            && match b.len() {
                8 => true,
                15 => time(b),
                16 => time(b) && b[15] == b'Z',
                _ => false,
            }
    })?;
    let field = |range: std::ops::Range<usize>| line[range].parse::<u32>().ok();
    let year = line[..4].parse::<i32>().ok()?;
    let date = NaiveDate::from_ymd_opt(year, field(4..6)?, field(6..8)?)?;
    if line.len() == 8 {
        return Some((date.and_hms_opt(0, 0, 0)?, false));
    }
    let at = date.and_hms_opt(field(9..11)?, field(11..13)?, field(13..15)?)?;
    Some((at, line.len() == 16))
}

/// UNTIL as the crate read it: with `Z` in UTC, else (a date or a floating
/// date-time) in the server's local zone.
fn until(value: &str) -> Result<DateTime<rrule::Tz>, RuleError> {
    let (at, zulu) = until_parts(value).ok_or_else(|| RuleError::BadUntil(value.to_string()))?;
    if zulu {
        return Ok(Utc.from_utc_datetime(&at).with_timezone(&rrule::Tz::UTC));
    }
    match rrule::Tz::LOCAL.from_local_datetime(&at) {
        LocalResult::Single(local) => Ok(local),
        LocalResult::None => Err(RuleError::UntilInGap(value.to_string())),
        LocalResult::Ambiguous(..) => Err(RuleError::UntilAmbiguous(value.to_string())),
    }
}

/// A rule value (`FREQ=WEEKLY;BYDAY=TU`, any case, optionally after
/// `RRULE:`) as an unvalidated rule.
pub fn parse(text: &str) -> Result<RRule<Unvalidated>, RuleError> {
    let parts = split_parts(rule_value(text)?)?;
    let get = |part: Part| parts[part as usize];
    let freq = frequency(get(Part::Freq).ok_or(RuleError::MissingFreq)?)?;
    let mut rule = RRule::new(freq);
    if let Some(v) = get(Part::Interval) {
        rule = rule.interval(number(v, "INTERVAL", "a whole number from 0 to 65535")?);
    }
    if let Some(v) = get(Part::Count) {
        rule = rule.count(number(v, "COUNT", "a whole number from 0 to 4294967295")?);
    }
    if let Some(v) = get(Part::Until) {
        rule = rule.until(until(v)?);
    }
    if let Some(v) = get(Part::Wkst) {
        rule = rule.week_start(weekday(v).ok_or_else(|| RuleError::BadValue {
            part: "WKST",
            value: v.to_string(),
            expected: "MO, TU, WE, TH, FR, SA or SU",
        })?);
    }
    let set_pos = list(
        get(Part::BySetPos),
        "BYSETPOS",
        "a comma-separated list of whole numbers, e.g. -1 or 1,3",
        |_: i32| true,
    )?;
    let months = list(
        get(Part::ByMonth),
        "BYMONTH",
        "a comma-separated list of months 1 to 12, e.g. 6,9,10",
        |m: u8| (1..=12).contains(&m),
    )?;
    let month_days = list(
        get(Part::ByMonthDay),
        "BYMONTHDAY",
        "a comma-separated list of days -31 to 31, e.g. 1,15,-1",
        |d: i8| (-31..=31).contains(&d),
    )?;
    let year_days = list(
        get(Part::ByYearDay),
        "BYYEARDAY",
        "a comma-separated list of days -366 to 366, e.g. 1,100,-1",
        |d: i16| (-366..=366).contains(&d),
    )?;
    let week_nos = list(
        get(Part::ByWeekNo),
        "BYWEEKNO",
        "a comma-separated list of weeks -53 to 53, e.g. 1,20,-1",
        |w: i8| (-53..=53).contains(&w),
    )?;
    let days = get(Part::ByDay).map(by_day).transpose()?;
    let hours = list(
        get(Part::ByHour),
        "BYHOUR",
        "a comma-separated list of hours 0 to 23, e.g. 9,17",
        |h: u8| h < 24,
    )?;
    let minutes = list(
        get(Part::ByMinute),
        "BYMINUTE",
        "a comma-separated list of minutes 0 to 59, e.g. 0,30",
        |m: u8| m < 60,
    )?;
    let seconds = list(
        get(Part::BySecond),
        "BYSECOND",
        "a comma-separated list of seconds 0 to 59, e.g. 0,30",
        |s: u8| s < 60,
    )?;
    let months: Vec<Month> = months
        .into_iter()
        .filter_map(|m| Month::try_from(m).ok())
        .collect();
    Ok(rule
        .by_set_pos(set_pos)
        .by_month(&months)
        .by_month_day(month_days)
        .by_year_day(year_days)
        .by_week_no(week_nos)
        .by_weekday(days.unwrap_or_default())
        .by_hour(hours)
        .by_minute(minutes)
        .by_second(seconds))
}

#[cfg(test)]
mod tests;
