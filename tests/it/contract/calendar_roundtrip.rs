//! Round trips: an update names one field and everything else the stored
//! object had (RRULE, EXDATE, overrides, VALARM, attendees, X- properties,
//! VTIMEZONE; unknown vCard fields) is written back unchanged. Plus our own
//! recurrence expansion checked against Nextcloud's (capture 21).

use crate::support::dav::*;
use crate::support::fixtures::load;
use calcard::icalendar::{ICalendar, ICalendarComponentType};
use calcard::vcard::VCard;
use chrono::{TimeZone, Utc};
use nextcloud_mcp::domain::calendar::EventPatch;
use nextcloud_mcp::domain::caltime::TimeRange;
use nextcloud_mcp::domain::contacts::ContactPatch;
use nextcloud_mcp::domain::recurrence::occurrences;
use nextcloud_mcp::ports::nextcloud::{CalendarApi, ContactsApi};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

const WEEKLY: &str = "/remote.php/dav/calendars/admin/fixture-events/fixture-weekly-0001.ics";

fn body_of(name: &str, folder: &str, response: bool) -> String {
    let exchange = load(folder, name);
    let bytes = if response {
        exchange.response.body
    } else {
        exchange.request.body
    };
    String::from_utf8(bytes).unwrap()
}

/// Components as (type, entries without the bookkeeping stamps), in order.
fn meaningful(ical: &ICalendar) -> Vec<(ICalendarComponentType, Vec<String>)> {
    ical.components
        .iter()
        .map(|c| {
            let entries = c
                .entries
                .iter()
                .filter(|e| !matches!(e.name.as_str(), "DTSTAMP" | "LAST-MODIFIED" | "SEQUENCE"))
                .map(|e| {
                    let mut line = String::new();
                    e.write_to(&mut line).unwrap();
                    line
                })
                .collect();
            (c.component_type.clone(), entries)
        })
        .collect()
}

#[tokio::test]
async fn an_event_updated_in_one_field_keeps_all_the_others() {
    let server = fresh_server().await;
    caldav_discovery(&server).await;
    serve(
        &server,
        &load("caldav", "20-report-calendar-query-time-range"),
    )
    .await;
    Mock::given(method("PUT"))
        .and(path(WEEKLY))
        .respond_with(ResponseTemplate::new(204).insert_header("ETag", "\"new-etag\""))
        .mount(&server)
        .await;

    let patch = EventPatch {
        location: Some("Room 4".into()),
        ..EventPatch::default()
    };
    let updated = session(&server)
        .update_event("fixture-events", "fixture-weekly-0001", None, &patch)
        .await
        .unwrap();
    assert_eq!(updated.location.as_deref(), Some("Room 4"));
    assert_eq!(updated.etag.as_deref(), Some("\"new-etag\""));

    let put = sent(&server, "PUT").await.remove(0);
    assert_eq!(
        header(&put, "if-match").as_deref(),
        Some("\"9eeb06f53b812ec7cc3b365d67e0fa50\"")
    );
    let written = ICalendar::parse(std::str::from_utf8(&put.body).unwrap()).unwrap();
    let original = ICalendar::parse(body_of("19-get-event", "caldav", true)).unwrap();

    let before = meaningful(&original);
    let mut after = meaningful(&written);
    // The one change: LOCATION added to the master VEVENT.
    let master = after
        .iter_mut()
        .find(|(t, lines)| {
            *t == ICalendarComponentType::VEvent
                && !lines.iter().any(|l| l.starts_with("RECURRENCE-ID"))
        })
        .map(|(_, lines)| lines)
        .unwrap();
    let at = master
        .iter()
        .position(|l| l.starts_with("LOCATION"))
        .expect("LOCATION written");
    assert_eq!(master.remove(at), "LOCATION:Room 4\r\n");
    assert_eq!(before, after, "everything else is as it was");

    // And the stamps moved the way other clients expect.
    let text = String::from_utf8(put.body.clone()).unwrap();
    assert!(
        text.contains("SEQUENCE:1\r\n") && text.contains("LAST-MODIFIED:"),
        "{text}"
    );
    for kept in [
        "X-FIXTURE-CUSTOM:keep me",
        "RRULE:FREQ=WEEKLY;COUNT=8;BYDAY=TU",
        "EXDATE;TZID=Europe/Berlin:20261222T100000",
        "TRIGGER:-PT15M",
        "RECURRENCE-ID;TZID=Europe/Berlin:20261215T100000",
        "TZID:Europe/Berlin",
    ] {
        assert!(text.contains(kept), "{kept} lost:\n{text}");
    }
}

#[tokio::test]
async fn replacing_reminders_and_attendees_leaves_the_rest_alone() {
    let server = fresh_server().await;
    caldav_discovery(&server).await;
    serve(
        &server,
        &load("caldav", "20-report-calendar-query-time-range"),
    )
    .await;
    Mock::given(method("PUT"))
        .and(path(WEEKLY))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;

    let patch = EventPatch {
        reminders: Some(vec![nextcloud_mcp::domain::calendar::Reminder {
            minutes_before: 60,
            action: "DISPLAY".into(),
        }]),
        attendees: Some(
            nextcloud_mcp::domain::calendar::parse_attendees(
                "alice@example.test, Bob <bob@example.test>",
            )
            .unwrap(),
        ),
        ..EventPatch::default()
    };
    let updated = session(&server)
        .update_event("fixture-events", "fixture-weekly-0001", None, &patch)
        .await
        .unwrap();
    assert_eq!(updated.reminders.len(), 1);
    assert_eq!(updated.reminders[0].minutes_before, 60);
    assert_eq!(updated.attendees.len(), 2);
    assert_eq!(
        updated.attendees[0].name.as_deref(),
        Some("Alice Fixture"),
        "existing attendee keeps her name"
    );
    assert_eq!(updated.overrides.len(), 1, "the moved instance survives");
    let text = String::from_utf8(sent(&server, "PUT").await.remove(0).body).unwrap();
    assert_eq!(text.matches("BEGIN:VALARM").count(), 1);
    assert!(text.contains("X-FIXTURE-CUSTOM:keep me"));
}

#[tokio::test]
async fn a_vcard_3_contact_updated_keeps_its_unknown_fields() {
    let server = fresh_server().await;
    carddav_discovery(&server).await;
    let mut query = load("carddav", "13-report-multiget");
    query.request.path = "/remote.php/dav/addressbooks/users/admin/fixture-contacts/".into();
    serve(&server, &query).await;
    serve(&server, &load("carddav", "15-put-vcard3-update-if-match")).await;

    let patch = ContactPatch {
        note: Some(Some("updated".into())),
        ..ContactPatch::default()
    };
    let contact = session(&server)
        .update_contact("fixture-contacts", "fixture-card-0001", None, &patch)
        .await
        .unwrap();
    assert_eq!(contact.note.as_deref(), Some("updated"));
    assert_eq!(
        contact.etag.as_deref(),
        Some("\"f5979369f0cc67f228c817e7ed79b854\"")
    );

    let put = sent(&server, "PUT").await.remove(0);
    assert_eq!(
        header(&put, "if-match").as_deref(),
        Some("\"175c59955242470900cf88dfea8b9b5b\"")
    );
    let written = VCard::parse(std::str::from_utf8(&put.body).unwrap()).unwrap();
    // What the capture's client sent for the same change (capture 15), minus REV.
    let expected =
        VCard::parse(body_of("15-put-vcard3-update-if-match", "carddav", false)).unwrap();
    let lines = |card: &VCard| -> Vec<String> {
        card.entries
            .iter()
            .filter(|e| e.name.as_str() != "REV")
            .map(|e| {
                let mut s = String::new();
                e.write_to(&mut s, false).unwrap();
                s
            })
            .collect()
    };
    assert_eq!(lines(&written), lines(&expected));
    let text = String::from_utf8(put.body.clone()).unwrap();
    assert!(
        text.starts_with("BEGIN:VCARD\r\nVERSION:3.0\r\n"),
        "written as vCard 3.0"
    );
    assert!(text.contains("X-FIXTURE:keep me\r\n"));
}

#[tokio::test]
async fn our_expansion_matches_nextclouds_across_overrides_and_exdates() {
    let server = fresh_server().await;
    caldav_discovery(&server).await;
    serve(
        &server,
        &load("caldav", "20-report-calendar-query-time-range"),
    )
    .await;
    let range = TimeRange::new(
        Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2026, 12, 31, 0, 0, 0).unwrap(),
    )
    .unwrap();
    let events = session(&server)
        .events_in_range("fixture-events", &range, None)
        .await
        .unwrap();
    let weekly = events
        .iter()
        .find(|e| e.uid == "fixture-weekly-0001")
        .unwrap();
    let ours: Vec<String> = occurrences(weekly, &range)
        .unwrap()
        .iter()
        .map(|o| o.start.instant().format("%Y%m%dT%H%M%SZ").to_string())
        .collect();

    // Capture 21: the same range expanded by Nextcloud itself.
    let theirs_text = String::from_utf8(
        load("caldav", "21-report-calendar-query-expand")
            .response
            .body,
    )
    .unwrap();
    let theirs: Vec<String> = theirs_text
        .split("UID:fixture-weekly-0001")
        .skip(1)
        .filter_map(|chunk| chunk.split("DTSTART:").nth(1))
        .map(|rest| rest[..16].to_string())
        .collect();
    assert_eq!(ours, theirs);
    assert_eq!(
        ours,
        vec![
            "20261201T090000Z",
            "20261208T090000Z",
            "20261215T130000Z",
            "20261229T090000Z"
        ]
    );
}
