use chrono::TimeZone;
use rrule::{RRule, Unvalidated};

use super::*;

/// Rules the crate's own parser accepted; ours must read each to the same rule.
const ACCEPTED: &[&str] = &[
    "FREQ=DAILY",
    "FREQ=WEEKLY;BYDAY=TU;COUNT=8",
    "FREQ=MONTHLY;BYMONTHDAY=1;UNTIL=20271231T235959Z",
    "FREQ=YEARLY;INTERVAL=2;BYMONTH=1,3;BYDAY=SU;BYHOUR=8,9;BYMINUTE=30",
    "FREQ=MONTHLY;BYDAY=-1FR",
    "FREQ=MONTHLY;BYDAY=+2MO,3WE,-2SU,MO",
    "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
    "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=3,1,-2,1",
    "FREQ=YEARLY;BYYEARDAY=1,100,-1,366,-366",
    "FREQ=YEARLY;BYWEEKNO=20,-53,53;BYDAY=MO",
    "FREQ=DAILY;BYSECOND=0,59;BYMINUTE=0,59;BYHOUR=0,23",
    "FREQ=WEEKLY;WKST=SU;BYDAY=TU,TH;INTERVAL=2",
    "FREQ=SECONDLY",
    "FREQ=MINUTELY;BYSECOND=0",
    "FREQ=HOURLY;BYMINUTE=15",
    "FREQ=YEARLY;BYMONTH=12,6,9,6",
    "FREQ=MONTHLY;BYMONTHDAY=-31,31,0,15",
    "FREQ=DAILY;UNTIL=20271231",
    "FREQ=DAILY;UNTIL=20271231T120000",
    "FREQ=DAILY;UNTIL=20240229T000000Z",
    "FREQ=DAILY;COUNT=3;UNTIL=20271231T235959Z",
    "freq=weekly;byday=mo,-1fr;wkst=su;until=20271231T235959Z",
    "COUNT=2;FREQ=DAILY",
    "FREQ=DAILY;;COUNT=2;",
    "FREQ=DAILY;BYMONTH=",
    "FREQ=DAILY;BYHOUR=;BYMINUTE=;BYSECOND=;BYSETPOS=;BYWEEKNO=;BYYEARDAY=;BYMONTHDAY=",
    "FREQ=DAILY;BYHOUR=9,9,8",
    "FREQ=DAILY;INTERVAL=+3",
    "FREQ=DAILY;INTERVAL=0",
    "FREQ=DAILY;COUNT=0",
    "FREQ=DAILY;COUNT=4294967295;INTERVAL=65535",
    "FREQ=WEEKLY;BYWEEKDAY=MO",
    "FREQ=MONTHLY;BYDAY=XXMO",
    "FREQ=MONTHLY;BYDAY=0MO",
    "FREQ=MONTHLY;BYDAY=99999MO",
    "FREQ=WEEKLY;BYDAY=MO TU",
    "FREQ=DAILY;BYSETPOS=0",
    "FREQ=DAILY;ıNTERVAL=2",
    "FREQ=dAıLY",
    "RRULE:FREQ=DAILY",
    "EXRULE:FREQ=DAILY;COUNT=2",
    "DTSTART:FREQ=DAILY",
    "RRULE;:FREQ=DAILY",
    "X\nRRULE:FREQ=DAILY",
    "FREQ=DAILY;UNTIL=20200101\nX",
    "FREQ=DAILY;UNTIL=X\n20200101T000000Z",
];

/// Rules the crate's own parser refused; ours must refuse each too.
const REFUSED: &[&str] = &[
    "",
    ";",
    "COUNT=3",
    "FREQ=SOMETIMES",
    "FREQ=",
    "FREQ=DAILY;FOO=1",
    "FREQ=DAILY;X-NAME=1",
    "FREQ=DAILY;X-NAME=",
    "FREQ=DAILY;COUNT",
    "FREQ=DAILY;COUNT=",
    "FREQ=DAILY;COUNT=-1",
    "FREQ=DAILY;COUNT=x",
    "FREQ=DAILY;COUNT=4294967296",
    "FREQ=DAILY;INTERVAL=70000",
    "FREQ=DAILY;INTERVAL=1.5",
    "FREQ=DAILY;COUNT=1;COUNT=2",
    "FREQ=DAILY;FREQ=WEEKLY",
    "FREQ=WEEKLY;BYDAY=MO;BYWEEKDAY=TU",
    "FREQ=DAILY;UNTIL=",
    "FREQ=DAILY;UNTIL=2027",
    "FREQ=DAILY;UNTIL=20271301",
    "FREQ=DAILY;UNTIL=20270230",
    "FREQ=DAILY;UNTIL=20271231T240000Z",
    "FREQ=DAILY;UNTIL=20271231T235960Z",
    "FREQ=DAILY;UNTIL=20271231T236000Z",
    "FREQ=DAILY;UNTIL=20271231Z",
    "FREQ=DAILY;UNTIL=20271231T2359Z",
    "FREQ=DAILY;UNTIL=2027-12-31",
    "FREQ=DAILY;UNTIL=20271231T235959ZZ",
    "FREQ=DAILY;UNTIL=20271231t235959z",
    "FREQ=DAILY;UNTIL=20271231T23595é",
    "FREQ=DAILY;UNTIL= 20271231",
    "FREQ=DAILY;BYHOUR=24",
    "FREQ=DAILY;BYHOUR=300",
    "FREQ=DAILY;BYHOUR=-1",
    "FREQ=DAILY;BYHOUR=1,,2",
    "FREQ=DAILY;BYHOUR=1,",
    "FREQ=DAILY;BYMINUTE=60",
    "FREQ=DAILY;BYSECOND=60",
    "FREQ=DAILY;BYMONTH=0",
    "FREQ=DAILY;BYMONTH=13",
    "FREQ=DAILY;BYMONTHDAY=32",
    "FREQ=DAILY;BYMONTHDAY=-32",
    "FREQ=DAILY;BYMONTHDAY=200",
    "FREQ=DAILY;BYYEARDAY=367",
    "FREQ=DAILY;BYYEARDAY=-367",
    "FREQ=DAILY;BYWEEKNO=54",
    "FREQ=DAILY;BYWEEKNO=-54",
    "FREQ=DAILY;BYSETPOS=x",
    "FREQ=WEEKLY;BYDAY=",
    "FREQ=WEEKLY;BYDAY=M",
    "FREQ=WEEKLY;BYDAY=MONDAY",
    "FREQ=WEEKLY;BYDAY=MO,",
    "FREQ=WEEKLY;WKST=1MO",
    "FREQ=WEEKLY;WKST=",
    "FREQ=WEEKLY;WKST=MONDAY",
    "FREQ=DAILY;BYEASTER=0",
    "FOO:FREQ=DAILY",
    "RRULE;X=Y:FREQ=DAILY",
    "RRULE;FREQ=DAILY",
    "EXRULE;FREQ=DAILY",
    "FREQ=DAILY:X",
    "FREQ;COUNT=3",
    "FREQ=DAILY\nRRULE:COUNT=3",
    "FREQ=DAILY;\nCOUNT=3",
    " FREQ=DAILY",
    "FREQ=DAILY ",
];

fn crate_parse(text: &str) -> Result<RRule<Unvalidated>, rrule::RRuleError> {
    text.parse()
}

#[test]
fn reads_every_accepted_rule_as_the_crate_parser_did() {
    let wrong: Vec<String> = ACCEPTED
        .iter()
        .filter_map(|text| match (crate_parse(text), parse(text)) {
            (Ok(theirs), Ok(ours)) if theirs == ours => None,
            (theirs, ours) => Some(format!("{text:?}: crate {theirs:?}, ours {ours:?}")),
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn refuses_every_rule_the_crate_parser_refused() {
    let wrong: Vec<String> = REFUSED
        .iter()
        .filter_map(|text| match (crate_parse(text), parse(text)) {
            (Err(_), Err(_)) => None,
            (theirs, ours) => Some(format!("{text:?}: crate {theirs:?}, ours {ours:?}")),
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn reads_each_part_into_the_rule() {
    let rule = parse(
        "FREQ=MONTHLY;INTERVAL=2;COUNT=5;WKST=SU;BYSETPOS=-1;BYMONTH=3,1;BYMONTHDAY=-1,2;\
         BYYEARDAY=-5;BYWEEKNO=7;BYDAY=+2MO,FR;BYHOUR=9;BYMINUTE=30;BYSECOND=15",
    )
    .unwrap();
    assert_eq!(rule.get_freq(), Frequency::Monthly);
    assert_eq!(rule.get_interval(), 2);
    assert_eq!(rule.get_count(), Some(5));
    assert_eq!(rule.get_week_start(), Weekday::Sun);
    assert_eq!(rule.get_by_set_pos(), &[-1]);
    assert_eq!(rule.get_by_month(), &[1, 3]);
    assert_eq!(rule.get_by_month_day(), &[-1, 2]);
    assert_eq!(rule.get_by_year_day(), &[-5]);
    assert_eq!(rule.get_by_week_no(), &[7]);
    assert_eq!(
        rule.get_by_weekday(),
        &[
            NWeekday::Nth(2, Weekday::Mon),
            NWeekday::Every(Weekday::Fri)
        ]
    );
    assert_eq!(rule.get_by_hour(), &[9]);
    assert_eq!(rule.get_by_minute(), &[30]);
    assert_eq!(rule.get_by_second(), &[15]);
}

#[test]
fn reads_until_with_z_in_utc() {
    let rule = parse("FREQ=DAILY;UNTIL=20271231T235959Z").unwrap();
    let want = Utc
        .with_ymd_and_hms(2027, 12, 31, 23, 59, 59)
        .unwrap()
        .with_timezone(&rrule::Tz::UTC);
    assert_eq!(rule.get_until(), Some(&want));
    assert!(!rule.get_until().unwrap().timezone().is_local());
}

#[test]
fn reads_until_without_z_in_local_time() {
    for (text, hour) in [("20271231", 0), ("20271231T120000", 12)] {
        let rule = parse(&format!("FREQ=DAILY;UNTIL={text}")).unwrap();
        let until = rule.get_until().unwrap();
        assert!(until.timezone().is_local(), "{text}");
        assert_eq!(
            until.naive_local(),
            NaiveDate::from_ymd_opt(2027, 12, 31)
                .unwrap()
                .and_hms_opt(hour, 0, 0)
                .unwrap(),
            "{text}"
        );
    }
}

#[test]
fn refuses_a_weekday_cut_inside_a_character_instead_of_panicking() {
    // The crate's parser panicked here (it sliced the last two bytes).
    assert!(matches!(
        parse("FREQ=WEEKLY;BYDAY=€"),
        Err(RuleError::BadValue { part: "BYDAY", .. })
    ));
}

#[test]
fn names_the_part_and_what_would_do() {
    let reason = |text: &str| parse(text).unwrap_err().to_string();
    assert!(reason("FREQ=SOMETIMES").contains("`SOMETIMES` is not a valid FREQ; expected YEARLY"));
    assert!(reason("COUNT=3").contains("FREQ is missing"));
    assert!(reason("FREQ=DAILY;FOO=1").contains("`FOO` is not a rule part"));
    assert!(reason("FREQ=DAILY;COUNT=1;COUNT=2").contains("`COUNT` is given more than once"));
    assert!(reason("FREQ=DAILY;COUNT").contains("`COUNT` is not a NAME=VALUE rule part"));
    assert!(reason("FREQ=DAILY;BYHOUR=7,24").contains("`7,24` is not a valid BYHOUR value"));
    assert!(reason("FREQ=DAILY;INTERVAL=x").contains("`x` is not a valid INTERVAL value"));
    assert!(reason("FREQ=WEEKLY;BYDAY=MO,XY").contains("`XY` is not a valid BYDAY value"));
    assert!(reason("FREQ=WEEKLY;WKST=XY").contains("`XY` is not a valid WKST value"));
    assert!(reason("FREQ=DAILY;UNTIL=2027-12-31").contains("`2027-12-31` is not a valid UNTIL"));
    assert!(reason("FOO:FREQ=DAILY").contains("`FOO` is not a property name"));
    assert!(reason("RRULE;X=Y:FREQ=DAILY").contains("found `X=Y`"));
}

#[test]
fn the_first_bad_part_in_the_crate_order_is_the_one_reported() {
    // FREQ, INTERVAL, COUNT, UNTIL, WKST, then the BY* parts.
    let err = parse("BYHOUR=99;COUNT=x;FREQ=DAILY").unwrap_err();
    assert!(
        matches!(err, RuleError::BadValue { part: "COUNT", .. }),
        "{err}"
    );
    let err = parse("BYHOUR=99;COUNT=x").unwrap_err();
    assert_eq!(err, RuleError::MissingFreq);
}

#[test]
fn check_rule_reports_the_rule_and_the_reason() {
    let start = crate::domain::caltime::EventTime::Utc(
        Utc.with_ymd_and_hms(2026, 12, 3, 10, 0, 0).unwrap(),
    );
    let err = super::super::check_rule("rrule:freq=daily;byday=XX", &start).unwrap_err();
    let super::super::RecurrenceError::BadRule { rule, reason } = err;
    assert_eq!(rule, "rrule:freq=daily;byday=XX");
    assert!(
        reason.contains("`XX` is not a valid BYDAY value"),
        "{reason}"
    );
    assert_eq!(
        super::super::check_rule("rrule:freq=weekly;byday=tu", &start),
        Ok("FREQ=WEEKLY;BYDAY=TU".to_string())
    );
}
