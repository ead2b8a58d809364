//! End-to-end through rmcp's client over Streamable HTTP: every tool for
//! tags, comments, favorites, the trash bin, versions and file search,
//! against real Nextcloud 34 captures, and the errors a person sees.

use crate::support::e2e::*;
use crate::support::fixtures::load;
use serde_json::json;
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const FILES: &str = "/remote.php/dav/files/admin";

/// A Nextcloud answering every request these tools make with a capture.
async fn nextcloud() -> MockServer {
    let nc = MockServer::start().await;
    for (verb, pattern, folder, name) in [
        (
            "PROPFIND",
            format!("^{FILES}/fx-tagged.txt$"),
            "systemtags",
            "19-file-props-with-tags",
        ),
        (
            "PROPFIND",
            format!("^{FILES}/Fixtures/hello.txt$"),
            "webdav",
            "24-propfind-file-depth0",
        ),
        (
            "PROPFIND",
            "^/remote.php/dav/systemtags/$".into(),
            "systemtags",
            "26-list-all-tags-after-create",
        ),
        (
            "POST",
            "^/remote.php/dav/systemtags/$".into(),
            "systemtags",
            "04-create-tag",
        ),
        (
            "PROPFIND",
            "^/remote.php/dav/systemtags-relations/files/405$".into(),
            "systemtags",
            "18-file-tags",
        ),
        (
            "PUT",
            "^/remote.php/dav/systemtags-relations/files/405/1$".into(),
            "systemtags",
            "11-assign-tag",
        ),
        (
            "DELETE",
            "^/remote.php/dav/systemtags-relations/files/405/1$".into(),
            "systemtags",
            "23-unassign-tag",
        ),
        (
            "REPORT",
            "^/remote.php/dav/comments/files/405$".into(),
            "comments",
            "08-list-report",
        ),
        (
            "POST",
            "^/remote.php/dav/comments/files/405$".into(),
            "comments",
            "01-create",
        ),
        (
            "PROPPATCH",
            "^/remote.php/dav/comments/files/405/7$".into(),
            "comments",
            "12-edit",
        ),
        (
            "PROPPATCH",
            "^/remote.php/dav/comments/files/405/9$".into(),
            "comments",
            "20-edit-admins-comment-as-bob-403",
        ),
        (
            "DELETE",
            "^/remote.php/dav/comments/files/405/8$".into(),
            "comments",
            "16-delete",
        ),
        (
            "PROPPATCH",
            format!("^{FILES}/Fixtures/hello.txt$"),
            "webdav",
            "30-proppatch-favorite",
        ),
        (
            "PROPFIND",
            "^/remote.php/dav/trashbin/admin/trash/$".into(),
            "webdav",
            "37-trashbin-list",
        ),
        (
            "MOVE",
            "^/remote.php/dav/trashbin/admin/trash/hello-moved.txt.d1795423109$".into(),
            "webdav",
            "38-trashbin-restore",
        ),
        (
            "PROPFIND",
            "^/remote.php/dav/versions/admin/versions/228/$".into(),
            "webdav",
            "34-versions-list",
        ),
        (
            "SEARCH",
            "^/remote.php/dav/$".into(),
            "webdav",
            "33-search-mimetype-and-size",
        ),
    ] {
        serve_capture(&nc, verb, &pattern, folder, name).await;
    }
    for (rule, name, folder) in [
        ("<oc:systemtag>", "20-filter-files-by-tag", "systemtags"),
        (
            "<oc:favorite>1</oc:favorite>",
            "31-report-favorites",
            "webdav",
        ),
    ] {
        Mock::given(method("REPORT"))
            .and(path(format!("{FILES}/")))
            .and(body_string_contains(rule))
            .respond_with(load(folder, name).response.template())
            .mount(&nc)
            .await;
    }
    Mock::given(method("MOVE"))
        .and(path(
            "/remote.php/dav/versions/admin/versions/228/1795423106",
        ))
        .respond_with(ResponseTemplate::new(204))
        .mount(&nc)
        .await;
    catch_all(&nc).await;
    nc
}

#[tokio::test]
async fn tag_tools_against_real_captures() {
    let nc = nextcloud().await;
    let (server, client) = start_app_server(&nc).await;

    let tags = expect_tool_ok(
        &client,
        "nc_webdav_list_tags",
        json!({}),
        "fx-urgent-renamed (id 1)",
    )
    .await;
    assert_eq!(tags["tags"].as_array().unwrap().len(), 2);
    expect_tool_ok(
        &client,
        "nc_webdav_get_file_tags",
        json!({"path": "fx-tagged.txt"}),
        "2 tags on /fx-tagged.txt",
    )
    .await;
    let found = expect_tool_ok(
        &client,
        "nc_webdav_find_by_tag_name",
        json!({"tag": "FX-URGENT-RENAMED"}),
        "/fx-tagged.txt",
    )
    .await;
    assert_eq!(found["results"][0]["file_id"], 405);
    let tagged = expect_tool_ok(
        &client,
        "nc_webdav_tag_file",
        json!({"path": "fx-tagged.txt", "tag": "fx-urgent-renamed"}),
        "Tagged /fx-tagged.txt with 'fx-urgent-renamed'",
    )
    .await;
    assert_eq!(tagged["tag_created"], false);
    // A new name creates the tag (the capture gives it id 1), then assigns it.
    let created = expect_tool_ok(
        &client,
        "nc_webdav_tag_file",
        json!({"path": "fx-tagged.txt", "tag": "fx-brand-new"}),
        "Created tag 'fx-brand-new' (id 1)",
    )
    .await;
    assert_eq!(created["tag_created"], true);
    assert_eq!(created["changed"], true);
    expect_tool_ok(
        &client,
        "nc_webdav_untag_file",
        json!({"path": "fx-tagged.txt", "tag": "fx-urgent-renamed"}),
        "Removed tag 'fx-urgent-renamed' from /fx-tagged.txt",
    )
    .await;

    let unknown = call(
        &client,
        "nc_webdav_untag_file",
        json!({"path": "fx-tagged.txt", "tag": "no-such-tag"}),
    )
    .await;
    assert_tool_error(
        "nc_webdav_untag_file",
        &unknown,
        "nc_webdav_list_tags lists the tags",
    );
    let empty = call(&client, "nc_webdav_find_by_tag_name", json!({"tag": "  "})).await;
    assert_tool_error("nc_webdav_find_by_tag_name", &empty, "tag is empty");

    client.cancel().await.unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn comment_tools_against_real_captures() {
    let nc = nextcloud().await;
    let (server, client) = start_app_server(&nc).await;

    let listed = expect_tool_ok(
        &client,
        "nc_webdav_list_comments",
        json!({"path": "fx-tagged.txt", "limit": 2}),
        "More: call again with offset 2.",
    )
    .await;
    assert_eq!(listed["comments"].as_array().unwrap().len(), 2);
    assert_eq!(listed["page"]["has_more"], true);
    assert_eq!(listed["page"]["next_offset"], 2);
    let all = expect_tool_ok(
        &client,
        "nc_webdav_list_comments",
        json!({"path": "fx-tagged.txt"}),
        "[7] admin (Sun, 06 Dec 2026 22:30:08 GMT): fx first comment, @bob please look",
    )
    .await;
    assert_eq!(all["page"]["has_more"], false);
    let created = expect_tool_ok(
        &client,
        "nc_webdav_create_comment",
        json!({"path": "fx-tagged.txt", "message": "fx first comment, @bob please look"}),
        "comment 7",
    )
    .await;
    assert_eq!(created["comment_id"], 7);
    expect_tool_ok(
        &client,
        "nc_webdav_update_comment",
        json!({"path": "fx-tagged.txt", "comment_id": 7, "message": "fx first comment (edited)"}),
        "Updated comment 7",
    )
    .await;
    expect_tool_ok(
        &client,
        "nc_webdav_delete_comment",
        json!({"path": "fx-tagged.txt", "comment_id": 8}),
        "Deleted comment 8",
    )
    .await;

    let foreign = call(
        &client,
        "nc_webdav_update_comment",
        json!({"path": "fx-tagged.txt", "comment_id": 9, "message": "x"}),
    )
    .await;
    assert_tool_error(
        "nc_webdav_update_comment",
        &foreign,
        "Only authors are allowed to edit their comment.",
    );
    let blank = call(
        &client,
        "nc_webdav_create_comment",
        json!({"path": "fx-tagged.txt", "message": "   "}),
    )
    .await;
    assert_tool_error("nc_webdav_create_comment", &blank, "message is empty");
    let too_many = call(
        &client,
        "nc_webdav_list_comments",
        json!({"path": "fx-tagged.txt", "limit": 101}),
    )
    .await;
    assert_tool_error("nc_webdav_list_comments", &too_many, "between 1 and 100");

    client.cancel().await.unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn favorite_trash_and_version_tools_against_real_captures() {
    let nc = nextcloud().await;
    let (server, client) = start_app_server(&nc).await;

    let favorites = expect_tool_ok(
        &client,
        "nc_webdav_list_favorites",
        json!({"limit": 2}),
        "3 favorites under /",
    )
    .await;
    assert_eq!(favorites["favorites"].as_array().unwrap().len(), 2);
    assert_eq!(favorites["page"]["next_cursor"], "2");
    expect_tool_ok(
        &client,
        "nc_webdav_set_favorite",
        json!({"path": "Fixtures/hello.txt"}),
        "Marked /Fixtures/hello.txt as a favorite",
    )
    .await;

    let trash = expect_tool_ok(
        &client,
        "nc_webdav_list_trash",
        json!({}),
        "[entry_id: hello-moved.txt.d1795423109]",
    )
    .await;
    assert_eq!(
        trash["entries"][0]["original_location"], "Fixtures/Archive/hello-moved.txt",
        "most recently deleted first"
    );
    expect_tool_ok(
        &client,
        "nc_webdav_restore_from_trash",
        json!({"entry_id": "hello-moved.txt.d1795423109"}),
        "Restored hello-moved.txt.d1795423109",
    )
    .await;
    let climbing = call(
        &client,
        "nc_webdav_restore_from_trash",
        json!({"entry_id": "../files/x"}),
    )
    .await;
    assert_tool_error(
        "nc_webdav_restore_from_trash",
        &climbing,
        "take it from the listing",
    );

    let versions = expect_tool_ok(
        &client,
        "nc_webdav_list_versions",
        json!({"path": "Fixtures/hello.txt"}),
        "2 earlier versions of /Fixtures/hello.txt",
    )
    .await;
    assert_eq!(
        versions["versions"][0]["version_id"], "1795423107",
        "newest first"
    );
    expect_tool_ok(
        &client,
        "nc_webdav_restore_version",
        json!({"path": "Fixtures/hello.txt", "version_id": "1795423106"}),
        "Restored version 1795423106 of /Fixtures/hello.txt",
    )
    .await;
    let unknown = call(
        &client,
        "nc_webdav_restore_version",
        json!({"path": "Fixtures/hello.txt", "version_id": "42"}),
    )
    .await;
    assert_tool_error("nc_webdav_restore_version", &unknown, "does not exist");

    client.cancel().await.unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn search_tools_against_real_captures() {
    let nc = nextcloud().await;
    let (server, client) = start_app_server(&nc).await;

    let page = expect_tool_ok(
        &client,
        "nc_webdav_search_files",
        json!({"scope": "Fixtures", "mime_type": "text", "min_size": 21, "limit": 3}),
        "More: call again with cursor \"3\".",
    )
    .await;
    assert_eq!(page["results"].as_array().unwrap().len(), 3);
    let last = expect_tool_ok(
        &client,
        "nc_webdav_search_files",
        json!({"scope": "Fixtures", "mime_type": "text", "min_size": 21, "limit": 3, "cursor": "3"}),
        "/Fixtures/Archive/report-2026.md",
    )
    .await;
    assert_eq!(last["page"]["has_more"], false);
    expect_tool_ok(
        &client,
        "nc_webdav_find_by_type",
        json!({"mime_type": "text/*", "scope": "Fixtures"}),
        "4 results under /Fixtures",
    )
    .await;

    let sent: Vec<String> = nc
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.method.as_str() == "SEARCH")
        .map(|r| String::from_utf8(r.body).unwrap())
        .collect();
    assert!(
        sent[0].contains("<d:nresults>4</d:nresults>"),
        "a page asks one more"
    );
    assert!(sent[1].contains("<d:nresults>7</d:nresults>"));
    assert!(sent[0].contains("<d:literal>text/%</d:literal>"));
    assert!(sent[0].contains("<d:literal>20</d:literal>"));

    let nothing = call(&client, "nc_webdav_search_files", json!({})).await;
    assert_tool_error(
        "nc_webdav_search_files",
        &nothing,
        "give at least one filter",
    );
    let bad_date = call(
        &client,
        "nc_webdav_search_files",
        json!({"modified_after": "yesterday"}),
    )
    .await;
    assert_tool_error("nc_webdav_search_files", &bad_date, "is not a date");
    let bad_type = call(
        &client,
        "nc_webdav_find_by_type",
        json!({"mime_type": "*/*"}),
    )
    .await;
    assert_tool_error("nc_webdav_find_by_type", &bad_type, "is not a MIME type");

    client.cancel().await.unwrap();
    server.shutdown().await;
}
