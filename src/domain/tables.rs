//! Tables: tables, their columns and rows, and the check of row values
//! against column types that runs before any row is sent.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

use super::shares::{CivilDate, ClockTime, parse_datetime_minutes};

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Table {
    pub id: u64,
    pub title: String,
    pub emoji: Option<String>,
    pub ownership: String,
    pub rows_count: u64,
    pub columns_count: u64,
    pub archived: bool,
    pub is_shared: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SelectionOption {
    pub id: i64,
    pub label: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Column {
    pub id: i64,
    pub title: String,
    /// `text`, `number`, `selection`, `datetime`, `usergroup`.
    #[serde(rename = "type")]
    pub column_type: String,
    /// e.g. `line`, `rich`, `link`, `stars`, `progress`, `multi`, `check`, `date`, `time`; "" for none.
    pub subtype: String,
    pub mandatory: bool,
    pub description: String,
    pub number_min: Option<f64>,
    pub number_max: Option<f64>,
    pub text_max_length: Option<u64>,
    pub selection_options: Vec<SelectionOption>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Cell {
    pub column_id: i64,
    pub value: Value,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    pub id: u64,
    pub table_id: Option<u64>,
    pub created_by: String,
    pub created_at: String,
    pub last_edit_by: String,
    pub last_edit_at: String,
    pub data: Vec<Cell>,
}

/// Column id -> value, already checked and normalised for the wire.
pub type RowValues = BTreeMap<i64, Value>;

/// What a column accepts, from its type and subtype.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnKind {
    Text,
    Number,
    Stars,
    Progress,
    Selection,
    SelectionMulti,
    SelectionCheck,
    DateTime,
    Date,
    Time,
    UserGroup,
    Other,
}

impl Column {
    pub fn kind(&self) -> ColumnKind {
        match (self.column_type.as_str(), self.subtype.as_str()) {
            ("text", _) => ColumnKind::Text,
            ("number", "stars") => ColumnKind::Stars,
            ("number", "progress") => ColumnKind::Progress,
            ("number", _) => ColumnKind::Number,
            ("selection", "multi") => ColumnKind::SelectionMulti,
            ("selection", "check") => ColumnKind::SelectionCheck,
            ("selection", _) => ColumnKind::Selection,
            ("datetime", "date") => ColumnKind::Date,
            ("datetime", "time") => ColumnKind::Time,
            ("datetime", _) => ColumnKind::DateTime,
            ("usergroup", _) => ColumnKind::UserGroup,
            _ => ColumnKind::Other,
        }
    }

    /// A short description of what the column takes, for schemas and errors.
    pub fn expects(&self) -> String {
        match self.kind() {
            ColumnKind::Text => match self.text_max_length {
                Some(n) if n > 0 => format!("text (at most {n} characters)"),
                _ => "text".into(),
            },
            ColumnKind::Number => match (self.number_min, self.number_max) {
                (Some(min), Some(max)) => format!("a number from {min} to {max}"),
                (Some(min), None) => format!("a number of at least {min}"),
                (None, Some(max)) => format!("a number of at most {max}"),
                (None, None) => "a number".into(),
            },
            ColumnKind::Stars => "a whole number of stars from 0 to 5".into(),
            ColumnKind::Progress => "a whole number from 0 to 100 (percent)".into(),
            ColumnKind::Selection => format!("one of {}", self.option_list()),
            ColumnKind::SelectionMulti => format!("a list of {}", self.option_list()),
            ColumnKind::SelectionCheck => "true or false".into(),
            ColumnKind::DateTime => "a date and time, YYYY-MM-DD HH:MM".into(),
            ColumnKind::Date => "a date, YYYY-MM-DD".into(),
            ColumnKind::Time => "a time, HH:MM".into(),
            ColumnKind::UserGroup => {
                "a list of user ids, or objects {\"id\": ..., \"type\": 0 user / 1 group / 2 team}"
                    .into()
            }
            ColumnKind::Other => format!("a value for a '{}' column", self.column_type),
        }
    }

    fn option_list(&self) -> String {
        let labels: Vec<String> = self
            .selection_options
            .iter()
            .map(|o| format!("'{}' ({})", o.label, o.id))
            .collect();
        if labels.is_empty() {
            "the column's options".into()
        } else {
            labels.join(", ")
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RowInputError {
    #[error("no values given; pass at least one column (by id or title) and its value")]
    Empty,
    #[error("this table has no column '{0}'; columns are: {1}")]
    UnknownColumn(String, String),
    #[error("column '{column}' (id {id}) expects {expects}; got {got}")]
    BadValue {
        column: String,
        id: i64,
        expects: String,
        got: String,
    },
    #[error("required column(s) missing: {0}")]
    MissingMandatory(String),
    #[error("more than {MAX_ROW_VALUE_BYTES} bytes of row data; split the change")]
    TooLarge,
}

/// Limit on the JSON size of one row's values.
pub const MAX_ROW_VALUE_BYTES: usize = 256 * 1024;

/// Whether a row is new (mandatory columns must be given) or changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowMode {
    Create,
    Update,
}

/// Checks `input` (column id or title -> value) against `columns` and
/// returns the values the server expects (column id -> normalised value).
pub fn prepare_row(
    columns: &[Column],
    input: &Map<String, Value>,
    mode: RowMode,
) -> Result<RowValues, RowInputError> {
    if input.is_empty() {
        return Err(RowInputError::Empty);
    }
    if serde_json::to_vec(input).map_or(0, |v| v.len()) > MAX_ROW_VALUE_BYTES {
        return Err(RowInputError::TooLarge);
    }
    let mut values = RowValues::new();
    for (key, value) in input {
        let column = find_column(columns, key)?;
        values.insert(column.id, check_value(column, value)?);
    }
    if mode == RowMode::Create {
        let missing: Vec<String> = columns
            .iter()
            .filter(|c| c.mandatory && values.get(&c.id).is_none_or(Value::is_null))
            .map(|c| format!("'{}' (id {})", c.title, c.id))
            .collect();
        if !missing.is_empty() {
            return Err(RowInputError::MissingMandatory(missing.join(", ")));
        }
    }
    Ok(values)
}

fn find_column<'a>(columns: &'a [Column], key: &str) -> Result<&'a Column, RowInputError> {
    let key = key.trim();
    let by_id = key
        .parse::<i64>()
        .ok()
        .and_then(|id| columns.iter().find(|c| c.id == id));
    by_id
        .or_else(|| columns.iter().find(|c| c.title == key))
        .or_else(|| {
            columns
                .iter()
                .find(|c| c.title.to_lowercase() == key.to_lowercase())
        })
        .ok_or_else(|| {
            let known: Vec<String> = columns
                .iter()
                .map(|c| format!("'{}' ({})", c.title, c.id))
                .collect();
            RowInputError::UnknownColumn(key.to_string(), known.join(", "))
        })
}

fn describe(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        format!("{}...", text.chars().take(60).collect::<String>())
    } else {
        text
    }
}

fn check_value(column: &Column, value: &Value) -> Result<Value, RowInputError> {
    if value.is_null() {
        return Ok(Value::Null);
    }
    let bad = || RowInputError::BadValue {
        column: column.title.clone(),
        id: column.id,
        expects: column.expects(),
        got: describe(value),
    };
    match column.kind() {
        ColumnKind::Text => {
            let text = value.as_str().ok_or_else(bad)?;
            match column.text_max_length {
                Some(max) if max > 0 && text.chars().count() as u64 > max => Err(bad()),
                _ => Ok(Value::String(text.to_string())),
            }
        }
        ColumnKind::Number => {
            let n = number(value).ok_or_else(bad)?;
            let below = column.number_min.is_some_and(|min| n < min);
            let above = column.number_max.is_some_and(|max| n > max);
            if below || above {
                return Err(bad());
            }
            Ok(serde_json::json!(n))
        }
        ColumnKind::Stars | ColumnKind::Progress => {
            let max = if column.kind() == ColumnKind::Stars {
                5.0
            } else {
                100.0
            };
            let n = number(value).ok_or_else(bad)?;
            if n.fract() != 0.0 || !(0.0..=max).contains(&n) {
                return Err(bad());
            }
            Ok(serde_json::json!(n as i64))
        }
        ColumnKind::Selection => option_id(column, value).map(Value::from).ok_or_else(bad),
        ColumnKind::SelectionMulti => {
            let items = match value {
                Value::Array(items) => items.clone(),
                single => vec![single.clone()],
            };
            items
                .iter()
                .map(|item| option_id(column, item).map(Value::from))
                .collect::<Option<Vec<_>>>()
                .map(Value::Array)
                .ok_or_else(bad)
        }
        ColumnKind::SelectionCheck => {
            let checked = match value {
                Value::Bool(b) => Some(*b),
                Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
                Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
                _ => None,
            };
            checked
                .map(|b| Value::String(b.to_string()))
                .ok_or_else(bad)
        }
        ColumnKind::Date => {
            let date = value.as_str().and_then(CivilDate::parse).ok_or_else(bad)?;
            Ok(Value::String(date.to_string()))
        }
        ColumnKind::Time => {
            let time = value.as_str().and_then(ClockTime::parse).ok_or_else(bad)?;
            Ok(Value::String(time.hh_mm()))
        }
        ColumnKind::DateTime => {
            let text = value
                .as_str()
                .and_then(parse_datetime_minutes)
                .ok_or_else(bad)?;
            Ok(Value::String(text))
        }
        ColumnKind::UserGroup => user_group(value).ok_or_else(bad),
        ColumnKind::Other => Ok(value.clone()),
    }
}

fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|n| n.is_finite()),
        _ => None,
    }
}

/// An option id from an id (number or numeric string) or a label.
fn option_id(column: &Column, value: &Value) -> Option<i64> {
    let options = &column.selection_options;
    let by_id = |id: i64| options.iter().find(|o| o.id == id).map(|o| o.id);
    match value {
        Value::Number(n) => n.as_i64().and_then(by_id),
        Value::String(s) => {
            let s = s.trim();
            options
                .iter()
                .find(|o| o.label == s)
                .or_else(|| {
                    options
                        .iter()
                        .find(|o| o.label.to_lowercase() == s.to_lowercase())
                })
                .map(|o| o.id)
                .or_else(|| s.parse().ok().and_then(by_id))
        }
        _ => None,
    }
}

fn user_group(value: &Value) -> Option<Value> {
    let items = match value {
        Value::Array(items) => items.clone(),
        single => vec![single.clone()],
    };
    let normalised = items
        .iter()
        .map(|item| match item {
            Value::String(id) if !id.trim().is_empty() => {
                Some(serde_json::json!({ "id": id.trim(), "type": 0 }))
            }
            Value::Object(map) => {
                let id = map.get("id")?.as_str()?.trim();
                let kind = map.get("type").map_or(Some(0), Value::as_u64)?;
                (!id.is_empty() && kind <= 2).then(|| serde_json::json!({ "id": id, "type": kind }))
            }
            _ => None,
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Value::Array(normalised))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn column(id: i64, title: &str, kind: (&str, &str), mandatory: bool) -> Column {
        Column {
            id,
            title: title.into(),
            column_type: kind.0.into(),
            subtype: kind.1.into(),
            mandatory,
            description: String::new(),
            number_min: None,
            number_max: None,
            text_max_length: None,
            selection_options: vec![
                SelectionOption {
                    id: 1,
                    label: "Open".into(),
                },
                SelectionOption {
                    id: 2,
                    label: "Done".into(),
                },
            ],
        }
    }

    fn columns() -> Vec<Column> {
        let mut amount = column(11, "Amount", ("number", ""), false);
        amount.number_min = Some(0.0);
        amount.number_max = Some(1000.0);
        let mut name = column(10, "Name", ("text", "line"), true);
        name.text_max_length = Some(5);
        vec![
            name,
            amount,
            column(12, "Status", ("selection", ""), false),
            column(13, "Tags", ("selection", "multi"), false),
            column(14, "Checked", ("selection", "check"), false),
            column(15, "Due", ("datetime", "date"), false),
            column(16, "At", ("datetime", "time"), false),
            column(17, "When", ("datetime", ""), false),
            column(18, "Rating", ("number", "stars"), false),
            column(19, "Owner", ("usergroup", ""), false),
        ]
    }

    fn input(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn values_are_checked_and_normalised_by_title_or_id() {
        let values = prepare_row(
            &columns(),
            &input(json!({
                "name": "Milk", "11": "12.5", "Status": "done", "Tags": ["Open", 2],
                "Checked": true, "Due": "2026-02-28", "At": "9:05", "When": "2026-03-01T10:30",
                "Rating": 4, "Owner": ["alice", {"id": "staff", "type": 1}]
            })),
            RowMode::Create,
        )
        .unwrap();
        assert_eq!(values[&10], json!("Milk"));
        assert_eq!(values[&11], json!(12.5));
        assert_eq!(values[&12], json!(2));
        assert_eq!(values[&13], json!([1, 2]));
        assert_eq!(values[&14], json!("true"));
        assert_eq!(values[&15], json!("2026-02-28"));
        assert_eq!(values[&16], json!("09:05"));
        assert_eq!(values[&17], json!("2026-03-01 10:30"));
        assert_eq!(values[&18], json!(4));
        assert_eq!(
            values[&19],
            json!([{"id": "alice", "type": 0}, {"id": "staff", "type": 1}])
        );
    }

    #[test]
    fn wrong_values_are_refused_with_what_the_column_expects() {
        let cols = columns();
        let cases = [
            (json!({"Name": "too long"}), "at most 5 characters"),
            (json!({"Amount": 1001}), "from 0 to 1000"),
            (json!({"Amount": "lots"}), "a number"),
            (json!({"Status": "Maybe"}), "'Open' (1), 'Done' (2)"),
            (json!({"Due": "2026-02-30"}), "YYYY-MM-DD"),
            (json!({"At": "25:00"}), "HH:MM"),
            (json!({"Rating": 6}), "0 to 5"),
            (json!({"Checked": "yes"}), "true or false"),
            (json!({"Nope": 1}), "no column 'Nope'"),
        ];
        for (value, needle) in cases {
            let err = prepare_row(&cols, &input(value.clone()), RowMode::Update).unwrap_err();
            assert!(err.to_string().contains(needle), "{value}: {err}");
        }
        assert_eq!(
            prepare_row(&cols, &Map::new(), RowMode::Update),
            Err(RowInputError::Empty)
        );
    }

    #[test]
    fn create_needs_mandatory_columns_update_does_not() {
        let cols = columns();
        let err = prepare_row(&cols, &input(json!({"Amount": 3})), RowMode::Create).unwrap_err();
        assert_eq!(err, RowInputError::MissingMandatory("'Name' (id 10)".into()));
        assert!(prepare_row(&cols, &input(json!({"Amount": 3})), RowMode::Update).is_ok());
    }
}
