//! Checks a tool's `structuredContent` against the `outputSchema` it lists,
//! as clients do (the Python SDK rejects a result that does not match). Only
//! the keywords the server emits are understood; any other keyword is itself
//! reported, so a schema this check cannot read never passes unread.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use rmcp::model::JsonObject;
use serde_json::Value;

use rmcp::{Peer, RoleClient};

/// Each tool's listed output schema, kept for the whole test run: every
/// server in the run lists the same one, and listing once per tool keeps
/// the check from adding tools/list (and its admin probe) to each call.
fn listed() -> &'static Mutex<HashMap<String, Option<JsonObject>>> {
    static LISTED: OnceLock<Mutex<HashMap<String, Option<JsonObject>>>> = OnceLock::new();
    LISTED.get_or_init(Mutex::default)
}

/// The output schema `client`'s server lists for `tool`; `None` when the
/// tool is not listed to this caller.
pub async fn listed_schema(client: &Peer<RoleClient>, tool: &str) -> Option<JsonObject> {
    if let Some(known) = listed().lock().unwrap().get(tool) {
        return known.clone();
    }
    let tools = client.list_all_tools().await.expect("tools/list");
    let mut listed = listed().lock().unwrap();
    for t in tools {
        listed.insert(t.name.to_string(), t.output_schema.map(|s| (*s).clone()));
    }
    listed.get(tool).cloned().flatten()
}

/// Every way `value` breaks `schema`, as "where: what"; empty when it fits.
pub fn mismatches(schema: &JsonObject, value: &Value) -> Vec<String> {
    let mut faults = Vec::new();
    check("$", schema, value, &mut faults);
    faults
}

fn check(at: &str, schema: &JsonObject, value: &Value, faults: &mut Vec<String>) {
    for (keyword, rule) in schema {
        match (keyword.as_str(), rule) {
            ("type", Value::String(expected)) => {
                if !has_type(value, expected) {
                    faults.push(format!("{at}: expected {expected}, got {value}"));
                }
            }
            ("required", Value::Array(names)) => {
                for name in names.iter().filter_map(Value::as_str) {
                    if value.is_object() && value.get(name).is_none() {
                        faults.push(format!("{at}: required {name} is missing"));
                    }
                }
            }
            ("properties", Value::Object(properties)) => {
                for (name, property) in properties {
                    if let (Some(inner), Value::Object(property)) = (value.get(name), property) {
                        check(&format!("{at}.{name}"), property, inner, faults);
                    }
                }
            }
            ("items", Value::Object(items)) => {
                if let Value::Array(values) = value {
                    for (i, item) in values.iter().enumerate() {
                        check(&format!("{at}[{i}]"), items, item, faults);
                    }
                }
            }
            ("description" | "title", _) => {}
            (other, _) => faults.push(format!("{at}: keyword {other} is not checked here")),
        }
    }
}

fn has_type(value: &Value, expected: &str) -> bool {
    match expected {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        "number" => value.is_number(),
        // As JSON Schema counts it: 2.0 is an integer, 2.5 is not.
        "integer" => value.as_f64().is_some_and(|n| n.fract() == 0.0),
        _ => false,
    }
}
