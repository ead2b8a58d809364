//! Input schemas every client and model provider can read: optional values
//! are expressed by leaving them out of `required`, never as a `null` type
//! (several providers reject `"type": [..., "null"]`), and `format` carries
//! only values the JSON Schema standard defines (schemars adds `uint`,
//! `int64` and the like, which validators flag as unknown).

use serde_json::{Map, Value};

/// The `format` values JSON Schema 2020-12 defines.
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

/// Rewrites a schema in place, at every depth.
pub fn normalize(schema: &mut Map<String, Value>) {
    drop_null_type(schema);
    drop_null_alternative(schema, "anyOf");
    drop_null_alternative(schema, "oneOf");
    if schema.get("default").is_some_and(Value::is_null) {
        schema.remove("default");
    }
    if let Some(Value::String(format)) = schema.get("format")
        && !STANDARD_FORMATS.contains(&format.as_str())
    {
        schema.remove("format");
    }
    if let Some(Value::Array(values)) = schema.get_mut("enum") {
        values.retain(|v| !v.is_null());
    }
    for value in schema.values_mut() {
        normalize_value(value);
    }
}

fn normalize_value(value: &mut Value) {
    match value {
        Value::Object(map) => normalize(map),
        Value::Array(items) => items.iter_mut().for_each(normalize_value),
        _ => {}
    }
}

/// `"type": ["integer", "null"]` becomes `"type": "integer"`.
fn drop_null_type(schema: &mut Map<String, Value>) {
    if let Some(Value::Array(types)) = schema.get_mut("type") {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            let only = types.remove(0);
            schema.insert("type".into(), only);
        }
    }
}

/// `anyOf: [X, {"type": "null"}]` becomes X itself, merged into the parent
/// so its description stays.
fn drop_null_alternative(schema: &mut Map<String, Value>, keyword: &str) {
    let Some(Value::Array(alternatives)) = schema.get_mut(keyword) else {
        return;
    };
    let is_null = |v: &Value| v.get("type").is_some_and(|t| t == "null");
    if !alternatives.iter().any(is_null) {
        return;
    }
    alternatives.retain(|v| !is_null(v));
    if alternatives.len() != 1 {
        return;
    }
    let Some(Value::Object(only)) = schema
        .remove(keyword)
        .and_then(|mut v| v.as_array_mut().and_then(|a| a.pop()))
    else {
        return;
    };
    for (key, value) in only {
        schema.entry(key).or_insert(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn normalized(value: Value) -> Value {
        let Value::Object(mut map) = value else {
            panic!("object")
        };
        normalize(&mut map);
        Value::Object(map)
    }

    #[test]
    fn optional_values_lose_their_null_type_and_odd_formats() {
        let schema = json!({
            "type": "object",
            "properties": {
                "limit": {"type": ["integer", "null"], "format": "uint", "minimum": 0, "default": null},
                "when": {"type": ["string", "null"], "format": "date-time"},
                "kind": {"description": "Which kind.", "anyOf": [{"$ref": "#/$defs/Kind"}, {"type": "null"}]},
                "both": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
            },
            "$defs": {"Kind": {"type": "string", "enum": ["a", "b", null]}}
        });
        assert_eq!(
            normalized(schema),
            json!({
                "type": "object",
                "properties": {
                    "limit": {"type": "integer", "minimum": 0},
                    "when": {"type": "string", "format": "date-time"},
                    "kind": {"description": "Which kind.", "$ref": "#/$defs/Kind"},
                    "both": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                },
                "$defs": {"Kind": {"type": "string", "enum": ["a", "b"]}}
            })
        );
    }
}
