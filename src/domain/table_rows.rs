//! The check of Tables row values against column types, made before any
//! row is written: values are found by column id or title, checked, and
//! normalised to what the Tables API stores.

use serde_json::{Map, Value};

use super::dates::{CivilDate, ClockTime, parse_datetime_minutes};
use super::tables::{Column, ColumnKind, RowValues};

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
        // A link as read back ({"title","value","providerId"}) is stored
        // as the JSON text Tables keeps.
        ColumnKind::Text if column.subtype == "link" && value.get("value").is_some() => {
            Ok(Value::String(value.to_string()))
        }
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
            // Whole numbers stay integers on the wire.
            Ok(if n.fract() == 0.0 && n.abs() < 1e15 {
                serde_json::json!(n as i64)
            } else {
                serde_json::json!(n)
            })
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
    use crate::domain::tables::SelectionOption;
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
        assert_eq!(
            err,
            RowInputError::MissingMandatory("'Name' (id 10)".into())
        );
        assert!(prepare_row(&cols, &input(json!({"Amount": 3})), RowMode::Update).is_ok());
    }
}
