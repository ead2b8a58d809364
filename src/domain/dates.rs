//! Calendar helpers without a date crate: dates, times of day, ISO 8601
//! timestamps with an offset, and HTTP dates (proleptic Gregorian, UTC
//! offsets only, no time zone database). Used by Deck due dates, share
//! expiry and Tables date columns.

use std::fmt;

/// A calendar date.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct CivilDate {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

fn digits<T: std::str::FromStr>(s: &str, len: usize) -> Option<T> {
    (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

impl CivilDate {
    pub fn new(year: i32, month: u32, day: u32) -> Option<Self> {
        (1..=12)
            .contains(&month)
            .then_some(())
            .filter(|_| (1..=days_in_month(year, month)).contains(&day))
            .map(|_| Self { year, month, day })
    }

    /// Exactly `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Option<Self> {
        let mut parts = s.split('-');
        let year = digits(parts.next()?, 4)?;
        let month = digits(parts.next()?, 2)?;
        let day = digits(parts.next()?, 2)?;
        if parts.next().is_some() {
            return None;
        }
        Self::new(year, month, day)
    }

    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    pub fn days_since_epoch(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    pub fn from_days_since_epoch(days: i64) -> Self {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Self { year, month, day }
    }

    /// The UTC date of a Unix time.
    pub fn from_unix(seconds: i64) -> Self {
        Self::from_days_since_epoch(seconds.div_euclid(86_400))
    }
}

impl fmt::Display for CivilDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A time of day.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct ClockTime {
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

impl ClockTime {
    /// `H:MM`, `HH:MM` or `HH:MM:SS` (fractions of a second are dropped).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.split('.').next()?;
        let mut parts = s.split(':');
        let h = parts.next()?;
        let hour: u32 = if h.len() == 1 {
            digits(h, 1)?
        } else {
            digits(h, 2)?
        };
        let minute: u32 = digits(parts.next()?, 2)?;
        let second: u32 = parts.next().map_or(Some(0), |s| digits(s, 2))?;
        if parts.next().is_some() || hour > 23 || minute > 59 || second > 59 {
            return None;
        }
        Some(Self {
            hour,
            minute,
            second,
        })
    }

    pub fn hh_mm(self) -> String {
        format!("{:02}:{:02}", self.hour, self.minute)
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

/// A moment with its UTC offset, as written in ISO 8601.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Timestamp {
    pub date: CivilDate,
    pub time: ClockTime,
    pub offset_minutes: i32,
}

impl Timestamp {
    /// `YYYY-MM-DD`, or with a time (`T` or space) and an optional offset
    /// (`Z`, `+HH:MM`, `-HHMM`; none means UTC). A date alone is `default_time`
    /// UTC that day.
    pub fn parse(s: &str, default_time: ClockTime) -> Option<Self> {
        let (date, rest) = split_date_time(s)?;
        let Some(rest) = rest else {
            return Some(Self {
                date,
                time: default_time,
                offset_minutes: 0,
            });
        };
        let (time, offset) = match rest.find(['Z', 'z', '+', '-']) {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        let offset_minutes = match offset {
            "" | "Z" | "z" => 0,
            o => {
                let sign = if o.starts_with('-') { -1 } else { 1 };
                let body = o[1..].replace(':', "");
                let hours: i32 = digits(body.get(..2)?, 2)?;
                let minutes: i32 = digits(body.get(2..)?, 2)?;
                if body.len() != 4 || hours > 14 || minutes > 59 {
                    return None;
                }
                sign * (hours * 60 + minutes)
            }
        };
        Some(Self {
            date,
            time: ClockTime::parse(time.trim())?,
            offset_minutes,
        })
    }

    pub fn unix_seconds(self) -> i64 {
        self.date.days_since_epoch() * 86_400
            + i64::from(self.time.hour * 3600 + self.time.minute * 60 + self.time.second)
            - i64::from(self.offset_minutes) * 60
    }

    /// `YYYY-MM-DDTHH:MM:SS+HH:MM`, the form Deck stores.
    pub fn to_rfc3339(self) -> String {
        let sign = if self.offset_minutes < 0 { '-' } else { '+' };
        let offset = self.offset_minutes.abs();
        format!(
            "{}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
            self.date,
            self.time.hour,
            self.time.minute,
            self.time.second,
            offset / 60,
            offset % 60
        )
    }
}

/// An RFC 9110 HTTP date (`Mon, 23 Nov 2026 08:38:30 GMT`) for a Unix time.
pub fn http_date(unix: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let date = CivilDate::from_days_since_epoch(days);
    format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
        DAYS[days.rem_euclid(7) as usize],
        date.day,
        MONTHS[date.month as usize - 1],
        date.year,
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
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
            parse_datetime_minutes("2026-03-01T10:30:59").as_deref(),
            Some("2026-03-01 10:30")
        );
    }
}
