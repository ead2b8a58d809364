//! End-to-end through rmcp's client over Streamable HTTP: the capability
//! probe and the gating that hides tools of apps a server does not have, and
//! the schema, description and annotations of every Deck, sharing, search,
//! Tables and Cookbook tool. The tools themselves are exercised in
//! e2e_deck.rs, e2e_shares_search.rs and e2e_tables_cookbook.rs.

use crate::support::e2e::*;
use crate::support::fixtures::load;
use serde_json::{Value, json};
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The captured capabilities, edited: `remove` keys dropped, `add` keys added.
fn capabilities(remove: &[&str], add: &[&str]) -> Value {
    let mut body = load("ocs-capabilities", "02-capabilities-v2-json")
        .response
        .body_json();
    let caps = body["ocs"]["data"]["capabilities"].as_object_mut().unwrap();
    remove.iter().for_each(|k| drop(caps.remove(*k)));
    add.iter()
        .for_each(|k| drop(caps.insert(k.to_string(), json!({"enabled": true}))));
    body
}

async fn listed_names(client: &Client) -> Vec<String> {
    let tools = client.list_all_tools().await.expect("tools/list");
    tools.into_iter().map(|t| t.name.to_string()).collect()
}

#[tokio::test]
async fn tools_of_missing_apps_are_hidden_and_refused_until_a_refresh_finds_them() {
    let nc = MockServer::start().await;
    let (server, client) = start_app_server(&nc).await;

    // Before any probe every app is assumed present.
    let names = listed_names(&client).await;
    assert!(names.iter().any(|n| n == "deck_get_boards"), "{names:?}");
    assert!(names.iter().any(|n| n == "nc_tables_list_tables"));

    // A server without Deck, Tables or Cookbook (their probes answer 404).
    mount_json_reply(
        &nc,
        "GET",
        "^/ocs/v2.php/cloud/capabilities$",
        200,
        capabilities(&["deck"], &[]),
    )
    .await;
    serve_capture(
        &nc,
        "GET",
        "^/ocs/v2.php/apps/tables/",
        "tables-absent",
        "01-tables-ocs-v2",
    )
    .await;
    serve_capture(
        &nc,
        "GET",
        "^/index.php/apps/cookbook/",
        "tables-absent",
        "04-cookbook-recipes",
    )
    .await;
    let refreshed = expect_tool_ok(
        &client,
        "nc_refresh_capabilities",
        json!({}),
        "not found deck, tables, cookbook",
    )
    .await;
    assert_eq!(refreshed["installed"], json!(["notes", "files_sharing"]));

    let names = listed_names(&client).await;
    assert!(!names.iter().any(|n| n.starts_with("deck_")), "{names:?}");
    assert!(
        !names
            .iter()
            .any(|n| n.starts_with("nc_tables_") || n.starts_with("nc_cookbook_"))
    );
    for kept in [
        "nc_share_list",
        "nc_search_query",
        "nc_notes_get_note",
        "nc_webdav_read_file",
        "nc_refresh_capabilities",
    ] {
        assert!(
            names.iter().any(|n| n == kept),
            "{kept} must stay: {names:?}"
        );
    }
    expect_tool_error(
        &client,
        "deck_get_boards",
        json!({}),
        "Deck is not installed on this Nextcloud",
    )
    .await;
    expect_tool_error(
        &client,
        "nc_tables_list_tables",
        json!({}),
        "Tables is not installed on this Nextcloud",
    )
    .await;
    expect_tool_error(
        &client,
        "nc_cookbook_list_recipes",
        json!({}),
        "Cookbook is not installed on this Nextcloud",
    )
    .await;

    // An administrator enables Deck and Tables: a refresh brings their tools back.
    Mock::given(method("GET"))
        .and(path_regex("^/ocs/v2.php/cloud/capabilities$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(capabilities(&[], &["tables"])))
        .with_priority(1)
        .mount(&nc)
        .await;
    expect_tool_ok(
        &client,
        "nc_refresh_capabilities",
        json!({}),
        "not found cookbook",
    )
    .await;
    let names = listed_names(&client).await;
    assert!(
        names.iter().any(|n| n == "deck_get_boards")
            && names.iter().any(|n| n == "nc_tables_insert_row")
    );
    assert!(!names.iter().any(|n| n.starts_with("nc_cookbook_")));
    client.cancel().await.unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn a_failed_probe_keeps_every_tool() {
    let nc = MockServer::start().await;
    mount_json_reply(
        &nc,
        "GET",
        "^/ocs/v2.php/cloud/capabilities$",
        503,
        json!({}),
    )
    .await;
    let (server, client) = start_app_server(&nc).await;
    expect_tool_error(&client, "nc_refresh_capabilities", json!({}), "unavailable").await;
    assert!(
        listed_names(&client)
            .await
            .iter()
            .any(|n| n == "deck_get_boards")
    );
    client.cancel().await.unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn every_app_tool_has_a_schema_description_and_annotations() {
    let nc = MockServer::start().await;
    let (server, client) = start_app_server(&nc).await;
    let tools = client.list_all_tools().await.unwrap();
    let ours: Vec<_> = tools
        .iter()
        .filter(|t| {
            [
                "deck_",
                "nc_share_",
                "nc_search_",
                "nc_tables_",
                "nc_cookbook_",
                "nc_refresh_",
            ]
            .iter()
            .any(|p| t.name.starts_with(p))
        })
        .collect();
    assert_eq!(
        ours.len(),
        44 + 7 + 2 + 6 + 13 + 1,
        "{:?}",
        ours.iter().map(|t| &t.name).collect::<Vec<_>>()
    );
    for tool in ours {
        assert_eq!(
            tool.input_schema.get("type"),
            Some(&json!("object")),
            "{}",
            tool.name
        );
        assert!(
            tool.description.as_ref().is_some_and(|d| d.len() > 20),
            "{}",
            tool.name
        );
        let a = tool
            .annotations
            .as_ref()
            .unwrap_or_else(|| panic!("{} has no annotations", tool.name));
        let read_only = [
            "_get", "_list", "_search", "_find", "_query", "_read", "_refresh",
        ]
        .iter()
        .any(|verb| tool.name.contains(verb));
        assert_eq!(
            a.read_only_hint.unwrap_or(false),
            read_only,
            "{}: readOnlyHint",
            tool.name
        );
        assert_eq!(a.open_world_hint, Some(true), "{}", tool.name);
        if tool.name.contains("delete") {
            assert_eq!(
                (a.destructive_hint, a.idempotent_hint),
                (Some(true), Some(true)),
                "{}",
                tool.name
            );
        }
    }
    // Reference names and argument names carry over.
    let create = tools.iter().find(|t| t.name == "deck_create_card").unwrap();
    let props = create.input_schema["properties"].as_object().unwrap();
    for arg in [
        "board_id",
        "stack_id",
        "title",
        "description",
        "duedate",
        "order",
    ] {
        assert!(props.contains_key(arg), "deck_create_card lacks {arg}");
    }
    client.cancel().await.unwrap();
    server.shutdown().await;
}
