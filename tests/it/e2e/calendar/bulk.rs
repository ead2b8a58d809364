//! Bulk operations on events: a preview by default, applied on request.

use super::{fails, nextcloud, ok};
use std::time::Duration;

use crate::support::e2e::*;
use serde_json::{Value, json};
use wiremock::MockServer;

/// How many writes (PUT, DELETE) Nextcloud received.
async fn none_changed(nc: &MockServer) -> usize {
    nc.received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| ["PUT", "DELETE"].contains(&r.method.as_str()))
        .count()
}

#[tokio::test]
async fn bulk_operations_preview_by_default_and_apply_on_request() {
    let nc = nextcloud().await;
    let server = start_server(basic_config(&nc.uri(), Duration::from_secs(5))).await;
    let client = connect(&server).await;
    let range = json!({"calendar_name": "fixture-events", "start_date": "2026-11-01", "end_date": "2026-12-31"});
    let with = |extra: Value| merged(&range, extra);

    let preview = ok(
        &client,
        "nc_calendar_bulk_operations",
        with(json!({"operation": "delete", "title_contains": "team SYNC"})),
    )
    .await;
    assert_eq!(preview["dry_run"], true);
    assert_eq!(
        preview["matched"], 1,
        "a series with an override counts once"
    );
    assert_eq!(preview["events"][0]["uid"], "fixture-weekly-0001");
    assert_eq!(none_changed(&nc).await, 0, "a dry run changes nothing");

    let by_location = ok(&client, "nc_calendar_bulk_operations", with(json!({"operation": "update", "location_contains": "main street", "new_location": "Room 2"}))).await;
    assert_eq!(by_location["events"][0]["uid"], "fixture-simple-0001");
    let by_category = ok(
        &client,
        "nc_calendar_bulk_operations",
        with(json!({"operation": "delete", "categories": "Meeting"})),
    )
    .await;
    assert_eq!(by_category["matched"], 1);

    let applied = ok(
        &client,
        "nc_calendar_bulk_operations",
        with(json!({"operation": "delete", "title_contains": "Dentist", "dry_run": false})),
    )
    .await;
    assert_eq!(applied["done"][0]["uid"], "fixture-simple-0001");
    assert_eq!(none_changed(&nc).await, 1);

    for (extra, needle) in [
        (
            json!({"operation": "update", "title_contains": "x"}),
            "update needs at least one of",
        ),
        (
            json!({"operation": "move", "title_contains": "x"}),
            "not supported",
        ),
        (
            json!({"operation": "delete", "title_contains": "x", "apply_to_series": false}),
            "single instances",
        ),
        (
            json!({"operation": "delete", "title_contains": "e", "max_events": 1}),
            "more than max_events 1",
        ),
        (
            json!({"operation": "delete", "title_contains": "e", "max_events": 500}),
            "max_events must be from 1 to 200",
        ),
        (
            json!({"operation": "update", "title_contains": "Dentist", "new_location": "A\r\nATTENDEE:mailto:x@evil.test", "dry_run": false}),
            "control character",
        ),
    ] {
        fails(&client, "nc_calendar_bulk_operations", with(extra), needle).await;
    }
    fails(
        &client,
        "nc_calendar_bulk_operations",
        json!({"operation": "delete"}),
        "give a filter",
    )
    .await;
    assert_eq!(
        none_changed(&nc).await,
        1,
        "refused operations change nothing"
    );
    server.shutdown().await;
}
