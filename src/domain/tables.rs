//! Tables: tables, their columns and rows, and what each column accepts.
//! The check of row values against it is in [`super::table_rows`].

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

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

pub use super::table_rows::{MAX_ROW_VALUE_BYTES, RowInputError, RowMode, prepare_row};
