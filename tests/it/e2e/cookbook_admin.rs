//! End-to-end through rmcp's client: Cookbook settings, reindex, and a
//! delete that reports "no such recipe", on real Cookbook 0.11.9 captures.

use crate::support::e2e::*;
use serde_json::json;
use wiremock::MockServer;

const COOKBOOK: &str = "^/index.php/apps/cookbook/api/v1";

#[tokio::test]
async fn settings_reindex_and_delete_of_a_missing_recipe() {
    let nc = MockServer::start().await;
    for (verb, pattern, name) in [
        ("POST", format!("{COOKBOOK}/config$"), "23-config-set"),
        (
            "GET",
            format!("{COOKBOOK}/config$"),
            "24-config-get-after-set",
        ),
        ("POST", format!("{COOKBOOK}/reindex$"), "26-reindex"),
        (
            "GET",
            format!("{COOKBOOK}/recipes/999999$"),
            "12-recipe-get-unknown",
        ),
        (
            "DELETE",
            format!("{COOKBOOK}/recipes/999999$"),
            "34-recipe-delete-unknown",
        ),
    ] {
        serve_capture(&nc, verb, &pattern, "cookbook", name).await;
    }
    let (server, client) = start_app_server(&nc).await;

    let config = expect_tool_ok(
        &client,
        "nc_cookbook_set_config",
        json!({"update_interval": 10, "print_image": false}),
        "update interval: 10 minutes",
    )
    .await;
    assert_eq!(config["folder"], "/Recipes");
    assert_eq!(config["print_image"], false);
    expect_tool_error(
        &client,
        "nc_cookbook_set_config",
        json!({}),
        "nothing to change",
    )
    .await;
    expect_tool_error(
        &client,
        "nc_cookbook_set_config",
        json!({"update_interval": 0}),
        "update_interval 0 is out of range",
    )
    .await;
    expect_tool_ok(
        &client,
        "nc_cookbook_reindex",
        json!({}),
        "rebuilt its search index",
    )
    .await;
    expect_tool_error(
        &client,
        "nc_cookbook_delete_recipe",
        json!({"recipe_id": 999999}),
        "no such recipe: recipe 999999 does not exist",
    )
    .await;
    let deletes = nc
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.method.as_str() == "DELETE")
        .count();
    assert_eq!(deletes, 0, "nothing is deleted when the recipe is missing");
    // The settings POST carried only the two changed keys.
    let posted: Vec<serde_json::Value> = nc
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.method.as_str() == "POST" && r.url.path().ends_with("/config"))
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    assert_eq!(
        posted,
        [json!({"update_interval": 10, "print_image": false})]
    );
    server.shutdown().await;
}
