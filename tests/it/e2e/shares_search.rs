//! End-to-end through rmcp's client over Streamable HTTP: every sharing and
//! unified search tool against real Nextcloud 34 captures, and their errors.

use crate::support::e2e::*;
use crate::support::fixtures::load;
use serde_json::json;
use wiremock::matchers::{body_partial_json, method, path_regex, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SHARES: &str = "^/ocs/v2.php/apps/files_sharing/api/v1";
const SEARCH: &str = "^/ocs/v2.php/search/providers";

#[tokio::test]
async fn sharing_tools_against_real_captures() {
    let nc = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path_regex(format!("{SHARES}/shares$")))
        .and(query_param("path", "/Fixtures"))
        .respond_with(load("ocs-shares", "05-list-by-path").response.template())
        .with_priority(1)
        .mount(&nc)
        .await;
    Mock::given(method("POST"))
        .and(path_regex(format!("{SHARES}/shares$")))
        .and(body_partial_json(json!({"shareType": 0})))
        .respond_with(
            load("ocs-shares", "02-create-user-share")
                .response
                .template(),
        )
        .with_priority(1)
        .mount(&nc)
        .await;
    for (verb, pattern, name) in [
        ("GET", format!("{SHARES}/shares$"), "04-list-mine"),
        ("POST", format!("{SHARES}/shares$"), "01-create-public-link"),
        ("GET", format!("{SHARES}/shares/11$"), "08-get"),
        ("GET", format!("{SHARES}/shares/99$"), "17-get-deleted-404"),
        (
            "PUT",
            format!("{SHARES}/shares/11$"),
            "11-update-label-note",
        ),
        (
            "PUT",
            format!("{SHARES}/shares/12$"),
            "13-update-user-share-permissions",
        ),
        ("DELETE", format!("{SHARES}/shares/11$"), "16-delete"),
        ("GET", format!("{SHARES}/sharees$"), "15-sharees-search"),
    ] {
        serve_capture(&nc, verb, &pattern, "ocs-shares", name).await;
    }
    let (server, client) = start_app_server(&nc).await;

    let listed = expect_tool_ok(&client, "nc_share_list", json!({}), "[17: read, share]").await;
    assert_eq!(
        listed["shares"][0]["permission_names"],
        json!(["read", "update", "create", "delete", "share"])
    );
    expect_tool_ok(
        &client,
        "nc_share_list",
        json!({"path": "Fixtures", "reshares": true}),
        "Shares: 1",
    )
    .await;
    expect_tool_ok(
        &client,
        "nc_share_get",
        json!({"share_id": 11}),
        "index.php/s/CwziT5MM97GWZTN",
    )
    .await;
    let link = json!({"path": "Fixtures/hello.txt", "expire_date": "2999-12-31", "password": "s3cret-enough"});
    expect_tool_ok(
        &client,
        "nc_share_create_public_link",
        link,
        "public link /Fixtures/hello.txt",
    )
    .await;
    let user =
        json!({"path": "Fixtures", "share_with": "alice", "share_type": 0, "permissions": 31});
    expect_tool_ok(&client, "nc_share_create", user, "Alice Fixture (alice)").await;
    expect_tool_ok(
        &client,
        "nc_share_update",
        json!({"share_id": 11, "label": "Fixture link", "note": "read me"}),
        "share 11",
    )
    .await;
    expect_tool_ok(
        &client,
        "nc_share_update",
        json!({"share_id": 12, "permissions": 1}),
        "[1: read]",
    )
    .await;
    expect_tool_ok(
        &client,
        "nc_share_delete",
        json!({"share_id": 11}),
        "Deleted share 11",
    )
    .await;
    expect_tool_ok(
        &client,
        "nc_share_find_sharees",
        json!({"search": "ali"}),
        "share_with 'alice'",
    )
    .await;

    expect_tool_error(
        &client,
        "nc_share_get",
        json!({"share_id": 99}),
        "share 99 does not exist",
    )
    .await;
    expect_tool_error(
        &client,
        "nc_share_update",
        json!({"share_id": 11, "expire_date": "2020-01-01"}),
        "in the past",
    )
    .await;
    expect_tool_error(
        &client,
        "nc_share_create",
        json!({"path": "Fixtures", "share_type": 1}),
        "share_with is required",
    )
    .await;
    expect_tool_error(
        &client,
        "nc_share_update",
        json!({"share_id": 12, "permissions": 64}),
        "out of range",
    )
    .await;
    client.cancel().await.unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn search_tools_against_real_captures() {
    let nc = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path_regex(format!("{SEARCH}/files/search$")))
        .and(query_param("cursor", "2"))
        .respond_with(
            load("unified-search", "04-search-files-page-2")
                .response
                .template(),
        )
        .with_priority(1)
        .mount(&nc)
        .await;
    for (pattern, name) in [
        (format!("{SEARCH}$"), "01-providers"),
        (format!("{SEARCH}/files/search$"), "02-search-files"),
        (format!("{SEARCH}/notes/search$"), "05-search-notes"),
        (
            format!("{SEARCH}/search-deck-card-board/search$"),
            "06-search-deck-cards",
        ),
        (
            format!("{SEARCH}/nope/search$"),
            "07-search-unknown-provider-500",
        ),
    ] {
        serve_capture(&nc, "GET", &pattern, "unified-search", name).await;
    }
    let empty =
        ocs_envelope(json!({"name": "Other", "isPaginated": false, "entries": [], "cursor": null}));
    Mock::given(method("GET"))
        .and(path_regex(format!("{SEARCH}/[a-z-]+/search$")))
        .respond_with(ResponseTemplate::new(200).set_body_json(empty))
        .with_priority(10)
        .mount(&nc)
        .await;
    let (server, client) = start_app_server(&nc).await;

    expect_tool_ok(
        &client,
        "nc_search_list_providers",
        json!({}),
        "Deck boards and cards (id search-deck-card-board",
    )
    .await;
    let result = call(
        &client,
        "nc_search_query",
        json!({"term": "hello", "provider": "files"}),
    )
    .await;
    let one = assert_ok("nc_search_query", &result);
    assert!(text_of(&result).contains("hello.txt — in Fixtures"));
    // 2 of the default 5: nothing more, though Nextcloud answers cursor 5.
    assert!(one["results"][0]["cursor"].is_null());
    assert!(!text_of(&result).contains("more: cursor"));
    assert_eq!(
        one["results"][0]["entries"][0]["resource_url"],
        "http://127.0.0.1:8080/index.php/f/228"
    );
    expect_tool_ok(
        &client,
        "nc_search_query",
        json!({"term": "txt", "provider": "files", "cursor": "2", "limit": 2}),
        "cursor \"4\"",
    )
    .await;
    let all = expect_tool_ok(
        &client,
        "nc_search_query",
        json!({"term": "Fixture"}),
        "Fixture board (renamed)",
    )
    .await;
    assert_eq!(
        all["results"].as_array().unwrap().len(),
        3,
        "files, notes and deck answer"
    );

    expect_tool_error(
        &client,
        "nc_search_query",
        json!({"term": "x", "provider": "nope"}),
        "'nope' does not exist",
    )
    .await;
    expect_tool_error(
        &client,
        "nc_search_query",
        json!({"term": "  "}),
        "search term is empty",
    )
    .await;
    client.cancel().await.unwrap();
    server.shutdown().await;
}

/// Nextcloud's rate limiter allows 20 share creations per 10 minutes; past
/// that, an OCS route answers HTTP 429 with a failure envelope whose status
/// code is 429 too (no capture has one, so it is built here, as Tables'
/// contract test builds it). Nextcloud itself sends no `Retry-After`; a proxy
/// in front of it may.
#[tokio::test]
async fn a_rate_limited_share_creation_says_so_and_when_to_retry() {
    let limited = json!({"ocs": {"meta": {"status": "failure", "statuscode": 429, "message": ""}, "data": []}});
    for (retry_after, when) in [
        (None, "wait a few minutes before retrying"),
        (Some("120"), "retry after 120 s"),
    ] {
        let nc = MockServer::start().await;
        let mut reply = ResponseTemplate::new(429).set_body_json(limited.clone());
        if let Some(seconds) = retry_after {
            reply = reply.insert_header("Retry-After", seconds);
        }
        Mock::given(method("POST"))
            .and(path_regex(format!("{SHARES}/shares$")))
            .respond_with(reply)
            .mount(&nc)
            .await;
        let (server, client) = start_app_server(&nc).await;
        for (tool, args) in [
            (
                "nc_share_create",
                json!({"path": "Fixtures", "share_type": 0, "share_with": "alice"}),
            ),
            (
                "nc_share_create_public_link",
                json!({"path": "Fixtures/hello.txt"}),
            ),
        ] {
            let result = call(&client, tool, args).await;
            assert_tool_error(tool, &result, "rate limited this request (HTTP 429)");
            assert_tool_error(tool, &result, when);
            assert!(!text_of(&result).contains("rejected the request"));
        }
        client.cancel().await.unwrap();
        server.shutdown().await;
    }
}
