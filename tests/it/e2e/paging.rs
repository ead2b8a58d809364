//! Large listings come a page at a time through rmcp's client: walking a
//! 2,000-entry folder and 300 notes page by page loses and repeats nothing,
//! and each page stays small.

use std::collections::BTreeSet;

use crate::support::e2e::*;
use serde_json::{Value, json};
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

const FILES: usize = 2_000;

/// A PROPFIND answer for folder `Big` holding `FILES` files, built in memory.
fn big_folder() -> String {
    let entry = |href: &str, name: &str, collection: bool, id: usize| {
        let kind = if collection {
            "<d:resourcetype><d:collection/></d:resourcetype>".to_string()
        } else {
            "<d:resourcetype/><d:getcontenttype>text/plain</d:getcontenttype><d:getcontentlength>12</d:getcontentlength>".to_string()
        };
        format!(
            "<d:response><d:href>{href}</d:href><d:propstat><d:prop><d:displayname>{name}</d:displayname>\
             <d:getlastmodified>Mon, 23 Nov 2026 08:38:28 GMT</d:getlastmodified><d:getetag>&quot;e{id}&quot;</d:getetag>\
             {kind}<oc:fileid>{id}</oc:fileid><oc:size>12</oc:size><oc:permissions>RGDNVW</oc:permissions>\
             </d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"
        )
    };
    let mut xml = String::from(
        "<?xml version=\"1.0\"?><d:multistatus xmlns:d=\"DAV:\" xmlns:s=\"http://sabredav.org/ns\" \
         xmlns:oc=\"http://owncloud.org/ns\" xmlns:nc=\"http://nextcloud.org/ns\">",
    );
    xml.push_str(&entry("/remote.php/dav/files/admin/Big/", "Big", true, 1));
    for i in 0..FILES {
        let name = format!("file-{i:04}.txt");
        xml.push_str(&entry(
            &format!("/remote.php/dav/files/admin/Big/{name}"),
            &name,
            false,
            10 + i,
        ));
    }
    xml.push_str("</d:multistatus>");
    xml
}

fn result_bytes(result: &rmcp::model::CallToolResult) -> usize {
    serde_json::to_vec(result).unwrap().len()
}

#[tokio::test]
async fn a_two_thousand_entry_folder_is_walked_page_by_page() {
    let nc = MockServer::start().await;
    Mock::given(method("PROPFIND"))
        .and(path_regex("^/remote.php/dav/files/admin/Big/?$"))
        .respond_with(
            ResponseTemplate::new(207).set_body_raw(big_folder(), "application/xml; charset=utf-8"),
        )
        .mount(&nc)
        .await;
    catch_all(&nc).await;
    let (server, client) = start_app_server(&nc).await;

    let mut seen = BTreeSet::new();
    let mut pages = 0;
    let mut cursor: Option<String> = None;
    loop {
        let mut args = json!({"path": "Big"});
        if let Some(c) = &cursor {
            args["cursor"] = json!(c);
        }
        let result = call(&client, "nc_webdav_list_directory", args).await;
        assert!(
            result_bytes(&result) < 50_000,
            "page of {} bytes",
            result_bytes(&result)
        );
        let listing = assert_ok("list", &result);
        for entry in listing["entries"].as_array().unwrap() {
            let path = entry["path"].as_str().unwrap().to_string();
            assert!(seen.insert(path.clone()), "{path} repeated");
        }
        assert_eq!(listing["page"]["total"], FILES);
        pages += 1;
        match &listing["page"]["next_cursor"] {
            Value::String(next) => {
                assert_eq!(listing["page"]["has_more"], true);
                assert!(
                    text_of(&result).contains(next.as_str()),
                    "the text says how to go on"
                );
                cursor = Some(next.clone());
            }
            _ => {
                assert_eq!(listing["page"]["has_more"], false);
                break;
            }
        }
        assert!(pages < 100, "paging does not end");
    }
    assert_eq!(seen.len(), FILES, "nothing lost");
    assert!(pages > 1);

    // A bigger page on request, and a cursor this server never gave refused.
    let result = call(
        &client,
        "nc_webdav_list_directory",
        json!({"path": "Big", "limit": "500"}),
    )
    .await;
    assert_eq!(
        assert_ok("list", &result)["entries"]
            .as_array()
            .unwrap()
            .len(),
        500
    );
    let result = call(
        &client,
        "nc_webdav_list_directory",
        json!({"path": "Big", "cursor": "x"}),
    )
    .await;
    assert_tool_error("list", &result, "next_cursor");
    client.cancel().await.unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn three_hundred_notes_are_walked_page_by_page() {
    let nc = MockServer::start().await;
    let notes: Vec<Value> = (1..=300)
        .map(|id| {
            json!({"id": id, "title": format!("Note {id}"), "content": "", "category": "",
                   "favorite": false, "modified": 1_700_000_000 + (id % 7), "etag": format!("e{id}")})
        })
        .collect();
    mount_json_reply(
        &nc,
        "GET",
        "^/index.php/apps/notes/api/v1/notes$",
        200,
        json!(notes),
    )
    .await;
    catch_all(&nc).await;
    let (server, client) = start_app_server(&nc).await;

    let mut seen = BTreeSet::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut args = json!({"limit": 40});
        if let Some(c) = &cursor {
            args["cursor"] = json!(c);
        }
        let listing = assert_ok("list", &call(&client, "nc_notes_list_notes", args).await);
        assert_eq!(listing["total"], 300);
        for note in listing["notes"].as_array().unwrap() {
            assert!(seen.insert(note["id"].as_u64().unwrap()), "{note} repeated");
        }
        match &listing["next_cursor"] {
            Value::String(next) => cursor = Some(next.clone()),
            _ => {
                assert_eq!(listing["has_more"], false);
                break;
            }
        }
    }
    assert_eq!(seen.len(), 300);
    client.cancel().await.unwrap();
    server.shutdown().await;
}
