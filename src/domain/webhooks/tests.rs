use serde_json::json;

use super::*;

#[test]
fn every_preset_event_is_in_the_catalogue_and_recognised() {
    for preset in Preset::ALL {
        assert_eq!(Preset::parse(preset.name()), Some(preset));
        for spec in preset.specs("alice") {
            assert!(event_type(&spec.event).is_some(), "{}", spec.event);
            assert_eq!(
                Preset::recognise(&spec.event, &spec.filter),
                Some(preset),
                "{preset:?} {}",
                spec.event
            );
        }
    }
    assert_eq!(Preset::parse("mail_sync"), None);
    // A path filter that is not the Notes folder belongs to no preset.
    let other = EventFilter::path_under("alice", "Projects");
    assert_eq!(Preset::recognise(NODE_CREATED, &other), None);
}

#[test]
fn notes_sync_filters_on_the_users_notes_folder_with_a_regex() {
    let specs = Preset::NotesSync.specs("ann.e@x");
    let events: Vec<&str> = specs.iter().map(|s| s.event.as_str()).collect();
    assert_eq!(events, [NODE_CREATED, NODE_WRITTEN, BEFORE_NODE_DELETED]);
    assert_eq!(
        specs[0].filter.to_value(),
        json!({"event.node.path": "/^\\/ann\\.e@x\\/files\\/Notes\\//"})
    );
    // The generated value is one Nextcloud itself reads as a valid regex.
    assert!(EventFilter::parse(specs[0].filter.to_value()).is_ok());
    assert!(Preset::FilesSync.specs("alice")[0].filter.is_empty());
}

#[test]
fn filters_follow_the_real_servers_rules() {
    // Fixture webhooks/01 (exact) and /02 (regex) are accepted as sent.
    let exact = json!({"event.node.path": "/admin/files/Fixtures-hooks/incoming.txt"});
    assert!(EventFilter::parse(exact).is_ok());
    let regex = json!({"event.node.path": "/^\\/admin\\/files\\/Fixtures-hooks\\//"});
    assert!(EventFilter::parse(regex).is_ok());
    assert!(EventFilter::parse(json!({"user.uid": "bob", "time": {"$lt": 5}})).is_ok());
    assert_eq!(
        EventFilter::parse(json!(null)).unwrap(),
        EventFilter::none()
    );

    let cases = [
        (json!({"event.node.path": {"$regex": "^/a"}}), "no $regex"),
        (json!({"time": {"$eq": 1}}), "$eq"),
        (
            json!({"event.node.path": "/admin/files/*.md"}),
            "globs match nothing",
        ),
        // Looks like /pattern/flags to PHP, with a '/' inside: matches nothing.
        (
            json!({"event.node.path": "/admin/files/Documents"}),
            "read by Nextcloud as the regular expression",
        ),
        (json!({"event.node.path": "/a/b/i"}), "unescaped '/'"),
        (json!({"event.node.path": "/^a/q"}), "not PCRE modifiers"),
        (json!(["x"]), "JSON object"),
    ];
    for (filter, needle) in cases {
        let err = EventFilter::parse(filter.clone()).unwrap_err().to_string();
        assert!(err.contains(needle), "{filter}: {err}");
    }
    // Nested under logical operators too.
    let nested = json!({"$or": [{"user.uid": "a"}, {"event.node.path": "/x/*"}]});
    assert!(matches!(
        EventFilter::parse(nested),
        Err(FilterError::Glob(_))
    ));
}

#[test]
fn remote_filters_accept_phps_empty_array() {
    assert!(EventFilter::from_remote(&json!([])).is_empty());
    let f = EventFilter::from_remote(&json!({"a": 1}));
    assert_eq!(f.to_value(), json!({"a": 1}));
}

#[test]
fn the_real_deliveries_parse_without_a_content_type() {
    let created = br#"{"event":{"node":{"id":240,"path":"\/admin\/files\/Fixtures-hooks\/incoming.txt"},"class":"OCP\\Files\\Events\\Node\\NodeCreatedEvent"},"user":{"uid":"admin","displayName":"admin"},"time":1795423116,"authentication":[]}"#;
    let Delivery::Known(event) = parse_delivery(created).unwrap() else {
        panic!("known event")
    };
    assert_eq!(event.class, NODE_CREATED);
    assert_eq!(event.short_class(), "NodeCreatedEvent");
    assert_eq!(event.user.as_deref(), Some("admin"));
    assert_eq!(event.time, Some(1_795_423_116));
    assert_eq!(
        event.subject,
        EventSubject::Node {
            node: NodeRef {
                id: Some(240),
                path: "/admin/files/Fixtures-hooks/incoming.txt".into()
            }
        }
    );
}

#[test]
fn other_shapes_parse_leniently() {
    let calendar = json!({"event": {"class": CALENDAR_OBJECT_UPDATED, "calendarId": 3,
        "calendarData": {}, "shares": [], "objectData": {"id": "17", "uri": "a.ics",
        "etag": "\"e1\"", "component": "vevent"}}, "user": null, "time": 1});
    let Delivery::Known(event) = parse_delivery(calendar.to_string().as_bytes()).unwrap() else {
        panic!()
    };
    assert_eq!(
        event.subject,
        EventSubject::CalendarObject {
            calendar_id: Some(3),
            object_id: Some(17),
            uri: Some("a.ics".into()),
            etag: Some("\"e1\"".into()),
            component: Some("vevent".into())
        }
    );
    assert_eq!(event.user, None);
    let row = json!({"event": {"class": ROW_ADDED, "tableId": 5, "rowId": 4, "values": []}});
    let Delivery::Known(event) = parse_delivery(row.to_string().as_bytes()).unwrap() else {
        panic!()
    };
    assert_eq!(
        event.subject,
        EventSubject::TableRow {
            table_id: Some(5),
            row_id: Some(4)
        }
    );
    let renamed = json!({"event": {"class": "OCP\\Files\\Events\\Node\\NodeRenamedEvent",
        "source": {"id": 1, "path": "/a/files/x"}, "target": {"id": 1, "path": "/a/files/y"}}});
    assert!(matches!(
        parse_delivery(renamed.to_string().as_bytes()),
        Ok(Delivery::Known(WebhookEvent {
            subject: EventSubject::NodePair { .. },
            ..
        }))
    ));
}

#[test]
fn unknown_and_malformed_deliveries_are_told_apart() {
    let unknown = json!({"event": {"class": "OCA\\Other\\ThingEvent"}});
    assert_eq!(
        parse_delivery(unknown.to_string().as_bytes()).unwrap(),
        Delivery::Unknown {
            class: "OCA\\Other\\ThingEvent".into()
        }
    );
    assert!(matches!(
        parse_delivery(b"{not json"),
        Err(DeliveryError::NotJson { .. })
    ));
    for body in [
        json!([]),
        json!({"event": 1}),
        json!({"event": {"node": {}}}),
    ] {
        assert!(matches!(
            parse_delivery(body.to_string().as_bytes()),
            Err(DeliveryError::NotADelivery(_))
        ));
    }
    let no_node = json!({"event": {"class": NODE_WRITTEN}});
    assert!(matches!(
        parse_delivery(no_node.to_string().as_bytes()),
        Err(DeliveryError::MissingField { field: "node", .. })
    ));
}

#[test]
fn auth_headers_never_show_in_debug_output() {
    let spec = &Preset::FilesSync.specs("a")[0];
    let draft = WebhookDraft::to_receiver(
        spec,
        "https://mcp/webhooks/nextcloud",
        "Bearer s3cret".into(),
    );
    let shown = format!("{draft:?}");
    assert!(
        !shown.contains("s3cret") && shown.contains("Authorization"),
        "{shown}"
    );
}
