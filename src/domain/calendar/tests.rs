use super::*;

fn cal(name: &str, display: &str, comps: &[&str]) -> Calendar {
    Calendar {
        name: name.into(),
        display_name: display.into(),
        description: None,
        color: None,
        components: comps.iter().map(|c| c.to_string()).collect(),
        sync_token: None,
    }
}

#[test]
fn calendars_resolve_by_name_or_display_name_and_errors_list_what_exists() {
    let all = vec![
        cal("personal", "Personal", &["VEVENT"]),
        cal("tasks", "My Tasks", &["VTODO"]),
    ];
    assert_eq!(
        resolve_calendar(&all, "personal", ComponentKind::Event)
            .unwrap()
            .name,
        "personal"
    );
    assert_eq!(
        resolve_calendar(&all, "my tasks", ComponentKind::Todo)
            .unwrap()
            .name,
        "tasks"
    );
    let err = resolve_calendar(&all, "Work", ComponentKind::Event)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("'Work'") && err.contains("personal (\"Personal\")") && err.contains("tasks"),
        "{err}"
    );
    let err = resolve_calendar(&all, "personal", ComponentKind::Todo)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("VTODO") && err.contains("tasks (\"My Tasks\")"),
        "{err}"
    );
}

#[test]
fn attendees_and_choices_are_checked() {
    let got = parse_attendees("alice@example.com, Bob Example <bob@example.com>").unwrap();
    assert_eq!(got[0].email, "alice@example.com");
    assert_eq!(got[1].name.as_deref(), Some("Bob Example"));
    assert!(parse_attendees("not an address").is_err());
    assert_eq!(
        check_choice("status", "confirmed", EVENT_STATUSES).unwrap(),
        "CONFIRMED"
    );
    assert!(
        check_choice("status", "maybe", EVENT_STATUSES)
            .unwrap_err()
            .to_string()
            .contains("TENTATIVE")
    );
    assert!(check_priority(10).is_err());
    assert!(check_collection_name("a/b").is_err());
    assert!(check_color("#0082C9").is_ok() && check_color("blue").is_err());
}
