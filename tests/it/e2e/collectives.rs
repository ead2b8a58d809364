//! End-to-end through rmcp's client over Streamable HTTP: every
//! `collectives_*` tool against a stand-in Nextcloud that answers with the
//! Collectives 4.5.0 captures, errors included, and the gating of the tools
//! when the app is missing.

use crate::support::e2e::*;
use crate::support::fixtures::load;
use serde_json::json;
use wiremock::matchers::{header, method, path_regex, query_param};
use wiremock::{Mock, MockServer};

const C: &str = "collectives";
const API: &str = "^/ocs/v2.php/apps/collectives/api/v1.0/collectives";
const PAGE_FILE: &str = "^/remote.php/dav/files/admin/.Collectives/fx-Handbook/fx-Policies.md$";

async fn serve(nc: &MockServer, verb: &str, at: &str, name: &str) {
    serve_capture(nc, verb, &format!("{API}{at}"), C, name).await;
}

/// A Nextcloud with Collectives that answers every tool with a capture.
async fn collectives_server() -> MockServer {
    let nc = MockServer::start().await;
    serve(&nc, "GET", "$", "04-collectives-list").await;
    serve(&nc, "POST", "$", "02-collective-create").await;
    serve(&nc, "PUT", "/1$", "05-collective-set-emoji").await;
    serve(&nc, "DELETE", "/1$", "52-collective-trash").await;
    serve(&nc, "GET", "/trash$", "54-collectives-trash-list").await;
    serve(&nc, "PATCH", "/trash/1$", "56-collective-restore").await;
    serve(&nc, "DELETE", "/trash/1$", "60-collective-delete").await;
    serve(
        &nc,
        "DELETE",
        "/trash/2$",
        "58-collective-delete-not-trashed",
    )
    .await;
    serve(&nc, "GET", "/1/pages$", "33-pages-list-with-tag").await;
    serve(
        &nc,
        "GET",
        "/999999/pages$",
        "13-pages-list-unknown-collective",
    )
    .await;
    serve(&nc, "GET", "/1/pages/424$", "18-page-get-after-write").await;
    serve(&nc, "GET", "/1/pages/999999$", "12-page-get-unknown").await;
    serve(&nc, "POST", "/1/pages/421$", "08-page-create-second").await;
    serve(
        &nc,
        "POST",
        "/1/pages/999999$",
        "10-page-create-unknown-parent",
    )
    .await;
    serve(&nc, "PUT", "/1/pages/424$", "22-page-copy").await;
    serve(&nc, "PUT", "/1/pages/427$", "23-page-move-rename").await;
    serve(&nc, "PUT", "/1/pages/423$", "24-page-move-into-own-subpage").await;
    serve(&nc, "PUT", "/1/pages/424/emoji$", "19-page-set-emoji").await;
    serve(&nc, "DELETE", "/1/pages/427$", "43-page-trash").await;
    serve(&nc, "GET", "/1/pages/trash$", "45-pages-trash-list").await;
    serve(&nc, "PATCH", "/1/pages/trash/427$", "47-page-restore").await;
    serve(&nc, "DELETE", "/1/pages/trash/427$", "50-page-trash-delete").await;
    serve(
        &nc,
        "DELETE",
        "/1/pages/trash/424$",
        "48-page-restore-not-in-trash",
    )
    .await;
    serve(&nc, "GET", "/1/search$", "40-page-search-after-index").await;
    // Before the index job ran, a search finds nothing.
    Mock::given(method("GET"))
        .and(path_regex(format!("{API}/1/search$")))
        .and(query_param("searchString", "Policies"))
        .respond_with(load(C, "37-page-search-title").response.template())
        .with_priority(1)
        .mount(&nc)
        .await;
    serve(&nc, "GET", "/1/tags$", "29-tags-list").await;
    serve(&nc, "POST", "/1/tags$", "26-tag-create").await;
    serve(&nc, "PUT", "/1/pages/424/tags/1$", "30-page-tag-assign").await;
    serve(
        &nc,
        "PUT",
        "/1/pages/424/tags/999999$",
        "32-page-tag-assign-unknown",
    )
    .await;
    serve(&nc, "DELETE", "/1/pages/424/tags/1$", "34-page-tag-remove").await;
    serve_capture(&nc, "GET", PAGE_FILE, C, "16-webdav-page-read").await;
    serve_capture(&nc, "PUT", PAGE_FILE, C, "15-webdav-page-write").await;
    // An etag that is not the file's gets WebDAV's 412.
    Mock::given(method("PUT"))
        .and(path_regex(PAGE_FILE))
        .and(header("If-Match", "\"stale\""))
        .respond_with(
            load("webdav", "10-put-stale-if-match-412")
                .response
                .template(),
        )
        .with_priority(1)
        .mount(&nc)
        .await;
    catch_all(&nc).await;
    nc
}

#[tokio::test]
async fn collectives_tools_manage_collectives() {
    let nc = collectives_server().await;
    let (server, client) = start_app_server(&nc).await;

    let list = expect_tool_ok(
        &client,
        "collectives_get_collectives",
        json!({}),
        "📘 fx-Handbook (collective 1)",
    )
    .await;
    assert_eq!(list["collectives"][0]["id"], 1);
    expect_tool_ok(
        &client,
        "collectives_create_collective",
        json!({"name": "fx-Handbook", "emoji": "📘"}),
        "Created collective 📘 fx-Handbook (collective 1)",
    )
    .await;
    expect_tool_error(
        &client,
        "collectives_create_collective",
        json!({"name": "a/b"}),
        "must not contain '/'",
    )
    .await;
    expect_tool_ok(
        &client,
        "collectives_set_collective_emoji",
        json!({"collective_id": 1, "emoji": "📗"}),
        "Collective 1 is now 📗 fx-Handbook",
    )
    .await;
    expect_tool_ok(
        &client,
        "collectives_trash_collective",
        json!({"collective_id": 1}),
        "to the trash",
    )
    .await;
    expect_tool_ok(
        &client,
        "collectives_get_trashed_collectives",
        json!({}),
        "Collectives in the trash: 1",
    )
    .await;
    expect_tool_ok(
        &client,
        "collectives_restore_collective",
        json!({"collective_id": 1}),
        "Restored collective",
    )
    .await;
    expect_tool_ok(
        &client,
        "collectives_delete_collective",
        json!({"collective_id": 1, "delete_team": true}),
        "and its team for good",
    )
    .await;
    let sent = nc.received_requests().await.unwrap();
    assert!(
        sent.iter()
            .any(|r| r.method.as_str() == "DELETE" && r.url.query() == Some("circle=true")),
        "delete_team must ask for the team to go too"
    );
    expect_tool_error(
        &client,
        "collectives_delete_collective",
        json!({"collective_id": 2}),
        "only a collective in the trash can be deleted for good",
    )
    .await;
    client.cancel().await.unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn collectives_tools_read_and_edit_pages() {
    let nc = collectives_server().await;
    let (server, client) = start_app_server(&nc).await;

    let tree = expect_tool_ok(
        &client,
        "collectives_get_pages",
        json!({"collective_id": 1}),
        "- Landing page (page 421)\n  - 📜 fx-Policies (page 424) [tags 1]\n  - 📜 fx-Policies (archived) (page 427)",
    )
    .await;
    assert_eq!(tree["total"], 5);
    assert_eq!(tree["pages"][0]["subpages"][2]["subpages"][0]["id"], 426);
    expect_tool_error(
        &client,
        "collectives_get_pages",
        json!({"collective_id": 999999}),
        "collective 999999 (or you are not a member of it) does not exist",
    )
    .await;

    let page = expect_tool_ok(
        &client,
        "collectives_get_page",
        json!({"collective_id": 1, "page_id": 424}),
        "All fixtures are **throwaway**.",
    )
    .await;
    assert_eq!(page["etag"], "\"68c1584cacb25ba8dbff077f87cb75c2\"");
    assert_eq!(page["file"], "/.Collectives/fx-Handbook/fx-Policies.md");
    expect_tool_error(
        &client,
        "collectives_get_page",
        json!({"collective_id": 1, "page_id": 999999}),
        "page 999999 in collective 1 does not exist",
    )
    .await;

    let written = expect_tool_ok(
        &client,
        "collectives_update_page_content",
        json!({"collective_id": 1, "page_id": 424, "content": "# fx-Policies\n",
               "etag": "\"68c1584cacb25ba8dbff077f87cb75c2\""}),
        "Updated the text of fx-Policies (page 424)",
    )
    .await;
    assert_eq!(written["etag"], "\"68c1584cacb25ba8dbff077f87cb75c2\"");
    let put = nc
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.method.as_str() == "PUT" && r.url.path().ends_with(".md"))
        .expect("the page was written over WebDAV");
    assert_eq!(
        put.headers.get("if-match").unwrap(),
        "\"68c1584cacb25ba8dbff077f87cb75c2\""
    );
    assert_eq!(put.body, b"# fx-Policies\n");
    expect_tool_error(
        &client,
        "collectives_update_page_content",
        json!({"collective_id": 1, "page_id": 424, "content": "x", "etag": "stale"}),
        "page 424 was changed by someone else since you read it",
    )
    .await;

    expect_tool_ok(
        &client,
        "collectives_create_page",
        json!({"collective_id": 1, "parent_id": 421, "title": "fx-Policies"}),
        "Created fx-Policies (page 424) (parent page 421)",
    )
    .await;
    expect_tool_error(
        &client,
        "collectives_create_page",
        json!({"collective_id": 1, "parent_id": 999999, "title": "fx-Orphan"}),
        "parent page 999999 in collective 1 does not exist",
    )
    .await;
    expect_tool_ok(
        &client,
        "collectives_move_page",
        json!({"collective_id": 1, "page_id": 424, "parent_id": 423, "title": "fx-Policies copy", "index": 0, "copy": true}),
        "Copied to 📜 fx-Policies copy (page 427) (parent page 423)",
    )
    .await;
    expect_tool_ok(
        &client,
        "collectives_move_page",
        json!({"collective_id": 1, "page_id": 427, "parent_id": 421, "title": "fx-Policies (archived)", "index": 1}),
        "Moved 📜 fx-Policies (archived) (page 427)",
    )
    .await;
    expect_tool_error(
        &client,
        "collectives_move_page",
        json!({"collective_id": 1, "page_id": 423, "parent_id": 426}),
        "Not allowed to move or copy a page to a subpage of itself",
    )
    .await;
    expect_tool_error(
        &client,
        "collectives_move_page",
        json!({"collective_id": 1, "page_id": 423}),
        "nothing to change",
    )
    .await;
    expect_tool_ok(
        &client,
        "collectives_set_page_emoji",
        json!({"collective_id": 1, "page_id": 424, "emoji": "📜"}),
        "Page is now 📜 fx-Policies",
    )
    .await;
    expect_tool_ok(
        &client,
        "collectives_trash_page",
        json!({"collective_id": 1, "page_id": 427}),
        "to the trash",
    )
    .await;
    expect_tool_ok(
        &client,
        "collectives_get_trashed_pages",
        json!({"collective_id": 1}),
        "fx-Policies (archived) (page 427)",
    )
    .await;
    expect_tool_ok(
        &client,
        "collectives_restore_page",
        json!({"collective_id": 1, "page_id": 427}),
        "Restored",
    )
    .await;
    expect_tool_ok(
        &client,
        "collectives_delete_page",
        json!({"collective_id": 1, "page_id": 427}),
        "Deleted page 427 of collective 1 for good",
    )
    .await;
    expect_tool_error(
        &client,
        "collectives_delete_page",
        json!({"collective_id": 1, "page_id": 424}),
        "only a page in the trash can be deleted for good",
    )
    .await;
    client.cancel().await.unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn collectives_tools_search_and_tag() {
    let nc = collectives_server().await;
    let (server, client) = start_app_server(&nc).await;

    let found = expect_tool_ok(
        &client,
        "collectives_search_pages",
        json!({"collective_id": 1, "query": "throwaway"}),
        "Pages mentioning 'throwaway': 2",
    )
    .await;
    assert_eq!(found["matched"], "text");
    // The index has nothing: titles stand in, and the reason is given.
    let titled = expect_tool_ok(
        &client,
        "collectives_search_pages",
        json!({"collective_id": 1, "query": "Policies"}),
        "built by a background job",
    )
    .await;
    assert_eq!(titled["matched"], "title");
    assert_eq!(titled["total"], 2);

    expect_tool_ok(
        &client,
        "collectives_get_tags",
        json!({"collective_id": 1}),
        "fx-draft (tag 1, #0082c9)",
    )
    .await;
    expect_tool_ok(
        &client,
        "collectives_create_tag",
        json!({"collective_id": 1, "name": "fx-draft", "color": "#0082C9"}),
        "Created tag fx-draft (tag 1, #0082c9)",
    )
    .await;
    let create = nc
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.method.as_str() == "POST" && r.url.path().ends_with("/tags"))
        .unwrap();
    let body: serde_json::Value = serde_json::from_slice(&create.body).unwrap();
    assert_eq!(
        body["color"], "0082c9",
        "sent without '#', as the app wants"
    );
    expect_tool_error(
        &client,
        "collectives_create_tag",
        json!({"collective_id": 1, "name": "x", "color": "red"}),
        "color must be 6 hex digits",
    )
    .await;
    expect_tool_ok(
        &client,
        "collectives_assign_tag",
        json!({"collective_id": 1, "page_id": 424, "tag_id": 1}),
        "Tag 1 is on 📜 fx-Policies (page 424) [tags 1]",
    )
    .await;
    expect_tool_error(
        &client,
        "collectives_assign_tag",
        json!({"collective_id": 1, "page_id": 424, "tag_id": 999999}),
        "tag 999999 or page 424 in collective 1 does not exist",
    )
    .await;
    expect_tool_ok(
        &client,
        "collectives_remove_tag",
        json!({"collective_id": 1, "page_id": 424, "tag_id": 1}),
        "Tag 1 is off",
    )
    .await;
    client.cancel().await.unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn collectives_and_news_tools_are_hidden_when_the_apps_are_missing() {
    let nc = MockServer::start().await;
    mount_json_reply(
        &nc,
        "GET",
        "^/ocs/v2.php/cloud/capabilities$",
        200,
        load("ocs-capabilities", "02-capabilities-v2-json")
            .response
            .body_json(),
    )
    .await;
    // Missing apps: OCS answers 998/404, index.php a bare 404.
    serve_capture(
        &nc,
        "GET",
        "^/ocs/v2.php/apps/collectives/",
        "tables-absent",
        "01-tables-ocs-v2",
    )
    .await;
    serve_capture(
        &nc,
        "GET",
        "^/index.php/apps/news/",
        "tables-absent",
        "04-cookbook-recipes",
    )
    .await;
    let (server, client) = start_app_server(&nc).await;
    expect_tool_ok(
        &client,
        "nc_refresh_capabilities",
        json!({}),
        "collectives, news",
    )
    .await;
    let names: Vec<String> = client
        .list_all_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name.to_string())
        .collect();
    assert!(
        !names
            .iter()
            .any(|n| n.starts_with("collectives_") || n.starts_with("nc_news_")),
        "{names:?}"
    );
    expect_tool_error(
        &client,
        "collectives_get_collectives",
        json!({}),
        "Collectives is not installed on this Nextcloud",
    )
    .await;
    expect_tool_error(
        &client,
        "nc_news_list_feeds",
        json!({}),
        "News is not installed on this Nextcloud",
    )
    .await;

    // Both apps answer their probes: a refresh brings the tools back.
    Mock::given(method("GET"))
        .and(path_regex(format!("{API}$")))
        .respond_with(load(C, "04-collectives-list").response.template())
        .with_priority(1)
        .mount(&nc)
        .await;
    Mock::given(method("GET"))
        .and(path_regex("^/index.php/apps/news/api/v1-3/version$"))
        .respond_with(load("news", "01-version").response.template())
        .with_priority(1)
        .mount(&nc)
        .await;
    expect_tool_ok(&client, "nc_refresh_capabilities", json!({}), "found").await;
    let names: Vec<String> = client
        .list_all_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name.to_string())
        .collect();
    assert_eq!(
        names
            .iter()
            .filter(|n| n.starts_with("collectives_"))
            .count(),
        22
    );
    assert_eq!(
        names.iter().filter(|n| n.starts_with("nc_news_")).count(),
        12
    );
    client.cancel().await.unwrap();
    server.shutdown().await;
}
