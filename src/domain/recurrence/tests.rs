use chrono::{NaiveDate, TimeZone, Utc};

use super::*;
use crate::domain::caltime::parse_zone;

fn berlin() -> Tz {
    parse_zone("Europe/Berlin").unwrap()
}

fn local(y: i32, m: u32, d: u32, h: u32) -> EventTime {
    EventTime::Zoned(
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, 0, 0)
            .unwrap(),
        berlin(),
    )
}

fn series(start: EventTime, end: EventTime, rule: &str) -> Event {
    Event {
        uid: "s".into(),
        calendar: "personal".into(),
        title: "Team sync".into(),
        start,
        end: Some(end),
        all_day: start.is_date(),
        timezone: start.zone(),
        location: None,
        description: None,
        categories: vec![],
        status: None,
        priority: None,
        privacy: None,
        url: None,
        transparent: false,
        recurrence_rule: Some(rule.into()),
        exdates: vec![],
        rdates: vec![],
        recurrence_id: None,
        reminders: vec![],
        attendees: vec![],
        organizer: None,
        overrides: vec![],
        etag: None,
    }
}

fn range(from: (u32, u32), to: (u32, u32)) -> TimeRange {
    TimeRange::new(
        Utc.with_ymd_and_hms(2026, from.0, from.1, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2026, to.0, to.1, 0, 0, 0).unwrap(),
    )
    .unwrap()
}

#[test]
fn weekly_series_keeps_local_time_across_the_dst_change() {
    // Europe/Berlin leaves summer time on 2026-10-25.
    let event = series(
        local(2026, 10, 13, 10),
        local(2026, 10, 13, 11),
        "FREQ=WEEKLY;COUNT=4",
    );
    let got = occurrences(&event, &range((10, 1), (12, 1))).unwrap();
    let isos: Vec<String> = got.iter().map(|o| o.start.iso()).collect();
    assert_eq!(
        isos,
        vec![
            "2026-10-13T10:00:00+02:00",
            "2026-10-20T10:00:00+02:00",
            "2026-10-27T10:00:00+01:00",
            "2026-11-03T10:00:00+01:00",
        ]
    );
    let utc_hours: Vec<u32> = got
        .iter()
        .map(|o| chrono::Timelike::hour(&o.start.instant()))
        .collect();
    assert_eq!(
        utc_hours,
        vec![8, 8, 9, 9],
        "the instant moves, the wall time does not"
    );
    assert_eq!(got[2].end.unwrap().iso(), "2026-10-27T11:00:00+01:00");
    assert_eq!(got[2].recurrence_id, Some(got[2].start));
}

#[test]
fn range_boundaries_are_half_open_and_catch_running_occurrences() {
    let event = series(local(2026, 12, 1, 10), local(2026, 12, 1, 11), "FREQ=DAILY");
    // [Dec 3 00:00Z, Dec 5 00:00Z) holds the 3rd and the 4th only.
    let got = occurrences(&event, &range((12, 3), (12, 5))).unwrap();
    let days: Vec<String> = got.iter().map(|o| o.start.iso()).collect();
    assert_eq!(
        days,
        vec!["2026-12-03T10:00:00+01:00", "2026-12-04T10:00:00+01:00"]
    );
    // An occurrence that started before the range but still runs is included.
    let overnight = series(
        local(2026, 12, 1, 22),
        local(2026, 12, 2, 4),
        "FREQ=DAILY;COUNT=3",
    );
    let got = occurrences(&overnight, &range((12, 2), (12, 3))).unwrap();
    let starts: Vec<String> = got.iter().map(|o| o.start.iso()).collect();
    assert_eq!(
        starts,
        vec!["2026-12-01T22:00:00+01:00", "2026-12-02T22:00:00+01:00"]
    );
}

#[test]
fn exdates_and_overrides_replace_instances() {
    let mut event = series(
        local(2026, 12, 1, 10),
        local(2026, 12, 1, 11),
        "FREQ=WEEKLY;BYDAY=TU;COUNT=8",
    );
    event.exdates = vec![local(2026, 12, 22, 10)];
    let mut moved = series(local(2026, 12, 15, 14), local(2026, 12, 15, 15), "x");
    moved.recurrence_rule = None;
    moved.title = "Team sync (moved)".into();
    moved.recurrence_id = Some(local(2026, 12, 15, 10));
    event.overrides = vec![moved];
    let got = occurrences(&event, &range((12, 1), (12, 31))).unwrap();
    let summary: Vec<(String, &str)> = got
        .iter()
        .map(|o| (o.start.iso(), o.title.as_str()))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("2026-12-01T10:00:00+01:00".to_string(), "Team sync"),
            ("2026-12-08T10:00:00+01:00".to_string(), "Team sync"),
            ("2026-12-15T14:00:00+01:00".to_string(), "Team sync (moved)"),
            ("2026-12-29T10:00:00+01:00".to_string(), "Team sync"),
        ]
    );
}

#[test]
fn all_day_series_and_plain_events() {
    let d = |day| EventTime::Date(NaiveDate::from_ymd_opt(2026, 12, day).unwrap());
    let event = series(d(24), d(25), "FREQ=DAILY;COUNT=3");
    let got = occurrences(&event, &range((12, 25), (12, 31))).unwrap();
    let isos: Vec<String> = got.iter().map(|o| o.start.iso()).collect();
    assert_eq!(isos, vec!["2026-12-25", "2026-12-26"]);
    let mut single = series(d(24), d(26), "x");
    single.recurrence_rule = None;
    assert_eq!(
        occurrences(&single, &range((12, 25), (12, 26)))
            .unwrap()
            .len(),
        1
    );
    assert!(
        occurrences(&single, &range((12, 26), (12, 27)))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn bad_rules_say_what_was_expected() {
    let err = check_rule("FREQ=SOMETIMES", &local(2026, 12, 1, 10)).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("FREQ=SOMETIMES") && text.contains("FREQ=WEEKLY;BYDAY=TU;COUNT=8"),
        "{text}"
    );
    assert_eq!(
        check_rule("rrule:freq=weekly;count=2", &local(2026, 12, 1, 10)).unwrap(),
        "FREQ=WEEKLY;COUNT=2"
    );
}

#[test]
fn until_is_the_end_of_the_last_day_in_the_series_zone() {
    let last = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
    assert_eq!(
        rule_with_until("FREQ=WEEKLY;COUNT=3", last, &local(2026, 12, 1, 10)),
        "FREQ=WEEKLY;UNTIL=20261231T225959Z"
    );
    let date = EventTime::Date(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
    assert_eq!(
        rule_with_until("FREQ=DAILY", last, &date),
        "FREQ=DAILY;UNTIL=20261231"
    );
}
