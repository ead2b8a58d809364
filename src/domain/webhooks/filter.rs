//! Event filters (`eventFilter`): a Mongo-like query Nextcloud evaluates with
//! its PHPMongoQuery against `{"event":…, "user":…, "time":…}`.
//!
//! The real server's rules, which filters are checked against here:
//! - a string value is compared exactly, unless it matches `^/(.*?)/([a-z]*)$`
//!   (case-insensitive): then it is a PCRE `/pattern/flags`. So an "exact"
//!   path such as `/admin/files/Documents` is taken as a broken regex and
//!   matches nothing;
//! - there is no `$regex` operator, and `$eq` is unknown (its spelling is `$e`);
//! - globs (`*`) are compared literally and match nothing.

use serde::Serialize;
use serde_json::{Map, Value};

/// Operators PHPMongoQuery knows; any other throws when an event fires.
const OPERATORS: &[&str] = &[
    "$and", "$or", "$nor", "$not", "$e", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin",
    "$all", "$exists", "$mod",
];

/// PCRE modifiers PHP accepts after the closing delimiter.
const REGEX_FLAGS: &str = "imsxuADSUXJn";

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error(
        "the event filter must be a JSON object such as {{\"event.node.path\": \"/^\\\\/alice\\\\/files\\\\//\"}}"
    )]
    NotAnObject,
    #[error(
        "Nextcloud has no $regex operator; write the value itself as /pattern/flags, e.g. {{\"event.node.path\": \"/^\\\\/alice\\\\/files\\\\/Notes\\\\//\"}}"
    )]
    RegexOperator,
    #[error("Nextcloud does not know the operator {0}; it knows {ops}", ops = OPERATORS.join(", "))]
    UnknownOperator(String),
    #[error(
        "{0:?} contains '*', but Nextcloud compares strings exactly and globs match nothing; use a /regex/ instead"
    )]
    Glob(String),
    #[error(
        "{value:?} is read by Nextcloud as the regular expression /{pattern}/{flags}, which is not valid: {reason}. \
         To match a path exactly, anchor and escape it, e.g. \"/^\\\\/alice\\\\/files\\\\/Documents$/\""
    )]
    BadRegex {
        value: String,
        pattern: String,
        flags: String,
        reason: &'static str,
    },
}

/// A checked event filter; empty means "every event of the class".
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct EventFilter(Map<String, Value>);

impl EventFilter {
    pub fn none() -> Self {
        Self::default()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn as_map(&self) -> &Map<String, Value> {
        &self.0
    }

    pub fn to_value(&self) -> Value {
        Value::Object(self.0.clone())
    }

    /// A filter a person or the store handed us, checked against the real
    /// server's rules. `null` means none.
    pub fn parse(value: Value) -> Result<Self, FilterError> {
        let map = match value {
            Value::Null => Map::new(),
            Value::Object(map) => map,
            _ => return Err(FilterError::NotAnObject),
        };
        check_query(&map)?;
        Ok(Self(map))
    }

    /// What Nextcloud sends back, taken as it is: an object, or `[]` (PHP's
    /// empty array) when there is none.
    pub fn from_remote(value: &Value) -> Self {
        match value {
            Value::Object(map) => Self(map.clone()),
            _ => Self::none(),
        }
    }

    /// Nodes at or below `/<user>/files/<folder>/`, as a `/regex/` on
    /// `event.node.path` (user and folder escaped).
    pub fn path_under(user_id: &str, folder: &str) -> Self {
        let pattern = format!(
            "/^\\/{}\\/files\\/{}\\//",
            regex_escape(user_id),
            regex_escape(folder.trim_matches('/'))
        );
        let mut map = Map::new();
        map.insert("event.node.path".into(), Value::String(pattern));
        Self(map)
    }

    /// Whether this is [`EventFilter::path_under`] some user's Notes folder.
    pub(crate) fn is_notes_folder_filter(&self) -> bool {
        let suffix = format!("\\/files\\/{}\\//", regex_escape(super::NOTES_FOLDER));
        self.0.len() == 1
            && self
                .0
                .get("event.node.path")
                .and_then(Value::as_str)
                .is_some_and(|p| p.starts_with("/^\\/") && p.ends_with(&suffix))
    }
}

/// Escapes regex metacharacters and the `/` delimiter for a PCRE `/…/`.
pub fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        if "\\^$.|?*+()[]{}/-#".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn check_query(map: &Map<String, Value>) -> Result<(), FilterError> {
    for (key, value) in map {
        if key == "$regex" {
            return Err(FilterError::RegexOperator);
        }
        if key.starts_with('$') && !OPERATORS.contains(&key.as_str()) {
            return Err(FilterError::UnknownOperator(key.clone()));
        }
        check_value(value)?;
    }
    Ok(())
}

fn check_value(value: &Value) -> Result<(), FilterError> {
    match value {
        Value::Object(map) => check_query(map),
        Value::Array(items) => items.iter().try_for_each(check_value),
        Value::String(s) => check_string(s),
        _ => Ok(()),
    }
}

/// Mirrors PHP's `preg_match('/^\/(.*?)\/([a-z]*)$/i', …)` test, then checks
/// that PHP can rebuild a valid pattern from the parts.
fn check_string(s: &str) -> Result<(), FilterError> {
    let Some((pattern, flags)) = regex_parts(s) else {
        return if s.contains('*') {
            Err(FilterError::Glob(s.to_string()))
        } else {
            Ok(())
        };
    };
    let bad = |reason| FilterError::BadRegex {
        value: s.to_string(),
        pattern: pattern.to_string(),
        flags: flags.to_string(),
        reason,
    };
    if flags.chars().any(|c| !REGEX_FLAGS.contains(c)) {
        return Err(bad("its flags are not PCRE modifiers"));
    }
    let mut escaped = false;
    for c in pattern.chars() {
        match (escaped, c) {
            (false, '\\') => escaped = true,
            (false, '/') => return Err(bad("it has an unescaped '/' inside")),
            _ => escaped = false,
        }
    }
    if escaped {
        return Err(bad("it ends with a lone backslash"));
    }
    Ok(())
}

/// `(pattern, flags)` if PHP would treat `s` as a regex.
fn regex_parts(s: &str) -> Option<(&str, &str)> {
    let rest = s.strip_prefix('/')?;
    let last = rest.rfind('/')?;
    let flags = &rest[last + 1..];
    flags
        .chars()
        .all(|c| c.is_ascii_alphabetic())
        .then(|| (&rest[..last], flags))
}
