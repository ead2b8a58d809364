//! Dates, times of day, ISO 8601 timestamps with an offset, and HTTP dates,
//! in the exact forms the tools accept (UTC offsets only, no time zone
//! database). chrono does the calendar arithmetic, validation and
//! formatting; this module only pins down which spellings are accepted,
//! because chrono's parser is more lenient (it takes `2026-1-5`, `10:5` or a
//! leap second). Used by Deck due dates, share expiry and Tables date
//! columns.

use std::fmt;

use chrono::{DateTime, Datelike, Days, FixedOffset, NaiveDate, NaiveTime, Timelike, Utc};

/// True when `s` has the shape of `pattern`, where `9` stands for any ASCII
/// digit and every other character for itself.
fn shaped(s: &str, pattern: &str) -> bool {
    s.len() == pattern.len()
        && s.bytes().zip(pattern.bytes()).all(|(c, p)| {
            if p == b'9' {
                c.is_ascii_digit()
            } else {
                c == p
            }
        })
}

const EPOCH: NaiveDate = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();

/// A calendar date (proleptic Gregorian).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct CivilDate(NaiveDate);

impl CivilDate {
    pub fn new(year: i32, month: u32, day: u32) -> Option<Self> {
        NaiveDate::from_ymd_opt(year, month, day).map(Self)
    }

    /// Exactly `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Option<Self> {
        if !shaped(s, "9999-99-99") {
            return None;
        }
        NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().map(Self)
    }

    pub fn year(self) -> i32 {
        self.0.year()
    }

    pub fn month(self) -> u32 {
        self.0.month()
    }

    pub fn day(self) -> u32 {
        self.0.day()
    }

    /// Days since 1970-01-01.
    pub fn days_since_epoch(self) -> i64 {
        self.0.signed_duration_since(EPOCH).num_days()
    }

    /// The date `days` after 1970-01-01; dates beyond chrono's range (some
    /// 260,000 years) clamp to its ends.
    pub fn from_days_since_epoch(days: i64) -> Self {
        let moved = if days >= 0 {
            EPOCH.checked_add_days(Days::new(days.unsigned_abs()))
        } else {
            EPOCH.checked_sub_days(Days::new(days.unsigned_abs()))
        };
        Self(moved.unwrap_or(if days >= 0 {
            NaiveDate::MAX
        } else {
            NaiveDate::MIN
        }))
    }

    /// The UTC date of a Unix time.
    pub fn from_unix(seconds: i64) -> Self {
        Self::from_days_since_epoch(seconds.div_euclid(86_400))
    }
}

/// `YYYY-MM-DD`; unlike chrono's `%Y`, a year past 9999 gets no `+`.
impl fmt::Display for CivilDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.year(),
            self.month(),
            self.day()
        )
    }
}

/// A time of day, to the second.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct ClockTime(NaiveTime);

impl ClockTime {
    pub const MIDNIGHT: Self = Self(NaiveTime::MIN);
    pub const NOON: Self = Self(NaiveTime::from_hms_opt(12, 0, 0).unwrap());

    pub fn new(hour: u32, minute: u32, second: u32) -> Option<Self> {
        NaiveTime::from_hms_opt(hour, minute, second).map(Self)
    }

    /// `H:MM`, `HH:MM` or `HH:MM:SS` (fractions of a second are dropped).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.split('.').next()?;
        let format = if shaped(s, "9:99") || shaped(s, "99:99") {
            "%H:%M"
        } else if shaped(s, "9:99:99") || shaped(s, "99:99:99") {
            "%H:%M:%S"
        } else {
            return None;
        };
        let time = NaiveTime::parse_from_str(s, format).ok()?;
        // chrono reads `:60` as a leap second; a clock time has none.
        (time.nanosecond() == 0).then_some(Self(time))
    }

    pub fn hh_mm(self) -> String {
        self.0.format("%H:%M").to_string()
    }
}

fn split_date_time(s: &str) -> Option<(CivilDate, Option<&str>)> {
    let s = s.trim();
    match s.find(['T', 't', ' ']) {
        Some(i) => Some((CivilDate::parse(&s[..i])?, Some(s[i + 1..].trim()))),
        None => Some((CivilDate::parse(s)?, None)),
    }
}

/// `YYYY-MM-DD HH:MM` from a date and time written with a space or `T`.
pub fn parse_datetime_minutes(s: &str) -> Option<String> {
    let (date, time) = split_date_time(s)?;
    let time = ClockTime::parse(time?)?;
    Some(format!("{date} {}", time.hh_mm()))
}

/// A UTC offset written `+HH:MM` or `+HHMM` (or `-`), at most 14 hours.
fn parse_offset(s: &str) -> Option<FixedOffset> {
    let sign = match s.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let body = s[1..].replace(':', "");
    if !shaped(&body, "9999") {
        return None;
    }
    let hours: i32 = body[..2].parse().ok()?;
    let minutes: i32 = body[2..].parse().ok()?;
    if hours > 14 || minutes > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

/// A moment with its UTC offset, as written in ISO 8601.
#[derive(Copy, Clone, Debug)]
pub struct Timestamp(DateTime<FixedOffset>);

/// The same moment written with another offset is another timestamp (chrono
/// itself compares the moments only).
impl PartialEq for Timestamp {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0 && self.0.offset() == other.0.offset()
    }
}

impl Eq for Timestamp {}

impl Timestamp {
    /// `YYYY-MM-DD`, or with a time (`T` or space) and an optional offset
    /// (`Z`, `+HH:MM`, `-HHMM`; none means UTC). A date alone is `default_time`
    /// UTC that day.
    pub fn parse(s: &str, default_time: ClockTime) -> Option<Self> {
        let (date, rest) = split_date_time(s)?;
        let (time, offset) = match rest {
            None => (default_time, FixedOffset::east_opt(0)?),
            Some(rest) => {
                let (time, offset) = match rest.find(['Z', 'z', '+', '-']) {
                    Some(i) => (&rest[..i], &rest[i..]),
                    None => (rest, ""),
                };
                let offset = match offset {
                    "" | "Z" | "z" => FixedOffset::east_opt(0)?,
                    o => parse_offset(o)?,
                };
                (ClockTime::parse(time.trim())?, offset)
            }
        };
        date.0
            .and_time(time.0)
            .and_local_timezone(offset)
            .single()
            .map(Self)
    }

    pub fn unix_seconds(self) -> i64 {
        self.0.timestamp()
    }

    /// The same moment written in UTC.
    pub fn to_utc(self) -> Self {
        Self(
            self.0
                .with_timezone(&FixedOffset::east_opt(0).expect("zero offset")),
        )
    }

    /// `YYYY-MM-DDTHH:MM:SS+HH:MM`, the form Deck stores.
    pub fn to_rfc3339(self) -> String {
        let date = CivilDate(self.0.date_naive());
        format!("{date}T{}", self.0.format("%H:%M:%S%:z"))
    }
}

/// Unix seconds of an HTTP date as servers send it (WebDAV's
/// getlastmodified); `None` when it is not one.
pub fn parse_http_date(value: &str) -> Option<i64> {
    DateTime::parse_from_rfc2822(value.trim())
        .ok()
        .map(|d| d.timestamp())
}

/// An RFC 9110 HTTP date (`Mon, 23 Nov 2026 08:38:30 GMT`) for a Unix time;
/// times beyond chrono's range clamp to its ends.
pub fn http_date(unix: i64) -> String {
    let moment = DateTime::<Utc>::from_timestamp(unix, 0).unwrap_or(if unix < 0 {
        DateTime::<Utc>::MIN_UTC
    } else {
        DateTime::<Utc>::MAX_UTC
    });
    // chrono writes years past 9999 as `+10000`; HTTP dates have no sign.
    format!(
        "{} {:04} {} GMT",
        moment.format("%a, %d %b"),
        moment.year(),
        moment.format("%H:%M:%S")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_through_days() {
        for (y, m, d, days) in [
            (1970, 1, 1, 0),
            (2000, 3, 1, 11_017),
            (2026, 11, 23, 20_780),
        ] {
            let date = CivilDate::new(y, m, d).unwrap();
            assert_eq!(date.days_since_epoch(), days, "{date}");
            assert_eq!(CivilDate::from_days_since_epoch(days), date);
        }
        assert_eq!(
            CivilDate::new(2024, 2, 29)
                .map(|d| d.to_string())
                .as_deref(),
            Some("2024-02-29")
        );
        assert!(CivilDate::new(2100, 2, 29).is_none());
    }

    #[test]
    fn timestamps_and_http_dates() {
        let noon = ClockTime::parse("12:00").unwrap();
        let cases = [
            ("2026-12-04T17:00:00+00:00", "2026-12-04T17:00:00+00:00"),
            ("2026-12-04 17:00", "2026-12-04T17:00:00+00:00"),
            ("2026-12-04T17:00:00Z", "2026-12-04T17:00:00+00:00"),
            ("2026-12-04T17:00:00.123-0530", "2026-12-04T17:00:00-05:30"),
            ("2026-12-04", "2026-12-04T12:00:00+00:00"),
        ];
        for (raw, want) in cases {
            assert_eq!(
                Timestamp::parse(raw, noon).unwrap().to_rfc3339(),
                want,
                "{raw}"
            );
        }
        for bad in [
            "2026-13-01",
            "tomorrow",
            "2026-12-04T25:00",
            "2026-12-04T10:00+99:00",
        ] {
            assert!(Timestamp::parse(bad, noon).is_none(), "{bad}");
        }
        let t = Timestamp::parse("2026-11-23T08:38:30Z", noon).unwrap();
        assert_eq!(http_date(t.unix_seconds()), "Mon, 23 Nov 2026 08:38:30 GMT");
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(
            parse_http_date(" Mon, 23 Nov 2026 08:38:30 GMT"),
            Some(t.unix_seconds())
        );
        assert_eq!(parse_http_date("yesterday"), None);
        assert_eq!(
            parse_datetime_minutes("2026-03-01T10:30:59").as_deref(),
            Some("2026-03-01 10:30")
        );
    }

    /// chrono alone would accept these; the tools' forms do not.
    #[test]
    fn only_the_documented_spellings_are_accepted() {
        for bad in [
            "2026-1-05",
            "2026-01-5",
            "+2026-01-05",
            "26-01-05",
            "2026/01/05",
        ] {
            assert!(CivilDate::parse(bad).is_none(), "{bad}");
        }
        for bad in ["10:5", "10:05:6", "24:00", "23:59:60", "1:2", "123:00"] {
            assert!(ClockTime::parse(bad).is_none(), "{bad}");
        }
        assert_eq!(
            ClockTime::parse("9:05").map(ClockTime::hh_mm).as_deref(),
            Some("09:05")
        );
        assert_eq!(ClockTime::parse("23:59:59.999"), ClockTime::new(23, 59, 59));
        let noon = ClockTime::new(12, 0, 0).unwrap();
        for bad in [
            "2026-12-04T10:00+05",
            "2026-12-04T10:00+5:00",
            "2026-12-04T10:00+15:00",
        ] {
            assert!(Timestamp::parse(bad, noon).is_none(), "{bad}");
        }
        assert_eq!(
            Timestamp::parse("2026-12-04T10:00-14:00", noon).map(Timestamp::unix_seconds),
            Timestamp::parse("2026-12-05T00:00Z", noon).map(Timestamp::unix_seconds)
        );
        assert_eq!(ClockTime::default(), ClockTime::MIDNIGHT);
        assert_eq!(ClockTime::parse("12:00"), Some(ClockTime::NOON));
        assert_eq!(ClockTime::parse("7:30:05"), ClockTime::new(7, 30, 5));
        assert_ne!(
            Timestamp::parse("2026-12-04T11:00+01:00", noon),
            Timestamp::parse("2026-12-04T10:00Z", noon)
        );
    }
}
