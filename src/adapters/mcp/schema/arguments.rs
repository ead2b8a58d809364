//! Checks a call's arguments against the tool's input schema before serde
//! sees them, so a person (or model) gets a sentence naming the argument and
//! what it takes, instead of "invalid type: string, expected u64". Numbers
//! and booleans sent as strings (some clients' command lines send every
//! value as text) are converted here, and unknown names are refused: a
//! misspelt argument silently ignored would run the tool on defaults.

use serde_json::{Map, Number, Value};

/// What a tool accepts, read once from its input schema.
pub struct Accepted {
    root: Map<String, Value>,
}

impl Accepted {
    pub fn of(schema: &Map<String, Value>) -> Self {
        Self {
            root: schema.clone(),
        }
    }

    fn properties(&self) -> Option<&Map<String, Value>> {
        self.root.get("properties").and_then(Value::as_object)
    }

    fn required(&self) -> Vec<&str> {
        self.root
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }

    /// The accepted names, for messages.
    fn names(&self) -> String {
        match self.properties() {
            Some(p) if !p.is_empty() => p.keys().cloned().collect::<Vec<_>>().join(", "),
            _ => "no arguments".into(),
        }
    }

    /// Follows a local `$ref` (and a lone `allOf` wrapper) to the schema it names.
    fn resolve<'a>(&'a self, mut schema: &'a Value) -> &'a Value {
        for _ in 0..8 {
            if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
                let name = reference.rsplit('/').next().unwrap_or_default();
                match self.root.get("$defs").and_then(|d| d.get(name)) {
                    Some(target) => schema = target,
                    None => break,
                }
            } else if let Some([only]) = schema
                .get("allOf")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
            {
                schema = only;
            } else {
                break;
            }
        }
        schema
    }

    /// Returns the arguments to hand to serde, or a message saying what to fix.
    pub fn check(
        &self,
        tool: &str,
        arguments: Option<Map<String, Value>>,
    ) -> Result<Map<String, Value>, String> {
        let mut arguments = arguments.unwrap_or_default();
        let required = self.required();
        // An explicit null for an optional argument means "not given".
        arguments.retain(|name, value| !value.is_null() || required.contains(&name.as_str()));
        let Some(properties) = self.properties() else {
            return Ok(arguments);
        };
        if let Some(unknown) = arguments
            .keys()
            .find(|name| !properties.contains_key(*name))
        {
            return Err(format!(
                "{tool} has no argument `{unknown}`; it accepts: {}.",
                self.names()
            ));
        }
        if let Some(missing) = required
            .iter()
            .find(|name| arguments.get(**name).is_none_or(Value::is_null))
        {
            return Err(format!(
                "{tool} needs the argument `{missing}`; it accepts: {}.",
                self.names()
            ));
        }
        for (name, value) in arguments.iter_mut() {
            let schema = self.resolve(&properties[name]);
            self.fit(name, schema, value)?;
        }
        Ok(arguments)
    }

    /// Converts `value` to the schema's type where the intent is plain, and
    /// says what is wrong where it is not.
    fn fit(&self, name: &str, schema: &Value, value: &mut Value) -> Result<(), String> {
        let Some(expected) = schema.get("type").and_then(Value::as_str) else {
            return Ok(());
        };
        match expected {
            "integer" => {
                if let Value::String(text) = value {
                    let text = text.trim();
                    let parsed = text
                        .parse::<i64>()
                        .map(Number::from)
                        .or_else(|_| text.parse::<u64>().map(Number::from));
                    *value =
                        Value::Number(parsed.map_err(|_| must(name, "a whole number", value))?);
                }
                let whole = value
                    .as_i64()
                    .map(|n| n as f64)
                    .or(value.as_u64().map(|n| n as f64));
                let Some(n) = whole else {
                    return Err(must(name, "a whole number", value));
                };
                if let Some(min) = schema.get("minimum").and_then(Value::as_f64)
                    && n < min
                {
                    return Err(format!("`{name}` must be {min} or more, got {value}."));
                }
            }
            "number" => {
                if let Value::String(text) = value {
                    let parsed = text.trim().parse::<f64>().ok().and_then(Number::from_f64);
                    *value = Value::Number(parsed.ok_or_else(|| must(name, "a number", value))?);
                }
                if !value.is_number() {
                    return Err(must(name, "a number", value));
                }
            }
            "boolean" => {
                if let Value::String(text) = value {
                    *value = match text.trim().to_ascii_lowercase().as_str() {
                        "true" => Value::Bool(true),
                        "false" => Value::Bool(false),
                        _ => return Err(must(name, "true or false", value)),
                    };
                }
                if !value.is_boolean() {
                    return Err(must(name, "true or false", value));
                }
            }
            "string" => {
                if !value.is_string() {
                    return Err(must(name, "text (a JSON string)", value));
                }
                if let Some(Value::Array(allowed)) = schema.get("enum")
                    && !allowed.contains(value)
                {
                    let allowed: Vec<String> = allowed.iter().map(Value::to_string).collect();
                    return Err(must(name, &format!("one of {}", allowed.join(", ")), value));
                }
            }
            "array" => {
                let Value::Array(items) = value else {
                    return Err(must(name, "a list", value));
                };
                if let Some(item_schema) = schema.get("items") {
                    let item_schema = self.resolve(item_schema);
                    for item in items.iter_mut() {
                        self.fit(&format!("each item of {name}"), item_schema, item)
                            .map_err(|m| m.replacen("`each item of ", "each item of `", 1))?;
                    }
                }
            }
            "object" if !value.is_object() => return Err(must(name, "an object", value)),
            _ => {}
        }
        Ok(())
    }
}

fn must(name: &str, what: &str, got: &Value) -> String {
    format!("`{name}` must be {what}, got {got}.")
}

/// Rewords what serde says about arguments the schema check let through.
pub fn reword_serde(tool: &str, message: &str) -> String {
    let detail = message
        .trim_start_matches("failed to deserialize parameters:")
        .trim();
    let detail = detail
        .replace("invalid type: ", "got ")
        .replace("invalid value: ", "got ")
        .replace(", expected ", " where it needs ")
        .replace("a string", "text")
        .replace("u64", "a whole number of 0 or more")
        .replace("u32", "a whole number of 0 or more")
        .replace("usize", "a whole number of 0 or more")
        .replace("i64", "a whole number")
        .replace("i32", "a whole number");
    format!("The arguments for {tool} do not fit: {detail}.")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn accepted() -> Accepted {
        let schema = json!({
            "type": "object",
            "properties": {
                "pattern": {"type": "string"},
                "scope": {"type": "string"},
                "limit": {"type": "integer", "minimum": 0},
                "ratio": {"type": "number"},
                "overwrite": {"type": "boolean"},
                "ids": {"type": "array", "items": {"type": "integer"}},
                "kind": {"$ref": "#/$defs/Kind"}
            },
            "required": ["pattern"],
            "$defs": {"Kind": {"type": "string", "enum": ["a", "b"]}}
        });
        Accepted::of(schema.as_object().unwrap())
    }

    fn check(arguments: Value) -> Result<Value, String> {
        accepted()
            .check("find", arguments.as_object().cloned())
            .map(Value::Object)
    }

    #[test]
    fn numbers_and_booleans_sent_as_text_are_converted() {
        let got = check(
            json!({"pattern": "x", "limit": " 2", "ratio": "0.5", "overwrite": "TRUE", "ids": ["3", 4]}),
        );
        assert_eq!(
            got.unwrap(),
            json!({"pattern": "x", "limit": 2, "ratio": 0.5, "overwrite": true, "ids": [3, 4]})
        );
    }

    #[test]
    fn unknown_names_are_refused_with_the_accepted_ones() {
        let err = check(json!({"pattern": "x", "path": "Documents"})).unwrap_err();
        assert!(err.contains("no argument `path`"), "{err}");
        assert!(err.contains("scope"), "{err}");
    }

    #[test]
    fn wrong_values_name_the_argument_and_what_it_takes() {
        let err = check(json!({"pattern": "x", "limit": "abc"})).unwrap_err();
        assert_eq!(err, "`limit` must be a whole number, got \"abc\".");
        let err = check(json!({"pattern": "x", "limit": -1})).unwrap_err();
        assert!(err.contains("0 or more"), "{err}");
        let err = check(json!({"pattern": "x", "overwrite": "yes"})).unwrap_err();
        assert_eq!(err, "`overwrite` must be true or false, got \"yes\".");
        let err = check(json!({"pattern": "x", "kind": "c"})).unwrap_err();
        assert!(err.contains("one of \"a\", \"b\""), "{err}");
        let err = check(json!({"pattern": "x", "ids": ["z"]})).unwrap_err();
        assert!(
            err.starts_with("each item of `ids` must be a whole number"),
            "{err}"
        );
        let err = check(json!({"limit": 1})).unwrap_err();
        assert!(err.contains("needs the argument `pattern`"), "{err}");
    }

    #[test]
    fn null_means_not_given_for_optional_arguments() {
        assert_eq!(
            check(json!({"pattern": "x", "scope": null})).unwrap(),
            json!({"pattern": "x"})
        );
        assert!(check(json!({"pattern": null})).is_err());
    }
}
