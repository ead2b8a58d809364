//! Times in calendars: an all-day date, a UTC instant, a local time in a named
//! IANA zone, or a floating local time. In and out as ISO 8601 with the zone
//! spelled out, so no tool ever guesses a time zone.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Serialize, Serializer};

/// A DTSTART/DTEND/DUE-like value as the calendar stores it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventTime {
    /// An all-day date (`VALUE=DATE`).
    Date(NaiveDate),
    /// A local time without zone ("floating"); read as UTC when an instant is needed.
    Floating(NaiveDateTime),
    Utc(DateTime<Utc>),
    /// A local time in an IANA zone (`TZID=`), the right form for recurring events:
    /// 10:00 stays 10:00 across a DST change.
    Zoned(NaiveDateTime, Tz),
}

/// Why a date, time or zone given to a tool cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TimeInputError {
    #[error(
        "{field} '{value}' is not an ISO 8601 date or date-time; expected e.g. \
         2026-12-01T10:00:00+01:00, 2026-12-01T09:00:00Z, 2026-12-01T10:00 together with \
         timezone, or 2026-12-24 for an all-day date"
    )]
    BadDate { field: String, value: String },
    #[error(
        "{field} '{value}' has no time zone; add an offset (2026-12-01T10:00:00+01:00 or ...Z) \
         or pass timezone with an IANA name such as Europe/Berlin"
    )]
    MissingZone { field: String, value: String },
    #[error(
        "timezone '{0}' is not an IANA time zone name; expected e.g. Europe/Berlin, \
         America/New_York or UTC"
    )]
    UnknownZone(String),
    #[error("{field} '{value}' does not exist in {zone} (it falls into a daylight-saving gap)")]
    NonexistentLocalTime {
        field: String,
        value: String,
        zone: String,
    },
    #[error(
        "{field} '{value}' is in year {year}; calendars take years {MIN_YEAR} to {MAX_YEAR} \
         (iCalendar writes a year as four digits)"
    )]
    YearOutOfRange {
        field: String,
        value: String,
        year: i32,
    },
}

/// The years iCalendar can write: four digits, so no sign and no fifth digit.
pub const MIN_YEAR: i32 = 1;
pub const MAX_YEAR: i32 = 9999;

/// Parses an IANA zone name (`Europe/Berlin`, `UTC`).
pub fn parse_zone(name: &str) -> Result<Tz, TimeInputError> {
    name.trim()
        .parse::<Tz>()
        .map_err(|_| TimeInputError::UnknownZone(name.trim().to_string()))
}

const NAIVE_FORMATS: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S%.f",
];

const ZONED_FORMATS: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S%:z",
    "%Y-%m-%dT%H:%M%:z",
    "%Y-%m-%dT%H:%M:%S%.f%:z",
];

/// Reads a tool argument. `zone` (the tool's `timezone` argument) turns an
/// instant or a naive local time into a zoned local time; without it a naive
/// local time is refused, because guessing the zone moves meetings.
pub fn parse_time(field: &str, value: &str, zone: Option<Tz>) -> Result<EventTime, TimeInputError> {
    let time = parse_any_year(field, value, zone)?;
    let year = time.date().year();
    if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
        return Err(TimeInputError::YearOutOfRange {
            field: field.to_string(),
            value: value.trim().to_string(),
            year,
        });
    }
    Ok(time)
}

fn parse_any_year(field: &str, value: &str, zone: Option<Tz>) -> Result<EventTime, TimeInputError> {
    let raw = value.trim();
    let bad = || TimeInputError::BadDate {
        field: field.to_string(),
        value: raw.to_string(),
    };
    if let Ok(date) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        return Ok(EventTime::Date(date));
    }
    let instant = if let Some(stripped) = raw.strip_suffix(['Z', 'z']) {
        NAIVE_FORMATS
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(stripped, f).ok())
            .map(|n| n.and_utc())
    } else {
        ZONED_FORMATS
            .iter()
            .find_map(|f| DateTime::parse_from_str(raw, f).ok())
            .map(|d| d.with_timezone(&Utc))
    };
    if let Some(instant) = instant {
        return Ok(match zone {
            Some(tz) => EventTime::Zoned(instant.with_timezone(&tz).naive_local(), tz),
            None => EventTime::Utc(instant),
        });
    }
    let naive = NAIVE_FORMATS
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(raw, f).ok())
        .ok_or_else(bad)?;
    let tz = zone.ok_or_else(|| TimeInputError::MissingZone {
        field: field.to_string(),
        value: raw.to_string(),
    })?;
    if tz.from_local_datetime(&naive).earliest().is_none() {
        return Err(TimeInputError::NonexistentLocalTime {
            field: field.to_string(),
            value: raw.to_string(),
            zone: tz.name().to_string(),
        });
    }
    Ok(EventTime::Zoned(naive, tz))
}

/// A local time in a zone as an instant; a time in a DST gap moves forward.
pub fn local_instant(local: NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    match tz.from_local_datetime(&local).earliest() {
        Some(t) => t.with_timezone(&Utc),
        None => tz
            .from_local_datetime(&(local + chrono::Duration::hours(1)))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| local.and_utc()),
    }
}

impl EventTime {
    pub fn is_date(&self) -> bool {
        matches!(self, EventTime::Date(_))
    }

    /// The instant this time stands for; dates and floating times are read in `fallback`.
    pub fn instant_in(&self, fallback: Tz) -> DateTime<Utc> {
        match *self {
            EventTime::Date(d) => local_instant(d.and_time(NaiveTime::MIN), fallback),
            EventTime::Floating(n) => local_instant(n, fallback),
            EventTime::Utc(t) => t,
            EventTime::Zoned(n, tz) => local_instant(n, tz),
        }
    }

    /// [`Self::instant_in`] with UTC for dates and floating times.
    pub fn instant(&self) -> DateTime<Utc> {
        self.instant_in(Tz::UTC)
    }

    /// The IANA zone, `UTC`, or none for dates and floating times.
    pub fn zone(&self) -> Option<String> {
        match self {
            EventTime::Zoned(_, tz) => Some(tz.name().to_string()),
            EventTime::Utc(_) => Some("UTC".into()),
            _ => None,
        }
    }

    /// ISO 8601: `2026-12-24`, `2026-12-01T09:00:00Z`, `2026-12-01T10:00:00+01:00`,
    /// or `2026-12-01T10:00:00` for a floating time.
    pub fn iso(&self) -> String {
        match *self {
            EventTime::Date(d) => d.format("%Y-%m-%d").to_string(),
            EventTime::Floating(n) => n.format("%Y-%m-%dT%H:%M:%S").to_string(),
            EventTime::Utc(t) => t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            EventTime::Zoned(n, tz) => {
                let offset = tz
                    .offset_from_utc_datetime(&local_instant(n, tz).naive_utc())
                    .fix();
                format!("{}{}", n.format("%Y-%m-%dT%H:%M:%S"), offset)
            }
        }
    }

    /// The same kind of time moved by `delta` in local (wall-clock) terms.
    pub fn shifted(&self, delta: chrono::Duration) -> EventTime {
        match *self {
            EventTime::Date(d) => EventTime::Date(d + chrono::Duration::days(delta.num_days())),
            EventTime::Floating(n) => EventTime::Floating(n + delta),
            EventTime::Utc(t) => EventTime::Utc(t + delta),
            EventTime::Zoned(n, tz) => EventTime::Zoned(n + delta, tz),
        }
    }

    /// Wall-clock distance from `self` to `later` (days for dates, local time
    /// for the same zone, else the instants' difference).
    pub fn until(&self, later: &EventTime) -> chrono::Duration {
        match (self, later) {
            (EventTime::Date(a), EventTime::Date(b)) => *b - *a,
            (EventTime::Floating(a), EventTime::Floating(b)) => *b - *a,
            (EventTime::Zoned(a, ta), EventTime::Zoned(b, tb)) if ta == tb => *b - *a,
            _ => later.instant() - self.instant(),
        }
    }

    /// The local date this time falls on (in its own zone; UTC for instants).
    pub fn date(&self) -> NaiveDate {
        match *self {
            EventTime::Date(d) => d,
            EventTime::Floating(n) | EventTime::Zoned(n, _) => n.date(),
            EventTime::Utc(t) => t.date_naive(),
        }
    }
}

impl Serialize for EventTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.iso())
    }
}

/// A half-open range of instants `[start, end)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeRange {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl TimeRange {
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Self, String> {
        if end <= start {
            return Err(format!(
                "the range ends ({}) before it starts ({}); give an end after the start",
                end.format("%Y-%m-%dT%H:%M:%SZ"),
                start.format("%Y-%m-%dT%H:%M:%SZ")
            ));
        }
        Ok(Self { start, end })
    }

    /// True when `[start, end)` overlaps this range; a zero-length item counts
    /// when it starts inside the range.
    pub fn overlaps(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
        if end <= start {
            return start >= self.start && start < self.end;
        }
        start < self.end && end > self.start
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn berlin() -> Tz {
        parse_zone("Europe/Berlin").unwrap()
    }

    #[test]
    fn parses_every_documented_form() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let ten = d.and_hms_opt(10, 0, 0).unwrap();
        let cases: Vec<(&str, Option<Tz>, EventTime)> = vec![
            (
                "2026-12-24",
                None,
                EventTime::Date(NaiveDate::from_ymd_opt(2026, 12, 24).unwrap()),
            ),
            ("2026-12-01T10:00:00Z", None, EventTime::Utc(ten.and_utc())),
            (
                "2026-12-01T10:00:00+01:00",
                None,
                EventTime::Utc((ten - chrono::Duration::hours(1)).and_utc()),
            ),
            (
                "2026-12-01T09:00:00Z",
                Some(berlin()),
                EventTime::Zoned(ten, berlin()),
            ),
            (
                "2026-12-01T10:00",
                Some(berlin()),
                EventTime::Zoned(ten, berlin()),
            ),
            (
                "2026-12-01T11:00:00+02:00",
                Some(berlin()),
                EventTime::Zoned(ten, berlin()),
            ),
        ];
        for (input, zone, expected) in cases {
            assert_eq!(
                parse_time("start", input, zone).unwrap(),
                expected,
                "{input}"
            );
        }
    }

    #[test]
    fn refuses_what_it_would_have_to_guess() {
        assert!(matches!(
            parse_time("start_datetime", "2026-12-01T10:00", None),
            Err(TimeInputError::MissingZone { .. })
        ));
        let err = parse_time("start_datetime", "next tuesday", None).unwrap_err();
        assert!(err.to_string().contains("2026-12-01T10:00:00+01:00"));
        assert!(matches!(
            parse_time("s", "2026-03-29T02:30", Some(berlin())),
            Err(TimeInputError::NonexistentLocalTime { .. })
        ));
        for far in [
            "-0001-01-01",
            "-2026-12-01T10:00:00Z",
            "+10000-01-01T00:00:00Z",
        ] {
            match parse_time("start_datetime", far, None) {
                Err(TimeInputError::YearOutOfRange { year, .. }) => {
                    assert!(!(MIN_YEAR..=MAX_YEAR).contains(&year), "{far}")
                }
                Err(TimeInputError::BadDate { .. }) => {}
                other => panic!("{far} was accepted: {other:?}"),
            }
        }
        let err = parse_time("start_datetime", "-0001-01-01", None).unwrap_err();
        assert!(err.to_string().contains("years 1 to 9999"), "{err}");
        assert!(parse_time("s", "9999-12-31", None).is_ok());
        assert!(
            parse_zone("Mars/Base")
                .unwrap_err()
                .to_string()
                .contains("IANA")
        );
    }

    #[test]
    fn prints_iso_with_the_offset_in_force() {
        let winter = EventTime::Zoned(
            NaiveDate::from_ymd_opt(2026, 12, 1)
                .unwrap()
                .and_hms_opt(10, 0, 0)
                .unwrap(),
            berlin(),
        );
        assert_eq!(winter.iso(), "2026-12-01T10:00:00+01:00");
        let summer = EventTime::Zoned(
            NaiveDate::from_ymd_opt(2026, 7, 1)
                .unwrap()
                .and_hms_opt(10, 0, 0)
                .unwrap(),
            berlin(),
        );
        assert_eq!(summer.iso(), "2026-07-01T10:00:00+02:00");
        assert_eq!(summer.zone().as_deref(), Some("Europe/Berlin"));
    }
}
