//! Tables tools (`nc_tables_*`), named like the reference server's. Row
//! values are checked against the table's column types before any write.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars, tool, tool_router};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::AppRouter;
use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, failure, success};
use crate::adapters::mcp::paging::{PageArgs, PageInfo, PageRequest};
use crate::adapters::mcp::tool_scopes::Access;
use crate::domain::capabilities::App;
use crate::domain::scopes::Scope;
use crate::domain::table_cells::readable_value;
use crate::domain::tables::{Column, Row, RowMode, prepare_row};

/// Tables is an optional app.
pub(super) fn router() -> AppRouter {
    AppRouter::new(
        Some(App::Tables),
        Access::read_write(Scope::TablesRead, Scope::TablesWrite),
        NextcloudMcp::tables_router(),
    )
}

const DEFAULT_ROW_LIMIT: usize = 50;
const MAX_ROW_LIMIT: usize = 500;
/// Tables takes the offset as a 32-bit number; this keeps it well inside.
const MAX_OFFSET: usize = 10_000_000;
/// A table's entry is an id, a title and two counts.
const DEFAULT_TABLE_LIMIT: usize = 100;
const MAX_TABLE_LIMIT: usize = 1000;

/// A row as the model reads it: values keyed by column title, in the form
/// the writes take (labels, booleans, link objects).
fn readable_row(row: &Row, columns: &[Column]) -> Value {
    let values: Map<String, Value> = row
        .data
        .iter()
        .map(
            |cell| match columns.iter().find(|c| c.id == cell.column_id) {
                Some(c) => (c.title.clone(), readable_value(c, &cell.value)),
                None => (cell.column_id.to_string(), cell.value.clone()),
            },
        )
        .collect();
    json!({
        "id": row.id,
        "values": values,
        "created_by": row.created_by,
        "last_edit_at": row.last_edit_at,
    })
}

fn row_line(row: &Value) -> String {
    format!("- row {}: {}", row["id"], row["values"])
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct TableIdArgs {
    /// The table's numeric id (from nc_tables_list_tables).
    pub table_id: u64,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct ReadTableArgs {
    /// The table's numeric id (see nc_tables_list_tables).
    pub table_id: u64,
    /// Most rows per page (default 50, at most 500).
    #[serde(default)]
    pub limit: Option<usize>,
    /// next_cursor from the previous page; omit for the first page.
    #[serde(default)]
    pub cursor: Option<String>,
    /// How many rows to skip (default 0); another way to say cursor, kept for the reference server's callers.
    #[serde(default)]
    pub offset: Option<usize>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct InsertRowArgs {
    /// The table's numeric id (see nc_tables_list_tables).
    pub table_id: u64,
    /// Column title or id -> value, e.g. {"Name": "Milk", "Amount": 2, "Status": "Open"}; see nc_tables_get_schema for what each column takes.
    pub data: Map<String, Value>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct UpdateRowArgs {
    /// The row's numeric id (from nc_tables_read_table).
    pub row_id: u64,
    /// Only the columns to change: column title or id -> new value (null clears).
    pub data: Map<String, Value>,
    /// The row's table, if known (saves a lookup).
    #[serde(default)]
    pub table_id: Option<u64>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct RowIdArgs {
    /// The row's numeric id.
    pub row_id: u64,
}

#[tool_router(router = tables_router)]
impl NextcloudMcp {
    #[tool(
        name = "nc_tables_list_tables",
        input_schema = crate::adapters::mcp::schema::input::<PageArgs>("nc_tables_list_tables"),
        description = "List the Tables the user can see: id, title, number of rows and columns.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn nc_tables_list_tables(
        &self,
        Parameters(page): Parameters<PageArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let paging = page.request(DEFAULT_TABLE_LIMIT, MAX_TABLE_LIMIT)?;
        let tables = self
            .nextcloud(&request)
            .await?
            .list_tables()
            .await
            .or_fail()?;
        let (shown, page) = paging.page(&tables);
        let mut text = format!("Tables: {}", tables.len());
        for t in shown {
            text.push_str(&format!(
                "\n- {}{} (table {}, {} rows, {} columns)",
                t.emoji
                    .as_deref()
                    .map(|e| format!("{e} "))
                    .unwrap_or_default(),
                t.title,
                t.id,
                t.rows_count,
                t.columns_count
            ));
        }
        Ok(success(
            &json!({ "tables": shown, "page": page }),
            page.under(text, shown.len()),
        ))
    }

    #[tool(
        name = "nc_tables_get_schema",
        input_schema = crate::adapters::mcp::schema::input::<TableIdArgs>("nc_tables_get_schema"),
        description = "Get a table's columns: id, title, type, whether required, and what values each accepts (selection options, number ranges, date formats).",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn nc_tables_get_schema(
        &self,
        Parameters(args): Parameters<TableIdArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let columns = self
            .nextcloud(&request)
            .await?
            .list_columns(args.table_id)
            .await
            .or_fail()?;
        let described: Vec<Value> = columns
            .iter()
            .map(|c| json!({ "column": c, "accepts": c.expects() }))
            .collect();
        let mut text = format!("Columns of table {}: {}", args.table_id, columns.len());
        for c in &columns {
            let required = if c.mandatory { ", required" } else { "" };
            text.push_str(&format!(
                "\n- {} (column {}{required}): {}",
                c.title,
                c.id,
                c.expects()
            ));
        }
        Ok(success(
            &json!({ "table_id": args.table_id, "columns": described }),
            text,
        ))
    }

    #[tool(
        name = "nc_tables_read_table",
        input_schema = crate::adapters::mcp::schema::input::<ReadTableArgs>("nc_tables_read_table"),
        description = "Read a page of a table's rows, with values keyed by column title, a page at a time (limit, cursor).",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn nc_tables_read_table(
        &self,
        Parameters(args): Parameters<ReadTableArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let paging = PageRequest::parse_with_offset(
            args.limit,
            args.cursor.as_deref(),
            args.offset,
            DEFAULT_ROW_LIMIT,
            MAX_ROW_LIMIT,
        )?;
        let offset = paging.offset();
        if offset > MAX_OFFSET {
            return Err(failure(format!("offset must be at most {MAX_OFFSET}")));
        }
        let limit = paging.limit();
        let nextcloud = self.nextcloud(&request).await?;
        let columns = nextcloud.list_columns(args.table_id).await.or_fail()?;
        // Tables does not say how many rows a table has: one row past the
        // page tells whether another page follows.
        let mut rows = nextcloud
            .list_rows(args.table_id, limit as u32 + 1, offset as u32)
            .await
            .or_fail()?;
        let has_more = rows.len() > limit;
        rows.truncate(limit);
        let page = PageInfo {
            total: None,
            offset,
            has_more,
            next_cursor: has_more.then(|| (offset + limit).to_string()),
        };
        let readable: Vec<Value> = rows.iter().map(|r| readable_row(r, &columns)).collect();
        let mut text = format!(
            "Rows {}-{} of table {}",
            offset + 1,
            offset + rows.len(),
            args.table_id
        );
        readable
            .iter()
            .for_each(|r| text.push_str(&format!("\n{}", row_line(r))));
        let next = has_more.then_some(offset + limit);
        let text = page.under(text, rows.len());
        Ok(success(
            &json!({ "table_id": args.table_id, "rows": readable, "offset": offset, "next_offset": next, "page": page }),
            text,
        ))
    }

    #[tool(
        name = "nc_tables_insert_row",
        input_schema = crate::adapters::mcp::schema::input::<InsertRowArgs>("nc_tables_insert_row"),
        description = "Add a row to a table. Values are checked against the column types first; required columns must be given.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn nc_tables_insert_row(
        &self,
        Parameters(args): Parameters<InsertRowArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        if args.data.is_empty() {
            return Err(failure("data is empty; give column title or id -> value"));
        }
        let nextcloud = self.nextcloud(&request).await?;
        let columns = nextcloud.list_columns(args.table_id).await.or_fail()?;
        let values = prepare_row(&columns, &args.data, RowMode::Create).or_fail()?;
        let row = nextcloud
            .create_row(args.table_id, &values)
            .await
            .or_fail()?;
        let readable = readable_row(&row, &columns);
        Ok(success(
            &readable,
            format!("Added row {} to table {}", row.id, args.table_id),
        ))
    }

    #[tool(
        name = "nc_tables_update_row",
        input_schema = crate::adapters::mcp::schema::input::<UpdateRowArgs>("nc_tables_update_row"),
        description = "Change some values of a row; other columns stay as they are. Values are checked against the column types first.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_tables_update_row(
        &self,
        Parameters(args): Parameters<UpdateRowArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        if args.data.is_empty() {
            return Err(failure(
                "data is empty; give the columns to change and their new values",
            ));
        }
        let nextcloud = self.nextcloud(&request).await?;
        let table_id = match args.table_id {
            Some(id) => id,
            None => nextcloud
                .get_row(args.row_id)
                .await
                .or_fail()?
                .table_id
                .ok_or_else(|| {
                    failure(format!(
                        "Nextcloud did not say which table row {} is in; pass table_id",
                        args.row_id
                    ))
                })?,
        };
        let columns = nextcloud.list_columns(table_id).await.or_fail()?;
        let values = prepare_row(&columns, &args.data, RowMode::Update).or_fail()?;
        let row = nextcloud.update_row(args.row_id, &values).await.or_fail()?;
        let readable = readable_row(&row, &columns);
        Ok(success(
            &readable,
            format!("Updated row {} of table {table_id}", row.id),
        ))
    }

    #[tool(
        name = "nc_tables_delete_row",
        input_schema = crate::adapters::mcp::schema::input::<RowIdArgs>("nc_tables_delete_row"),
        description = "Delete a row from its table.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn nc_tables_delete_row(
        &self,
        Parameters(args): Parameters<RowIdArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        self.nextcloud(&request)
            .await?
            .delete_row(args.row_id)
            .await
            .or_fail()?;
        Ok(success(
            &json!({ "deleted": args.row_id }),
            format!("Deleted row {}", args.row_id),
        ))
    }
}
