//! Tables row values as a person wrote them. Tables stores selections as
//! option ids (a number from a read, a numeric string from an insert),
//! checkboxes as the strings "true"/"false" and links as JSON text
//! `{"title","value","providerId"}`; the tools read back labels, booleans
//! and link objects, the same forms the writes take.

use serde_json::Value;

use super::tables::{Column, ColumnKind};

/// `value` of `column` in the form a person wrote it; values that do not
/// have the expected stored shape are returned unchanged.
pub fn readable_value(column: &Column, value: &Value) -> Value {
    match column.kind() {
        ColumnKind::Selection => label(column, value).unwrap_or_else(|| value.clone()),
        ColumnKind::SelectionMulti => match value {
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|item| label(column, item).unwrap_or_else(|| item.clone()))
                    .collect(),
            ),
            other => other.clone(),
        },
        ColumnKind::SelectionCheck => match value {
            Value::String(s) if s.eq_ignore_ascii_case("true") => Value::Bool(true),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Value::Bool(false),
            other => other.clone(),
        },
        ColumnKind::Text if column.subtype == "link" => {
            link(value).unwrap_or_else(|| value.clone())
        }
        _ => value.clone(),
    }
}

fn label(column: &Column, value: &Value) -> Option<Value> {
    let id = match value {
        Value::Number(n) => n.as_i64()?,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    column
        .selection_options
        .iter()
        .find(|o| o.id == id)
        .map(|o| Value::String(o.label.clone()))
}

fn link(value: &Value) -> Option<Value> {
    let parsed: Value = serde_json::from_str(value.as_str()?).ok()?;
    parsed.get("value")?;
    Some(parsed)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::domain::tables::SelectionOption;

    fn column(kind: (&str, &str)) -> Column {
        Column {
            id: 1,
            title: "c".into(),
            column_type: kind.0.into(),
            subtype: kind.1.into(),
            mandatory: false,
            description: String::new(),
            number_min: None,
            number_max: None,
            text_max_length: None,
            selection_options: vec![
                SelectionOption {
                    id: 0,
                    label: "red".into(),
                },
                SelectionOption {
                    id: 2,
                    label: "blue".into(),
                },
            ],
        }
    }

    #[test]
    fn selections_read_as_labels_whatever_form_the_id_has() {
        let single = column(("selection", ""));
        assert_eq!(readable_value(&single, &json!(2)), json!("blue"));
        assert_eq!(readable_value(&single, &json!("0")), json!("red"));
        assert_eq!(readable_value(&single, &json!(7)), json!(7));
        let multi = column(("selection", "multi"));
        assert_eq!(
            readable_value(&multi, &json!([0, 2])),
            json!(["red", "blue"])
        );
    }

    #[test]
    fn checkboxes_read_as_booleans_and_links_as_objects() {
        let check = column(("selection", "check"));
        assert_eq!(readable_value(&check, &json!("true")), json!(true));
        assert_eq!(readable_value(&check, &json!("false")), json!(false));
        let link = column(("text", "link"));
        let stored =
            json!("{\"title\":\"Shop\",\"value\":\"https://x.test\",\"providerId\":\"url\"}");
        assert_eq!(
            readable_value(&link, &stored),
            json!({"title": "Shop", "value": "https://x.test", "providerId": "url"})
        );
        assert_eq!(readable_value(&link, &json!("plain")), json!("plain"));
        let text = column(("text", "line"));
        assert_eq!(readable_value(&text, &stored), stored);
    }
}
