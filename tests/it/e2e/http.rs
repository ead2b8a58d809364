//! End-to-end over Streamable HTTP: the server in-process on 127.0.0.1:0, a
//! wiremock Nextcloud replaying real captures, rmcp's own client calling.

use std::time::Duration;

use crate::support::captured::nextcloud_with_captures;
use crate::support::e2e::*;
use serde_json::json;
use wiremock::MockServer;

/// The foundation's tools: notes and files, in the reference server's names.
const FOUNDATION_TOOLS: [&str; 17] = [
    "nc_notes_list_notes",
    "nc_notes_search_notes",
    "nc_notes_get_note",
    "nc_notes_create_note",
    "nc_notes_update_note",
    "nc_notes_append_content",
    "nc_notes_delete_note",
    "nc_notes_list_categories",
    "nc_webdav_list_directory",
    "nc_webdav_get_file_info",
    "nc_webdav_read_file",
    "nc_webdav_write_file",
    "nc_webdav_create_directory",
    "nc_webdav_move_resource",
    "nc_webdav_copy_resource",
    "nc_webdav_delete_resource",
    "nc_webdav_find_by_name",
];

/// Name fragments of tools that only read; every other tool changes something.
const READ_VERBS: [&str; 8] = [
    "_get", "_list", "_search", "_find", "_query", "_read", "_refresh", "_status",
];

#[tokio::test]
async fn initialize_and_list_every_tool_with_a_usable_schema() {
    let nc = MockServer::start().await;
    let server = start_server(basic_config(&nc.uri(), Duration::from_secs(5))).await;
    let client = connect(&server).await;

    let info = client.peer_info().expect("server info after initialize");
    assert_eq!(
        info.server_info.as_ref().map(|i| i.name.as_str()),
        Some("nextcloud-mcp")
    );

    let tools = client.list_all_tools().await.expect("tools/list");
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    for expected in FOUNDATION_TOOLS {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
    assert!(
        !names.iter().any(|n| n.contains("provision")),
        "no provisioning tools in basic mode: {names:?}"
    );

    for tool in &tools {
        let schema = &tool.input_schema;
        assert_eq!(schema.get("type"), Some(&json!("object")), "{}", tool.name);
        let properties = schema.get("properties").and_then(|p| p.as_object());
        for required in schema
            .get("required")
            .and_then(|r| r.as_array())
            .into_iter()
            .flatten()
        {
            let name = required.as_str().unwrap();
            assert!(
                properties.is_some_and(|p| p.contains_key(name)),
                "{}: required '{name}' has no property",
                tool.name
            );
        }
        assert!(
            tool.description.as_ref().is_some_and(|d| d.len() > 20),
            "{} needs a description",
            tool.name
        );
        let annotations = tool
            .annotations
            .as_ref()
            .unwrap_or_else(|| panic!("{} has no annotations", tool.name));
        let read_only = annotations.read_only_hint.unwrap_or(false);
        let reads = READ_VERBS.iter().any(|verb| tool.name.contains(verb));
        assert_eq!(read_only, reads, "{}: readOnlyHint", tool.name);
        if tool.name.contains("delete") {
            assert_eq!(annotations.destructive_hint, Some(true), "{}", tool.name);
            assert_eq!(annotations.idempotent_hint, Some(true), "{}", tool.name);
        }
    }
    // The reference server's argument names carry over.
    let update = tools
        .iter()
        .find(|t| t.name == "nc_notes_update_note")
        .unwrap();
    let props = update
        .input_schema
        .get("properties")
        .unwrap()
        .as_object()
        .unwrap();
    for arg in ["note_id", "etag", "title", "content", "category"] {
        assert!(props.contains_key(arg), "nc_notes_update_note lacks {arg}");
    }
    client.cancel().await.unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn every_tool_succeeds_against_real_captures() {
    let nc = nextcloud_with_captures().await;
    let server = start_server(basic_config(&nc.uri(), Duration::from_secs(5))).await;
    let client = connect(&server).await;

    let listed = assert_ok(
        "list",
        &call(&client, "nc_notes_list_notes", json!({})).await,
    );
    let notes = listed["notes"].as_array().unwrap();
    assert!(!notes.is_empty());
    assert!(
        notes.iter().all(|n| n.get("content").is_none()),
        "listings carry no content"
    );

    let filtered = call(&client, "nc_notes_list_notes", json!({"limit": 1})).await;
    assert_eq!(
        assert_ok("list", &filtered)["notes"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let found = assert_ok(
        "search",
        &call(
            &client,
            "nc_notes_search_notes",
            json!({"query": "meeting"}),
        )
        .await,
    );
    let results = found["results"].as_array().unwrap();
    assert!(
        results.iter().any(|n| n["title"] == "Meeting notes"),
        "{found}"
    );

    let categories = assert_ok(
        "categories",
        &call(&client, "nc_notes_list_categories", json!({})).await,
    );
    assert!(
        categories["categories"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["category"] == "Work/Planning")
    );

    let note = assert_ok(
        "get",
        &call(&client, "nc_notes_get_note", json!({"note_id": 213})).await,
    );
    assert_eq!(note["title"], "Groceries");
    assert_eq!(note["etag"], "82a57beb9712f54b28db3585e000e1d2");

    let created = call(
        &client,
        "nc_notes_create_note",
        json!({"title": "Groceries", "content": "# Groceries\n", "category": "Home"}),
    )
    .await;
    assert!(assert_ok("create", &created)["id"].is_u64());

    let updated = call(
        &client,
        "nc_notes_update_note",
        json!({"note_id": 213, "etag": "82a57beb9712f54b28db3585e000e1d2", "content": "x"}),
    )
    .await;
    assert_eq!(
        assert_ok("update", &updated)["etag"],
        "05bf7da67b4937debdd24faf2f9c5eeb"
    );

    let appended = call(
        &client,
        "nc_notes_append_content",
        json!({"note_id": 213, "content": "- eggs"}),
    )
    .await;
    assert_ok("append", &appended);

    let deleted = call(&client, "nc_notes_delete_note", json!({"note_id": 218})).await;
    assert_eq!(assert_ok("delete", &deleted)["deleted"], 218);

    let listing = assert_ok(
        "ls",
        &call(
            &client,
            "nc_webdav_list_directory",
            json!({"path": "Fixtures"}),
        )
        .await,
    );
    let entries = listing["entries"].as_array().unwrap();
    assert!(
        entries
            .iter()
            .any(|e| e["name"] == "hello.txt" && e["kind"] == "file"),
        "{listing}"
    );
    assert!(
        entries.iter().all(|e| e["path"] != "/Fixtures"),
        "the folder itself is not its own child"
    );

    let info = assert_ok(
        "info",
        &call(
            &client,
            "nc_webdav_get_file_info",
            json!({"path": "/Fixtures/hello.txt"}),
        )
        .await,
    );
    assert_eq!(info["kind"], "file");
    assert!(info["etag"].as_str().unwrap().starts_with('"'));

    let read = assert_ok(
        "read",
        &call(
            &client,
            "nc_webdav_read_file",
            json!({"path": "Fixtures/hello.txt"}),
        )
        .await,
    );
    assert_eq!(read["content"], "Hello again, second version.\n");

    let written = call(
        &client,
        "nc_webdav_write_file",
        json!({"path": "Fixtures/hello.txt", "content": "Hello"}),
    )
    .await;
    assert_eq!(assert_ok("write", &written)["created"], true);

    assert_ok(
        "mkdir",
        &call(
            &client,
            "nc_webdav_create_directory",
            json!({"path": "Fixtures/Archive"}),
        )
        .await,
    );
    assert_ok("move", &call(&client, "nc_webdav_move_resource", json!({"source_path": "Fixtures/hello (copy).txt", "destination_path": "Fixtures/Archive/hello-moved.txt"})).await);
    assert_ok("copy", &call(&client, "nc_webdav_copy_resource", json!({"source_path": "Fixtures/hello.txt", "destination_path": "Fixtures/hello (copy).txt"})).await);
    assert_ok(
        "rm",
        &call(
            &client,
            "nc_webdav_delete_resource",
            json!({"path": "Fixtures/Archive/hello-moved.txt"}),
        )
        .await,
    );

    let found = assert_ok(
        "find",
        &call(
            &client,
            "nc_webdav_find_by_name",
            json!({"pattern": "hello"}),
        )
        .await,
    );
    assert_eq!(found["results"].as_array().unwrap().len(), 2);

    client.cancel().await.unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn error_paths_become_tool_errors_a_person_can_act_on() {
    let nc = nextcloud_with_captures().await;
    let server = start_server(basic_config(&nc.uri(), Duration::from_secs(5))).await;
    let client = connect(&server).await;

    let missing = call(&client, "nc_notes_get_note", json!({"note_id": 999999})).await;
    assert_tool_error("get", &missing, "note 999999 does not exist");

    let stale = call(
        &client,
        "nc_notes_update_note",
        json!({"note_id": 213, "etag": "stale-etag", "content": "x"}),
    )
    .await;
    assert_tool_error("update", &stale, "changed by someone else");
    assert_tool_error("update", &stale, "read it again");

    let no_file = call(
        &client,
        "nc_webdav_read_file",
        json!({"path": "Fixtures/none.txt"}),
    )
    .await;
    assert_tool_error("read", &no_file, "does not exist");

    let requests_before = nc.received_requests().await.unwrap().len();
    let escape = call(
        &client,
        "nc_webdav_read_file",
        json!({"path": "../admin2/secret.txt"}),
    )
    .await;
    assert_tool_error("read", &escape, "climbs above your files root");
    let empty_update = call(
        &client,
        "nc_notes_update_note",
        json!({"note_id": 213, "etag": "e"}),
    )
    .await;
    assert_tool_error("update", &empty_update, "nothing to update");
    let bad_limit = call(&client, "nc_notes_list_notes", json!({"limit": 100000})).await;
    assert_tool_error("list", &bad_limit, "too large");
    assert_eq!(
        nc.received_requests().await.unwrap().len(),
        requests_before,
        "invalid input must not reach Nextcloud"
    );

    client.cancel().await.unwrap();
    server.shutdown().await;
}
