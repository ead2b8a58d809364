//! Tables: OCS API v2 (`/ocs/v2.php/apps/tables/api/2`) for tables, columns
//! and new rows; REST API v1 (`/index.php/apps/tables/api/1`) for reading,
//! changing and deleting rows, which v2 only gained in Tables 1.0.
//!
//! Checked against captures of Tables 2.2.2: a row insert answers the
//! creation fields as null, and deleting an unknown row is an HTTP 500.

use async_trait::async_trait;
use reqwest::{Method, RequestBuilder};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::errors::tables_row_status;
use super::http::NextcloudSession;
use super::ocs::read_body;
use crate::domain::tables::{Cell, Column, Row, RowValues, SelectionOption, Table};
use crate::ports::nextcloud::{NextcloudError, TablesApi};

const V2: &str = "ocs/v2.php/apps/tables/api/2";
const V1: &str = "index.php/apps/tables/api/1";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireTable {
    id: u64,
    #[serde(default)]
    title: String,
    #[serde(default)]
    emoji: Option<String>,
    #[serde(default)]
    ownership: String,
    #[serde(default)]
    rows_count: u64,
    #[serde(default)]
    columns_count: u64,
    #[serde(default)]
    archived: bool,
    #[serde(default)]
    is_shared: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireColumn {
    id: i64,
    #[serde(default)]
    title: String,
    #[serde(default, rename = "type")]
    column_type: String,
    #[serde(default)]
    subtype: Option<String>,
    #[serde(default)]
    mandatory: Option<bool>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    number_min: Option<f64>,
    #[serde(default)]
    number_max: Option<f64>,
    #[serde(default)]
    text_max_length: Option<i64>,
    /// A list of `{id, label}`; older releases send it JSON-encoded.
    #[serde(default)]
    selection_options: Value,
}

fn selection_options(value: Value) -> Vec<SelectionOption> {
    let list = match value {
        Value::String(s) => serde_json::from_str(&s).unwrap_or(Value::Null),
        other => other,
    };
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|o| {
            Some(SelectionOption {
                id: o.get("id")?.as_i64()?,
                label: o.get("label")?.as_str()?.to_string(),
            })
        })
        .collect()
}

impl From<WireColumn> for Column {
    fn from(c: WireColumn) -> Self {
        Self {
            id: c.id,
            title: c.title,
            column_type: c.column_type,
            subtype: c.subtype.unwrap_or_default(),
            mandatory: c.mandatory.unwrap_or(false),
            description: c.description.unwrap_or_default(),
            number_min: c.number_min,
            number_max: c.number_max,
            text_max_length: c.text_max_length.and_then(|n| u64::try_from(n).ok()),
            selection_options: selection_options(c.selection_options),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireCell {
    column_id: i64,
    #[serde(default)]
    value: Value,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireRow {
    id: u64,
    #[serde(default)]
    table_id: Option<u64>,
    // Null in the reply to an insert (the row exists; a later GET has them),
    // so a write that happened is never reported as failed over them.
    #[serde(default)]
    created_by: Option<String>,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    last_edit_by: Option<String>,
    #[serde(default)]
    last_edit_at: Option<String>,
    #[serde(default)]
    data: Option<Vec<WireCell>>,
}

impl From<WireRow> for Row {
    fn from(r: WireRow) -> Self {
        Self {
            id: r.id,
            table_id: r.table_id,
            created_by: r.created_by.unwrap_or_default(),
            created_at: r.created_at.unwrap_or_default(),
            last_edit_by: r.last_edit_by.unwrap_or_default(),
            last_edit_at: r.last_edit_at.unwrap_or_default(),
            data: r
                .data
                .unwrap_or_default()
                .into_iter()
                .map(|c| Cell {
                    column_id: c.column_id,
                    value: c.value,
                })
                .collect(),
        }
    }
}

/// `{"data": {"<column id>": value, ...}}`, the body both APIs take.
fn row_body(values: &RowValues) -> Value {
    let data: Map<String, Value> = values
        .iter()
        .map(|(id, value)| (id.to_string(), value.clone()))
        .collect();
    json!({ "data": data })
}

fn table(id: u64) -> String {
    format!("table {id}")
}

fn row(id: u64) -> String {
    format!("row {id}")
}

impl NextcloudSession {
    fn tables_v1(&self, method: Method, path: &str) -> Result<RequestBuilder, NextcloudError> {
        Ok(self.json_request(method, self.url(&format!("{V1}/{path}"))?))
    }
}

#[async_trait]
impl TablesApi for NextcloudSession {
    async fn list_tables(&self) -> Result<Vec<Table>, NextcloudError> {
        let request = self.ocs_request(Method::GET, &format!("{V2}/tables"))?;
        let wire: Vec<WireTable> = self.ocs_call(request, "the table list").await?;
        Ok(wire
            .into_iter()
            .map(|t| Table {
                id: t.id,
                title: t.title,
                emoji: t.emoji.filter(|e| !e.is_empty()),
                ownership: t.ownership,
                rows_count: t.rows_count,
                columns_count: t.columns_count,
                archived: t.archived,
                is_shared: t.is_shared,
            })
            .collect())
    }

    async fn list_columns(&self, table_id: u64) -> Result<Vec<Column>, NextcloudError> {
        let request = self.ocs_request(Method::GET, &format!("{V2}/columns/table/{table_id}"))?;
        let wire: Vec<WireColumn> = self.ocs_call(request, &table(table_id)).await?;
        Ok(wire.into_iter().map(Column::from).collect())
    }

    async fn list_rows(
        &self,
        table_id: u64,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<Row>, NextcloudError> {
        let request = self
            .tables_v1(Method::GET, &format!("tables/{table_id}/rows"))?
            .query(&[("limit", limit), ("offset", offset)]);
        let wire: Vec<WireRow> = self.json_call(request, &table(table_id)).await?;
        Ok(wire.into_iter().map(Row::from).collect())
    }

    async fn get_row(&self, row_id: u64) -> Result<Row, NextcloudError> {
        let request = self.tables_v1(Method::GET, &format!("rows/{row_id}"))?;
        let wire: WireRow = self.json_call(request, &row(row_id)).await?;
        Ok(wire.into())
    }

    async fn create_row(&self, table_id: u64, values: &RowValues) -> Result<Row, NextcloudError> {
        let request = self
            .ocs_request(Method::POST, &format!("{V2}/tables/{table_id}/rows"))?
            .json(&row_body(values));
        let wire: WireRow = self.ocs_call(request, &table(table_id)).await?;
        Ok(wire.into())
    }

    async fn update_row(&self, row_id: u64, values: &RowValues) -> Result<Row, NextcloudError> {
        let request = self
            .tables_v1(Method::PUT, &format!("rows/{row_id}"))?
            .json(&row_body(values));
        let wire: WireRow = self.json_call(request, &row(row_id)).await?;
        Ok(wire.into())
    }

    async fn delete_row(&self, row_id: u64) -> Result<(), NextcloudError> {
        let request = self.tables_v1(Method::DELETE, &format!("rows/{row_id}"))?;
        let response = self.send_raw(request).await?;
        let status = response.status();
        let body = read_body(response, &row(row_id)).await?;
        if status.is_success() {
            return Ok(());
        }
        Err(tables_row_status(status, &row(row_id), &body))
    }
}
