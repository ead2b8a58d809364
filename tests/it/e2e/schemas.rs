//! What a client reads from tools/list and what it gets back for arguments
//! the tool cannot take, through rmcp's client: every argument described,
//! schemas portable across model providers, unknown names refused, numbers
//! and booleans sent as text accepted.

use crate::support::e2e::*;
use serde_json::{Map, Value, json};
use wiremock::MockServer;

const STANDARD_FORMATS: &[&str] = &[
    "date-time",
    "date",
    "time",
    "duration",
    "email",
    "idn-email",
    "hostname",
    "idn-hostname",
    "ipv4",
    "ipv6",
    "uri",
    "uri-reference",
    "iri",
    "iri-reference",
    "uuid",
    "uri-template",
    "json-pointer",
    "relative-json-pointer",
    "regex",
];

/// Every place in `schema` a client would trip over, as "where: what".
fn portability_faults(at: &str, schema: &Value, faults: &mut Vec<String>) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get("type")
                && types.iter().any(|t| t == "null")
            {
                faults.push(format!("{at}: null type"));
            }
            if let Some(Value::String(f)) = map.get("format")
                && !STANDARD_FORMATS.contains(&f.as_str())
            {
                faults.push(format!("{at}: format {f}"));
            }
            for key in ["anyOf", "oneOf"] {
                if let Some(Value::Array(alts)) = map.get(key)
                    && alts
                        .iter()
                        .any(|a| a.get("type").is_some_and(|t| t == "null"))
                {
                    faults.push(format!("{at}: null alternative"));
                }
            }
            for (key, value) in map {
                portability_faults(&format!("{at}.{key}"), value, faults);
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|item| portability_faults(at, item, faults)),
        _ => {}
    }
}

fn undescribed(properties: &Map<String, Value>) -> impl Iterator<Item = &String> {
    properties.iter().filter_map(|(name, schema)| {
        let described = schema
            .get("description")
            .and_then(Value::as_str)
            .is_some_and(|d| d.len() > 5);
        (!described).then_some(name)
    })
}

#[tokio::test]
async fn every_tool_has_a_title_and_every_argument_a_description_in_a_portable_schema() {
    let nc = MockServer::start().await;
    let (server, client) = start_app_server(&nc).await;
    let tools = client.list_all_tools().await.expect("tools/list");
    assert!(tools.len() > 90, "{}", tools.len());

    let mut faults = Vec::new();
    for tool in &tools {
        if tool.title.as_ref().is_none_or(|t| t.len() < 5) {
            faults.push(format!("{}: no title", tool.name));
        }
        let schema = Value::Object((*tool.input_schema).clone());
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            for name in undescribed(properties) {
                faults.push(format!("{}.{name}: no description", tool.name));
            }
        }
        portability_faults(&tool.name, &schema, &mut faults);
    }
    assert!(
        faults.is_empty(),
        "{} faults:\n{}",
        faults.len(),
        faults.join("\n")
    );
    client.cancel().await.unwrap();
    server.shutdown().await;
}

/// Arguments that do nothing in these tools. Each is gone, or (where the
/// reference server's tool has it, so clients send it) says plainly that it
/// is accepted for compatibility and ignored.
const DO_NOTHING: &[(&str, &str)] = &[
    ("nc_calendar_get_event", "etag"),
    ("nc_contacts_get_contact", "etag"),
    ("nc_contacts_create_contact", "etag"),
    ("nc_calendar_delete_todo", "completed"),
    ("nc_contacts_delete_addressbook", "display_name"),
    ("nc_contacts_list_contacts", "include_photos"),
    ("nc_contacts_search_contacts", "include_photos"),
];

const SAYS_IGNORED: &str = "accepted for compatibility and ignored";

/// What is wrong with `description` of an argument of `tool`: an argument
/// that is ignored must say so as [`SAYS_IGNORED`], and no argument speaks
/// of what another tool does with it ("For delete: ..." on a get).
fn claim_faults(tool: &str, name: &str, description: &str) -> Vec<String> {
    let lower = description.to_lowercase();
    let mut faults = Vec::new();
    if lower.contains("ignore") && !lower.contains(SAYS_IGNORED) {
        faults.push(format!(
            "{tool}.{name}: ignored without saying it is accepted for compatibility"
        ));
    }
    for action in ["get", "create", "update", "delete", "complete"] {
        let about_other = [
            format!("for {action}:"),
            format!("{action} ignores"),
            format!("ignored on {action}"),
        ]
        .iter()
        .any(|p| lower.contains(p.as_str()));
        if about_other && !tool.contains(action) && !tool.contains("manage") {
            faults.push(format!("{tool}.{name}: describes what {action} does"));
        }
    }
    faults
}

#[tokio::test]
async fn no_argument_claims_an_effect_it_does_not_have() {
    let nc = MockServer::start().await;
    let (server, client) = start_app_server(&nc).await;
    let tools = client.list_all_tools().await.expect("tools/list");
    let mut faults = Vec::new();
    for tool in &tools {
        let schema = Value::Object((*tool.input_schema).clone());
        let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
            continue;
        };
        for (name, property) in properties {
            let description = property
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or_default();
            faults.extend(claim_faults(&tool.name, name, description));
            let does_nothing = DO_NOTHING.contains(&(tool.name.as_ref(), name.as_str()));
            if does_nothing && !description.to_lowercase().starts_with(SAYS_IGNORED) {
                faults.push(format!(
                    "{}.{name}: does nothing but says \"{description}\"",
                    tool.name
                ));
            }
        }
    }
    // The walk saw the tools it is about.
    for (tool, _) in DO_NOTHING {
        assert!(tools.iter().any(|t| t.name == *tool), "{tool} not listed");
    }
    assert!(faults.is_empty(), "{}", faults.join("\n"));
    // What the old descriptions said is caught.
    assert!(
        !claim_faults(
            "nc_calendar_get_event",
            "etag",
            "For delete: only delete if the event still has this etag. Get ignores it."
        )
        .is_empty()
    );
    assert!(
        !claim_faults(
            "nc_contacts_delete_addressbook",
            "display_name",
            "Shown name, for create; ignored on delete."
        )
        .is_empty()
    );
    assert!(
        !claim_faults(
            "nc_contacts_list_contacts",
            "include_photos",
            "Ignored: photos are never returned."
        )
        .is_empty()
    );
    client.cancel().await.unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn unknown_and_ill_typed_arguments_are_refused_with_a_sentence() {
    let nc = MockServer::start().await;
    catch_all(&nc).await;
    let (server, client) = start_app_server(&nc).await;

    let result = call(
        &client,
        "nc_webdav_find_by_name",
        json!({"pattern": "*.md", "path": "Documents"}),
    )
    .await;
    assert_tool_error("nc_webdav_find_by_name", &result, "no argument `path`");
    assert_tool_error("nc_webdav_find_by_name", &result, "scope");

    let result = call(&client, "nc_notes_list_notes", json!({"limit": "abc"})).await;
    assert_tool_error(
        "nc_notes_list_notes",
        &result,
        "`limit` must be a whole number, got \"abc\"",
    );
    let result = call(&client, "nc_notes_get_note", json!({})).await;
    assert_tool_error("nc_notes_get_note", &result, "needs the argument `note_id`");
    // None of them reached Nextcloud (only the start-up capability probe did).
    let requests = nc.received_requests().await.unwrap_or_default();
    assert!(
        requests
            .iter()
            .all(|r| !r.url.path().contains("/notes") && !r.url.path().contains("/webdav")),
        "{:?}",
        requests
            .iter()
            .map(|r| r.url.path().to_string())
            .collect::<Vec<_>>()
    );
    client.cancel().await.unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn numbers_and_booleans_sent_as_text_are_accepted() {
    let nc = MockServer::start().await;
    mount_json_reply(
        &nc,
        "GET",
        "^/index.php/apps/notes/api/v1/notes/7$",
        200,
        json!({"id": 7, "title": "Seven", "content": "x", "category": "", "favorite": false,
               "modified": 1_700_000_000, "etag": "e7"}),
    )
    .await;
    catch_all(&nc).await;
    let (server, client) = start_app_server(&nc).await;
    let result = call(&client, "nc_notes_get_note", json!({"note_id": "7"})).await;
    let structured = assert_ok("nc_notes_get_note", &result);
    assert!(structured.to_string().contains("Seven"), "{structured}");
    client.cancel().await.unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn every_listed_tool_declares_an_object_output_schema() {
    let nc = MockServer::start().await;
    let (server, client) = start_app_server(&nc).await;
    let tools = client.list_all_tools().await.expect("tools/list");
    for tool in &tools {
        let schema = tool
            .output_schema
            .as_ref()
            .unwrap_or_else(|| panic!("{}: no outputSchema", tool.name));
        assert_eq!(schema.get("type"), Some(&json!("object")), "{}", tool.name);
        let mut faults = Vec::new();
        portability_faults(&tool.name, &Value::Object((**schema).clone()), &mut faults);
        assert!(faults.is_empty(), "{faults:?}");
    }
    client.cancel().await.ok();
    server.shutdown().await;
}

#[tokio::test]
async fn a_result_that_does_not_match_its_output_schema_is_caught() {
    use crate::support::output_schema::{listed_schema, mismatches};
    let nc = MockServer::start().await;
    let (server, client) = start_app_server(&nc).await;
    let notes = listed_schema(client.peer(), "nc_notes_list_notes")
        .await
        .expect("listed");
    let fits = json!({"notes": [{"id": 1}], "total": 1, "has_more": false});
    assert_eq!(mismatches(&notes, &fits), Vec::<String>::new());

    let missing = json!({"notes": [], "has_more": false});
    assert_eq!(
        mismatches(&notes, &missing),
        ["$: required total is missing"]
    );
    let wrong_type = json!({"notes": "1", "total": 1, "has_more": false});
    assert_eq!(
        mismatches(&notes, &wrong_type),
        ["$.notes: expected array, got \"1\""]
    );
    let wrong_item = json!({"notes": [7], "total": 1, "has_more": false});
    assert_eq!(
        mismatches(&notes, &wrong_item),
        ["$.notes[0]: expected object, got 7"]
    );
    assert_eq!(
        mismatches(&notes, &json!([])),
        ["$: expected object, got []"]
    );
    client.cancel().await.ok();
    server.shutdown().await;
}
