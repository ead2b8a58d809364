//! Writing iCalendar: new events and tasks, and the property lines that
//! in-place changes ([`super::patch`]) insert. Lines are written as
//! RFC 5545 text and parsed by calcard, which keeps the escaping rules in
//! one well-tested place.

use chrono::Utc;

use super::read::parse;
use crate::domain::calendar::{Attendee, EventDraft, Organizer, Reminder};
use crate::domain::caltime::EventTime;
use crate::domain::todos::TodoDraft;
use crate::ports::nextcloud::NextcloudError;

const PRODID: &str = "-//nextcloud-mcp//EN";

/// RFC 5545 TEXT escaping (RFC 6350 uses the same rules): `\`, `;`, `,`
/// escaped, every line break written as `\n`, and the other control
/// characters (which TEXT does not allow, and some readers take as line
/// ends) dropped, so no value can start a property line of its own.
pub fn escape_text(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace("\r\n", "\\n")
        .replace(['\n', '\r'], "\\n")
        .replace(|c: char| c.is_control() && c != '\t', "")
}

/// A value written without TEXT escaping (URI, RRULE, address, date): the
/// domain checks its shape; this is the last line of defence and drops
/// every control character, so the value stays on its own line, and every
/// backslash (none belongs in these values), which calcard reads as an
/// escape of what follows.
pub fn raw_value(value: &str) -> String {
    value.replace(|c: char| c == '\\' || c.is_control(), "")
}

/// A parameter value: no quotes, backslashes or control characters, quoted
/// when it holds the characters that would end it. calcard reads a
/// backslash before a quote as an escaped quote, so one ending a quoted
/// value would run it on into the next parameters.
pub fn param_value(value: &str) -> String {
    let clean = value.replace(|c: char| c == '"' || c == '\\' || c.is_control(), "");
    if clean.contains([':', ';', ',']) || clean.contains(' ') {
        format!("\"{clean}\"")
    } else {
        clean
    }
}

pub fn stamp() -> String {
    Utc::now().format("%Y%m%dT%H%M%SZ").to_string()
}

/// `DTSTART;TZID=Europe/Berlin:20261201T100000` and friends.
pub fn time_line(name: &str, time: &EventTime) -> String {
    match time {
        EventTime::Date(d) => format!("{name};VALUE=DATE:{}", d.format("%Y%m%d")),
        EventTime::Floating(n) => format!("{name}:{}", n.format("%Y%m%dT%H%M%S")),
        EventTime::Utc(t) => format!("{name}:{}", t.format("%Y%m%dT%H%M%SZ")),
        EventTime::Zoned(n, tz) => {
            format!("{name};TZID={}:{}", tz.name(), n.format("%Y%m%dT%H%M%S"))
        }
    }
}

/// The meeting's organizer: the address Nextcloud's scheduling compares
/// with the user's own before it sends invitations.
pub fn organizer_line(o: &Organizer) -> String {
    let mut line = "ORGANIZER".to_string();
    if let Some(name) = &o.name {
        line.push_str(&format!(";CN={}", param_value(name)));
    }
    line.push_str(&format!(":mailto:{}", raw_value(&o.email)));
    line
}

pub fn attendee_line(a: &Attendee) -> String {
    let mut line = "ATTENDEE".to_string();
    if let Some(name) = &a.name {
        line.push_str(&format!(";CN={}", param_value(name)));
    }
    line.push_str(&format!(
        ";PARTSTAT={};ROLE={};RSVP=TRUE:mailto:{}",
        param_value(a.status.as_deref().unwrap_or("NEEDS-ACTION")),
        param_value(a.role.as_deref().unwrap_or("REQ-PARTICIPANT")),
        raw_value(&a.email)
    ));
    line
}

pub fn alarm_text(r: &Reminder, summary: &str) -> String {
    let sign = if r.minutes_before >= 0 { "-" } else { "" };
    // unsigned_abs: i64::MIN has no positive i64 (the domain bounds it to a year).
    let mut text = format!(
        "BEGIN:VALARM\r\nACTION:{}\r\nTRIGGER;RELATED=START:{sign}PT{}M\r\nDESCRIPTION:{}\r\n",
        raw_value(&r.action),
        r.minutes_before.unsigned_abs(),
        escape_text(summary)
    );
    if r.action == "EMAIL" {
        text.push_str(&format!("SUMMARY:{}\r\n", escape_text(summary)));
    }
    text.push_str("END:VALARM\r\n");
    text
}

pub fn text_line(name: &str, value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .filter(|v| !v.is_empty())
        .map(|v| format!("{name}:{}", escape_text(v)))
}

pub fn categories_line(list: &[String]) -> Option<String> {
    (!list.is_empty()).then(|| {
        let items: Vec<String> = list.iter().map(|c| escape_text(c)).collect();
        format!("CATEGORIES:{}", items.join(","))
    })
}

/// Parses generated text, adds the VTIMEZONEs its TZIDs need, and writes it out.
fn finish(text: &str) -> Result<String, NextcloudError> {
    let mut ical = parse(text)?;
    ical.add_missing_timezones();
    Ok(ical.to_string())
}

fn wrap(kind: &str, uid: &str, lines: Vec<String>, alarms: String) -> String {
    let now = stamp();
    let mut body = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:{PRODID}\r\nCALSCALE:GREGORIAN\r\nBEGIN:{kind}\r\n\
         UID:{}\r\nDTSTAMP:{now}\r\nCREATED:{now}\r\nLAST-MODIFIED:{now}\r\n",
        escape_text(uid)
    );
    for line in lines {
        body.push_str(&line);
        body.push_str("\r\n");
    }
    body.push_str(&alarms);
    body.push_str(&format!("END:{kind}\r\nEND:VCALENDAR\r\n"));
    body
}

pub fn new_event(uid: &str, d: &EventDraft) -> Result<String, NextcloudError> {
    let end = d.end.unwrap_or_else(|| match d.start {
        EventTime::Date(_) => d.start.shifted(chrono::Duration::days(1)),
        _ => d.start.shifted(chrono::Duration::hours(1)),
    });
    let mut lines = vec![
        format!("SUMMARY:{}", escape_text(&d.title)),
        time_line("DTSTART", &d.start),
        time_line("DTEND", &end),
    ];
    lines.extend(text_line("LOCATION", &d.location));
    lines.extend(text_line("DESCRIPTION", &d.description));
    lines.extend(categories_line(&d.categories));
    lines.extend(text_line("STATUS", &d.status));
    lines.extend(
        d.priority
            .filter(|p| *p > 0)
            .map(|p| format!("PRIORITY:{p}")),
    );
    lines.extend(text_line("CLASS", &d.privacy));
    lines.extend(
        d.url
            .as_deref()
            .filter(|u| !u.is_empty())
            .map(|u| format!("URL:{}", raw_value(u))),
    );
    lines.extend(text_line("COLOR", &d.color));
    lines.extend(
        d.recurrence_rule
            .as_deref()
            .map(|r| format!("RRULE:{}", raw_value(r))),
    );
    lines.extend(d.organizer.as_ref().map(organizer_line));
    lines.extend(d.attendees.iter().map(attendee_line));
    let alarms: String = d
        .reminders
        .iter()
        .map(|r| alarm_text(r, &d.title))
        .collect();
    finish(&wrap("VEVENT", uid, lines, alarms))
}

pub fn new_todo(uid: &str, d: &TodoDraft) -> Result<String, NextcloudError> {
    let mut lines = vec![format!("SUMMARY:{}", escape_text(&d.summary))];
    lines.extend(text_line("DESCRIPTION", &d.description));
    lines.push(format!(
        "STATUS:{}",
        escape_text(d.status.as_deref().unwrap_or("NEEDS-ACTION"))
    ));
    lines.extend(
        d.priority
            .filter(|p| *p > 0)
            .map(|p| format!("PRIORITY:{p}")),
    );
    lines.extend(d.dtstart.as_ref().map(|t| time_line("DTSTART", t)));
    lines.extend(d.due.as_ref().map(|t| time_line("DUE", t)));
    lines.extend(categories_line(&d.categories));
    if d.status.as_deref() == Some("COMPLETED") {
        lines.push(format!("COMPLETED:{}", stamp()));
        lines.push("PERCENT-COMPLETE:100".into());
    }
    let alarms: String = d
        .reminders
        .iter()
        .map(|r| alarm_text(r, &d.summary))
        .collect();
    finish(&wrap("VTODO", uid, lines, alarms))
}
