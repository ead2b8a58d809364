//! End-to-end through rmcp's client over Streamable HTTP: every Tables and
//! Cookbook tool against their documented API shapes (neither app is on the
//! Nextcloud 34 capture server), and their errors.

use crate::support::e2e::*;
use serde_json::{Value, json};
use wiremock::MockServer;

const TABLES_V2: &str = "^/ocs/v2.php/apps/tables/api/2";
const TABLES_V1: &str = "^/index.php/apps/tables/api/1";
const COOKBOOK: &str = "^/index.php/apps/cookbook/api/v1";

fn tables_columns() -> Value {
    json!([
        { "id": 10, "title": "Name", "type": "text", "subtype": "line", "mandatory": true, "selectionOptions": [] },
        { "id": 11, "title": "Amount", "type": "number", "subtype": "", "mandatory": false, "numberMin": 0.0, "numberMax": 10.0 },
        { "id": 12, "title": "Status", "type": "selection", "subtype": "", "mandatory": false,
          "selectionOptions": [{"id": 1, "label": "Open"}, {"id": 2, "label": "Done"}] }
    ])
}

fn tables_row(id: u64) -> Value {
    json!({ "id": id, "tableId": 1, "createdBy": "admin", "createdAt": "2026-11-23 08:00:00",
            "lastEditBy": "admin", "lastEditAt": "2026-11-23 08:00:00",
            "data": [{"columnId": 10, "value": "Milk"}, {"columnId": 12, "value": 1}] })
}

#[tokio::test]
async fn tables_tools_against_documented_shapes() {
    let nc = MockServer::start().await;
    let table = json!([{ "id": 1, "title": "Shopping", "emoji": "🛒", "ownership": "admin", "rowsCount": 1, "columnsCount": 3 }]);
    mount_json_reply(
        &nc,
        "GET",
        &format!("{TABLES_V2}/tables$"),
        200,
        ocs_envelope(table),
    )
    .await;
    mount_json_reply(
        &nc,
        "GET",
        &format!("{TABLES_V2}/columns/table/1$"),
        200,
        ocs_envelope(tables_columns()),
    )
    .await;
    mount_json_reply(
        &nc,
        "POST",
        &format!("{TABLES_V2}/tables/1/rows$"),
        200,
        ocs_envelope(tables_row(5)),
    )
    .await;
    mount_json_reply(
        &nc,
        "GET",
        &format!("{TABLES_V1}/tables/1/rows$"),
        200,
        json!([tables_row(5)]),
    )
    .await;
    mount_json_reply(
        &nc,
        "GET",
        &format!("{TABLES_V1}/rows/5$"),
        200,
        tables_row(5),
    )
    .await;
    mount_json_reply(
        &nc,
        "PUT",
        &format!("{TABLES_V1}/rows/5$"),
        200,
        tables_row(5),
    )
    .await;
    mount_json_reply(
        &nc,
        "DELETE",
        &format!("{TABLES_V1}/rows/5$"),
        200,
        tables_row(5),
    )
    .await;
    mount_json_reply(&nc, "GET", &format!("{TABLES_V2}/columns/table/9$"), 404,
        json!({"ocs": {"meta": {"status": "failure", "statuscode": 404, "message": "Table not found"}, "data": []}})).await;
    let (server, client) = start_app_server(&nc).await;

    expect_tool_ok(
        &client,
        "nc_tables_list_tables",
        json!({}),
        "🛒 Shopping (table 1, 1 rows, 3 columns)",
    )
    .await;
    expect_tool_ok(
        &client,
        "nc_tables_get_schema",
        json!({"table_id": 1}),
        "one of 'Open' (1), 'Done' (2)",
    )
    .await;
    let read = expect_tool_ok(
        &client,
        "nc_tables_read_table",
        json!({"table_id": 1, "limit": 10}),
        "row 5",
    )
    .await;
    assert_eq!(read["rows"][0]["values"]["Name"], "Milk");
    expect_tool_ok(
        &client,
        "nc_tables_insert_row",
        json!({"table_id": 1, "data": {"Name": "Milk", "Status": "Open"}}),
        "Added row 5",
    )
    .await;
    expect_tool_ok(
        &client,
        "nc_tables_update_row",
        json!({"row_id": 5, "data": {"Amount": 3}}),
        "Updated row 5 of table 1",
    )
    .await;
    expect_tool_ok(
        &client,
        "nc_tables_delete_row",
        json!({"row_id": 5}),
        "Deleted row 5",
    )
    .await;

    expect_tool_error(
        &client,
        "nc_tables_insert_row",
        json!({"table_id": 1, "data": {"Amount": 11}}),
        "from 0 to 10",
    )
    .await;
    expect_tool_error(
        &client,
        "nc_tables_insert_row",
        json!({"table_id": 1, "data": {"Amount": 1}}),
        "required column(s) missing: 'Name'",
    )
    .await;
    expect_tool_error(
        &client,
        "nc_tables_get_schema",
        json!({"table_id": 9}),
        "table 9 does not exist",
    )
    .await;
    client.cancel().await.unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn cookbook_tools_against_documented_shapes() {
    let nc = MockServer::start().await;
    let stubs = json!([{ "recipe_id": 123, "id": "123", "name": "Baked bananas", "keywords": "sweet",
                          "dateCreated": "2022-01-02T16:12:41+0000", "imageUrl": "", "imagePlaceholderUrl": "" }]);
    let recipe = json!({ "id": "123", "name": "Baked bananas", "description": "Sweet", "recipeYield": 4,
        "prepTime": "PT0H15M", "recipeCategory": "Dessert", "keywords": "sweet",
        "recipeIngredient": ["3 bananas"], "recipeInstructions": ["Peel", "Bake"], "tool": [] });
    for pattern in [
        "recipes$",
        "search/[^/]+$",
        "category/[^/]+$",
        "tags/[^/]+$",
    ] {
        mount_json_reply(
            &nc,
            "GET",
            &format!("{COOKBOOK}/{pattern}"),
            200,
            stubs.clone(),
        )
        .await;
    }
    mount_json_reply(
        &nc,
        "GET",
        &format!("{COOKBOOK}/recipes/123$"),
        200,
        recipe.clone(),
    )
    .await;
    mount_json_reply(&nc, "GET", &format!("{COOKBOOK}/recipes/9$"), 404, json!(9)).await;
    mount_json_reply(
        &nc,
        "POST",
        &format!("{COOKBOOK}/recipes$"),
        200,
        json!(124),
    )
    .await;
    mount_json_reply(
        &nc,
        "PUT",
        &format!("{COOKBOOK}/recipes/123$"),
        200,
        json!(123),
    )
    .await;
    mount_json_reply(
        &nc,
        "DELETE",
        &format!("{COOKBOOK}/recipes/123$"),
        200,
        json!("Recipe 123 deleted successfully"),
    )
    .await;
    mount_json_reply(&nc, "POST", &format!("{COOKBOOK}/import$"), 200, recipe).await;
    mount_json_reply(
        &nc,
        "GET",
        &format!("{COOKBOOK}/categories$"),
        200,
        json!([{"name": "Dessert", "recipe_count": 1}]),
    )
    .await;
    mount_json_reply(
        &nc,
        "GET",
        &format!("{COOKBOOK}/keywords$"),
        200,
        json!([{"name": "sweet", "recipe_count": 1}]),
    )
    .await;
    let (server, client) = start_app_server(&nc).await;

    expect_tool_ok(
        &client,
        "nc_cookbook_list_recipes",
        json!({}),
        "Baked bananas (recipe 123) [sweet]",
    )
    .await;
    expect_tool_ok(
        &client,
        "nc_cookbook_search_recipes",
        json!({"query": "banana"}),
        "Recipes matching 'banana': 1",
    )
    .await;
    expect_tool_ok(
        &client,
        "nc_cookbook_get_recipes_in_category",
        json!({"category": "Dessert"}),
        "Recipes in 'Dessert'",
    )
    .await;
    expect_tool_ok(
        &client,
        "nc_cookbook_get_recipes_with_keywords",
        json!({"keywords": ["sweet"]}),
        "Recipes with sweet",
    )
    .await;
    expect_tool_ok(
        &client,
        "nc_cookbook_get_recipe",
        json!({"recipe_id": 123}),
        "2. Bake",
    )
    .await;
    let new = json!({"name": "Pancakes", "ingredients": ["200 g flour"], "instructions": ["Mix", "Fry"], "prep_time": "10"});
    expect_tool_ok(
        &client,
        "nc_cookbook_create_recipe",
        new,
        "Created recipe 'Pancakes' (id 124)",
    )
    .await;
    expect_tool_ok(
        &client,
        "nc_cookbook_update_recipe",
        json!({"recipe_id": 123, "recipe_yield": 6}),
        "Updated recipe 'Baked bananas'",
    )
    .await;
    expect_tool_ok(
        &client,
        "nc_cookbook_delete_recipe",
        json!({"recipe_id": 123}),
        "Deleted recipe 123",
    )
    .await;
    expect_tool_ok(
        &client,
        "nc_cookbook_import_recipe",
        json!({"url": "https://example.com/bananas"}),
        "Imported",
    )
    .await;
    expect_tool_ok(
        &client,
        "nc_cookbook_list_categories",
        json!({}),
        "Dessert: 1 recipes",
    )
    .await;
    expect_tool_ok(
        &client,
        "nc_cookbook_list_keywords",
        json!({}),
        "sweet: 1 recipes",
    )
    .await;

    expect_tool_error(
        &client,
        "nc_cookbook_get_recipe",
        json!({"recipe_id": 9}),
        "recipe 9 does not exist",
    )
    .await;
    expect_tool_error(
        &client,
        "nc_cookbook_import_recipe",
        json!({"url": "ftp://example.com/x"}),
        "not a web address",
    )
    .await;
    expect_tool_error(
        &client,
        "nc_cookbook_create_recipe",
        json!({"name": "x", "prep_time": "soon"}),
        "not a duration",
    )
    .await;
    client.cancel().await.unwrap();
    server.shutdown().await;
}
