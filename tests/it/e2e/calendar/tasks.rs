//! The task tools over the captured task list.

use super::{fails, nextcloud, ok};
use std::time::Duration;

use crate::support::e2e::*;
use serde_json::json;

#[tokio::test]
async fn task_tools_end_to_end() {
    let nc = nextcloud().await;
    let server = start_server(basic_config(&nc.uri(), Duration::from_secs(5))).await;
    let client = connect(&server).await;

    let open = ok(
        &client,
        "nc_calendar_list_todos",
        json!({"calendar_name": "Fixture tasks", "status": "open"}),
    )
    .await;
    assert_eq!(open["todos"][0]["summary"], "File taxes");
    assert_eq!(open["todos"][0]["due"], "2026-12-15T17:00:00Z");
    let found = ok(
        &client,
        "nc_calendar_search_todos",
        json!({"summary_contains": "taxes", "min_priority": 3}),
    )
    .await;
    assert_eq!(found["total"], 1);
    let due_soon = ok(
        &client,
        "nc_calendar_search_todos",
        json!({"due_before": "2026-12-01"}),
    )
    .await;
    assert_eq!(due_soon["total"], 0);

    let created = ok(&client, "nc_calendar_create_todo", json!({"calendar_name": "fixture-tasks", "summary": "Renew passport", "due": "2026-12-20", "priority": 2, "categories": "admin"})).await;
    assert_eq!(created["due"], "2026-12-20");
    let half = ok(&client, "nc_calendar_update_todo", json!({"calendar_name": "fixture-tasks", "todo_uid": "fixture-todo-0001", "percent_complete": 50, "status": "in-process"})).await;
    assert_eq!(half["percent_complete"], 50);
    assert_eq!(half["status"], "IN-PROCESS");
    let done = ok(&client, "nc_calendar_complete_todo", json!({"calendar_name": "fixture-tasks", "todo_uid": "fixture-todo-0001", "completed": "2026-12-01T12:00:00Z"})).await;
    assert_eq!(done["status"], "COMPLETED");
    assert_eq!(done["completed"], "2026-12-01T12:00:00Z");
    ok(
        &client,
        "nc_calendar_delete_todo",
        json!({"calendar_name": "fixture-tasks", "todo_uid": "fixture-todo-0001"}),
    )
    .await;

    fails(
        &client,
        "nc_calendar_create_todo",
        json!({"calendar_name": "personal", "summary": "x"}),
        "cannot hold VTODO items (it holds VEVENT); calendars that can: fixture-tasks",
    )
    .await;
    fails(
        &client,
        "nc_calendar_list_todos",
        json!({"calendar_name": "fixture-tasks", "status": "later"}),
        "is not one of NEEDS-ACTION",
    )
    .await;
    fails(&client, "nc_calendar_update_todo", json!({"calendar_name": "fixture-tasks", "todo_uid": "fixture-todo-0001", "percent_complete": 120}), "0 to 100").await;
    fails(
        &client,
        "nc_calendar_update_todo",
        json!({"calendar_name": "fixture-tasks", "todo_uid": "fixture-todo-0001"}),
        "nothing to change",
    )
    .await;
    fails(
        &client,
        "nc_calendar_complete_todo",
        json!({"calendar_name": "fixture-tasks", "todo_uid": "nope"}),
        "task 'nope' in calendar 'fixture-tasks' does not exist",
    )
    .await;
    fails(&client, "nc_calendar_update_todo", json!({"calendar_name": "fixture-tasks", "todo_uid": "fixture-todo-0001", "summary": "x", "etag": "\"stale-etag\""}), "changed by someone else").await;

    server.shutdown().await;
}
