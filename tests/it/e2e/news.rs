//! End-to-end through rmcp's client over Streamable HTTP: every `nc_news_*`
//! tool against a stand-in Nextcloud that answers with the News 28.7.0
//! captures, including the 404s whose SQL text must never reach a result.

use crate::support::e2e::*;
use crate::support::fixtures::load;
use rmcp::model::CallToolResult;
use serde_json::json;
use wiremock::matchers::{body_json, method, path_regex, query_param};
use wiremock::{Mock, MockServer};

const N: &str = "news";
const API: &str = "^/index.php/apps/news/api/v1-3";

async fn serve(nc: &MockServer, verb: &str, at: &str, name: &str) {
    serve_capture(nc, verb, &format!("{API}{at}"), N, name).await;
}

/// Answers `GET /items` with `name` when the query has all of `params`.
async fn serve_items(nc: &MockServer, params: &[(&str, &str)], name: &str, priority: u8) {
    let mut mock = Mock::given(method("GET")).and(path_regex(format!("{API}/items$")));
    for (k, v) in params {
        mock = mock.and(query_param(*k, *v));
    }
    mock.respond_with(load(N, name).response.template())
        .with_priority(priority)
        .mount(nc)
        .await;
}

async fn news_server() -> MockServer {
    let nc = MockServer::start().await;
    serve(&nc, "GET", "/status$", "02-status").await;
    serve(&nc, "GET", "/folders$", "09-folders-list").await;
    serve(&nc, "GET", "/feeds$", "51-feeds-list-health").await;
    serve(&nc, "DELETE", "/feeds/3$", "59-feed-delete").await;
    serve(&nc, "DELETE", "/feeds/9$", "60-feed-delete-again").await;
    serve(&nc, "POST", "/items/3/read$", "24-item-read").await;
    serve(&nc, "POST", "/items/999999/read$", "25-item-read-unknown").await;
    serve(&nc, "POST", "/items/2/star$", "26-item-star").await;
    serve(&nc, "POST", "/items/999999/star$", "27-item-star-unknown").await;
    serve(&nc, "POST", "/items/3/unread$", "33-item-unread").await;
    serve(
        &nc,
        "POST",
        "/items/read/multiple$",
        "35-items-read-multiple",
    )
    .await;
    serve(
        &nc,
        "POST",
        "/items/unstar/multiple$",
        "37-items-unstar-multiple",
    )
    .await;
    // Feed creation: by the URL sent, as captured.
    for (url, name) in [
        (
            "http://127.0.0.1:28091/feed.xml",
            "10-feed-create-ip-address",
        ),
        (
            "http://localhost:28091/atom.xml",
            "13-feed-create-duplicate",
        ),
        (
            "http://localhost:28091/missing.xml",
            "14-feed-create-not-found",
        ),
        (
            "http://localhost:28091/feed.xml?x=1",
            "16-feed-create-unknown-folder",
        ),
    ] {
        let mut sent = json!({ "url": url });
        if name.starts_with("10") {
            sent["folderId"] = json!(1);
        }
        if name.starts_with("16") {
            sent["folderId"] = json!(999999);
        }
        Mock::given(method("POST"))
            .and(path_regex(format!("{API}/feeds$")))
            .and(body_json(sent))
            .respond_with(load(N, name).response.template())
            .mount(&nc)
            .await;
    }
    // Item lists: the first page of everything, then the page below item 7.
    // The first reply is the whole list (news/18), longer than the batch
    // asked for, which the tool must cut to its limit.
    serve_items(
        &nc,
        &[("type", "3"), ("getRead", "true"), ("batchSize", "3")],
        "18-items-all",
        3,
    )
    .await;
    serve_items(
        &nc,
        &[("type", "3"), ("offset", "7")],
        "20-items-all-page-2",
        2,
    )
    .await;
    serve_items(&nc, &[("type", "0"), ("id", "1")], "21-items-feed", 3).await;
    serve_items(&nc, &[("type", "1"), ("id", "1")], "22-items-folder", 3).await;
    serve_items(
        &nc,
        &[("type", "3"), ("getRead", "false")],
        "29-items-unread-via-getread",
        3,
    )
    .await;
    serve_items(
        &nc,
        &[("type", "2"), ("getRead", "true")],
        "30-items-starred",
        3,
    )
    .await;
    // One item: the list below id+1, one long.
    serve_items(
        &nc,
        &[("batchSize", "1"), ("offset", "4")],
        "23-item-one-by-offset",
        1,
    )
    .await;
    serve_items(
        &nc,
        &[("batchSize", "1"), ("offset", "1000")],
        "54-items-as-bob",
        1,
    )
    .await;
    catch_all(&nc).await;
    nc
}

fn assert_no_internals(tool: &str, result: &CallToolResult) {
    let text = text_of(result);
    for marker in [
        "SELECT",
        "PREFIX",
        "query",
        "<html",
        "DOCTYPE",
        "Request ID",
    ] {
        assert!(!text.contains(marker), "{tool} shows '{marker}': {text}");
    }
}

#[tokio::test]
async fn news_tools_read_feeds_folders_and_status() {
    let nc = news_server().await;
    let (server, client) = start_app_server(&nc).await;

    expect_tool_ok(
        &client,
        "nc_news_get_status",
        json!({}),
        "News 28.7.0: no setup problems",
    )
    .await;
    let folders = expect_tool_ok(
        &client,
        "nc_news_list_folders",
        json!({}),
        "fx-Technology (folder 1)",
    )
    .await;
    assert_eq!(folders["total"], 3);
    let feeds = expect_tool_ok(
        &client,
        "nc_news_list_feeds",
        json!({}),
        "fx-Fixture Feed (feed 3, folder 1): 0 unread, http://vm:28091/broken.xml [updates failing: 2 in a row]",
    )
    .await;
    assert_eq!(feeds["newest_item_id"], 8);
    let health = expect_tool_ok(
        &client,
        "nc_news_get_feed_health",
        json!({"feed_id": 3}),
        "the last 2 update(s) failed: No parser can handle this stream",
    )
    .await;
    assert_eq!(health["healthy"], false);
    expect_tool_ok(
        &client,
        "nc_news_get_feed_health",
        json!({"feed_id": 2}),
        "updates normally",
    )
    .await;
    expect_tool_error(
        &client,
        "nc_news_get_feed_health",
        json!({"feed_id": 77}),
        "news feed 77 does not exist",
    )
    .await;
    client.cancel().await.unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn news_tools_page_items_with_an_opaque_cursor() {
    let nc = news_server().await;
    let (server, client) = start_app_server(&nc).await;

    // Page 1 asks one more than shown, to know that more exist.
    let first = expect_tool_ok(
        &client,
        "nc_news_list_items",
        json!({"limit": 2}),
        "fx-First post (item 8, feed 3",
    )
    .await;
    assert_eq!(first["count"], 2);
    assert_eq!(first["has_more"], true);
    let cursor = first["next_cursor"].as_str().unwrap().to_string();
    assert!(
        cursor.parse::<u64>().is_err(),
        "the cursor is not the raw id: {cursor}"
    );
    assert!(first["items"][0].get("body").is_none() && first["items"][0]["summary"].is_string());

    let second = expect_tool_ok(
        &client,
        "nc_news_list_items",
        json!({"limit": 2, "cursor": cursor}),
        "fx-Third post (item 6",
    )
    .await;
    assert_eq!(second["has_more"], false);
    let page_two = nc
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .rfind(|r| r.url.path().ends_with("/items"))
        .unwrap();
    let query: Vec<(String, String)> = page_two
        .url
        .query_pairs()
        .map(|(k, v)| (k.into(), v.into()))
        .collect();
    assert!(query.contains(&("offset".into(), "7".into())), "{query:?}");

    expect_tool_error(
        &client,
        "nc_news_list_items",
        json!({"cursor": "7"}),
        "is not one this server gave",
    )
    .await;
    expect_tool_error(
        &client,
        "nc_news_list_items",
        json!({"feed_id": 1, "folder_id": 1}),
        "not both",
    )
    .await;
    expect_tool_ok(
        &client,
        "nc_news_list_items",
        json!({"feed_id": 1}),
        "(item 3, feed 1",
    )
    .await;
    expect_tool_ok(
        &client,
        "nc_news_list_items",
        json!({"folder_id": 1}),
        "News items",
    )
    .await;
    let unread = expect_tool_ok(
        &client,
        "nc_news_get_unread_items",
        json!({}),
        "Unread items",
    )
    .await;
    assert!(
        unread["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["unread"] == true)
    );
    let starred = expect_tool_ok(
        &client,
        "nc_news_get_starred_items",
        json!({}),
        "[starred] fx-Second post (item 2",
    )
    .await;
    assert_eq!(starred["count"], 1);
    // Starred and unread together: News lists starred, the read ones are dropped here.
    expect_tool_ok(
        &client,
        "nc_news_list_items",
        json!({"starred_only": true, "unread_only": true}),
        "fx-Second post",
    )
    .await;
    let sent: Vec<String> = nc
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path().ends_with("/items"))
        .map(|r| r.url.query().unwrap_or_default().to_string())
        .collect();
    assert!(
        sent.iter()
            .all(|q| !(q.contains("type=2") && q.contains("getRead=false"))),
        "getRead=false is never sent with the starred list: {sent:?}"
    );

    let item = expect_tool_ok(
        &client,
        "nc_news_get_item",
        json!({"item_id": 3}),
        "Hello from the first post.",
    )
    .await;
    assert_eq!(item["item"]["id"], 3);
    expect_tool_error(
        &client,
        "nc_news_get_item",
        json!({"item_id": 999}),
        "news item 999 does not exist",
    )
    .await;
    client.cancel().await.unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn news_tools_mark_subscribe_and_never_show_sql() {
    let nc = news_server().await;
    let (server, client) = start_app_server(&nc).await;

    expect_tool_ok(
        &client,
        "nc_news_mark_items",
        json!({"item_ids": [3]}),
        "Marked item(s) 3 read",
    )
    .await;
    expect_tool_ok(
        &client,
        "nc_news_mark_items",
        json!({"item_ids": [3], "read": false}),
        "Marked item(s) 3 unread",
    )
    .await;
    expect_tool_ok(
        &client,
        "nc_news_mark_items",
        json!({"item_ids": [3, 2]}),
        "Marked item(s) 2, 3 read",
    )
    .await;
    expect_tool_ok(
        &client,
        "nc_news_star_items",
        json!({"item_ids": [2]}),
        "item(s) 2 now starred",
    )
    .await;
    expect_tool_ok(
        &client,
        "nc_news_star_items",
        json!({"item_ids": [3, 2], "starred": false}),
        "now not starred",
    )
    .await;
    expect_tool_error(
        &client,
        "nc_news_mark_items",
        json!({"item_ids": []}),
        "give 1 to 500 item ids",
    )
    .await;

    for (tool, args) in [
        ("nc_news_mark_items", json!({"item_ids": [999999]})),
        ("nc_news_star_items", json!({"item_ids": [999999]})),
        ("nc_news_remove_feed", json!({"feed_id": 9})),
        (
            "nc_news_add_feed",
            json!({"url": "http://localhost:28091/feed.xml?x=1", "folder_id": 999999}),
        ),
    ] {
        let result = call(&client, tool, args).await;
        assert_eq!(result.is_error, Some(true), "{tool}: {}", text_of(&result));
        assert_no_internals(tool, &result);
    }
    expect_tool_error(
        &client,
        "nc_news_mark_items",
        json!({"item_ids": [999999]}),
        "news item 999999 does not exist",
    )
    .await;
    expect_tool_error(
        &client,
        "nc_news_remove_feed",
        json!({"feed_id": 9}),
        "news feed 9 does not exist",
    )
    .await;

    expect_tool_ok(
        &client,
        "nc_news_add_feed",
        json!({"url": "http://127.0.0.1:28091/feed.xml", "folder_id": 1}),
        "Subscribed to fx-Fixture Feed (feed 1)",
    )
    .await;
    expect_tool_error(
        &client,
        "nc_news_add_feed",
        json!({"url": "http://localhost:28091/atom.xml"}),
        "already subscribed",
    )
    .await;
    expect_tool_error(
        &client,
        "nc_news_add_feed",
        json!({"url": "http://localhost:28091/missing.xml"}),
        "News could not read a feed at http://localhost:28091/missing.xml",
    )
    .await;
    expect_tool_error(
        &client,
        "nc_news_add_feed",
        json!({"url": "http://localhost:28091/feed.xml?x=1", "folder_id": 999999}),
        "check that the folder exists",
    )
    .await;
    expect_tool_error(
        &client,
        "nc_news_add_feed",
        json!({"url": "feed.xml"}),
        "url",
    )
    .await;
    expect_tool_ok(
        &client,
        "nc_news_remove_feed",
        json!({"feed_id": 3}),
        "Unsubscribed from feed 3",
    )
    .await;
    client.cancel().await.unwrap();
    server.shutdown().await;
}
