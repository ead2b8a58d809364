//! Large listings come a page at a time through rmcp's client: walking a
//! 2,000-entry folder, 300 notes and other lists page by page loses and
//! repeats nothing, and each page stays small. Every list tool in
//! tools/list takes a limit and a cursor (or offset), so a new one without
//! paging fails here.

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

/// Tools whose name says they list, search or find things.
fn is_list_tool(name: &str) -> bool {
    // `*_get_<...>s` names a plural (deck_get_cards, nc_webdav_get_file_tags);
    // a status is one thing.
    let plural_get = name.split_once("_get_").is_some_and(|(_, rest)| {
        rest.split('_')
            .any(|word| word.ends_with('s') && word != "status")
    });
    name.contains("_list") || name.contains("search") || name.contains("_find_") || plural_get
}

/// Listing tools whose result is bounded by what they are asked, not by
/// how much the user has stored.
const NOT_LISTINGS: &[&str] = &[
    // Free time in a date range the caller gives (at most a few weeks).
    "nc_calendar_find_availability",
    // The event classes this server knows: a fixed catalogue in the binary.
    "nc_webhooks_list_event_types",
];

#[tokio::test]
async fn every_list_tool_takes_a_limit_and_a_cursor() {
    let nc = MockServer::start().await;
    catch_all(&nc).await;
    let (server, client) = start_app_server(&nc).await;
    let tools = client.list_all_tools().await.expect("tools/list");
    let mut listing = 0;
    let mut missing = Vec::new();
    for tool in &tools {
        if !is_list_tool(&tool.name) || NOT_LISTINGS.contains(&tool.name.as_ref()) {
            continue;
        }
        listing += 1;
        let properties = tool
            .input_schema
            .get("properties")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let has = |name: &str| properties.contains_key(name);
        if !has("limit") || !(has("cursor") || has("offset")) {
            missing.push(tool.name.to_string());
        }
    }
    assert!(listing > 40, "only {listing} list tools found");
    assert!(
        missing.is_empty(),
        "list tools without limit and cursor: {missing:?}"
    );
    client.cancel().await.unwrap();
    server.shutdown().await;
}

/// Walks `tool` page by page with `limit`, following next_cursor, and
/// answers every item of `key` in order.
async fn walk(client: &Client, tool: &str, args: Value, key: &str, limit: usize) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..1000 {
        let mut page_args = args.clone();
        page_args["limit"] = json!(limit);
        if let Some(c) = &cursor {
            page_args["cursor"] = json!(c);
        }
        let result = call(client, tool, page_args).await;
        let structured = assert_ok(tool, &result);
        let page = structured[key]
            .as_array()
            .unwrap_or_else(|| panic!("{tool}: no {key} in {structured}"));
        assert!(page.len() <= limit, "{tool}: {} > {limit}", page.len());
        items.extend(page.iter().cloned());
        match structured["page"]["next_cursor"].as_str() {
            Some(next) => {
                assert_eq!(structured["page"]["has_more"], true, "{tool}");
                assert!(
                    text_of(&result).contains(next),
                    "{tool}: the text says how to go on"
                );
                cursor = Some(next.to_string());
            }
            None => {
                assert_eq!(structured["page"]["has_more"], false, "{tool}");
                return items;
            }
        }
    }
    panic!("{tool}: paging does not end");
}

/// The `field` of every item, checked to be unique (nothing repeated).
fn unique(tool: &str, items: &[Value], field: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    for item in items {
        let id = item[field].to_string();
        assert!(seen.insert(id.clone()), "{tool}: {id} repeated");
    }
    seen
}

#[tokio::test]
async fn newly_paged_lists_are_walked_without_loss_or_repeats() {
    let nc = MockServer::start().await;
    mount_search_providers(&nc, 57).await;
    let stubs: Vec<Value> = (1..=230)
        .map(|i| json!({"recipe_id": i, "id": i.to_string(), "name": format!("Recipe {i}"), "keywords": "k",
                        "dateCreated": "2022-01-02T16:12:41+0000", "imageUrl": "", "imagePlaceholderUrl": ""}))
        .collect();
    mount_json_reply(
        &nc,
        "GET",
        "^/index.php/apps/cookbook/api/v1/recipes$",
        200,
        json!(stubs),
    )
    .await;
    let notes: Vec<Value> = (1..=300)
        .map(|id| {
            json!({"id": id, "title": format!("Note {id}"), "content": "", "category": format!("c{id}"),
                   "favorite": false, "modified": 1_700_000_000 + id, "etag": format!("e{id}")})
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

    for (tool, args, key, field, total, limit) in [
        (
            "nc_search_list_providers",
            json!({}),
            "providers",
            "id",
            57,
            10,
        ),
        (
            "nc_cookbook_list_recipes",
            json!({}),
            "recipes",
            "id",
            230,
            40,
        ),
        (
            "nc_notes_search_notes",
            json!({"query": "note"}),
            "results",
            "id",
            300,
            70,
        ),
        (
            "nc_notes_list_categories",
            json!({}),
            "categories",
            "category",
            300,
            64,
        ),
    ] {
        let items = walk(&client, tool, args, key, limit).await;
        assert_eq!(
            unique(tool, &items, field).len(),
            total,
            "{tool}: nothing lost"
        );
    }
    client.cancel().await.unwrap();
    server.shutdown().await;
}

/// An address book of `CONTACTS` cards, answered to any REPORT, built in
/// memory. Two people share each name, so only the uid tells them apart.
const CONTACTS: usize = 150;

fn many_cards() -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\"?><d:multistatus xmlns:d=\"DAV:\" xmlns:card=\"urn:ietf:params:xml:ns:carddav\">",
    );
    for i in 0..CONTACTS {
        xml.push_str(&format!(
            "<d:response><d:href>/remote.php/dav/addressbooks/users/admin/fixture-contacts/c-{i:03}.vcf</d:href>\
             <d:propstat><d:prop><d:getetag>&quot;e{i}&quot;</d:getetag><card:address-data>BEGIN:VCARD&#13;\n\
             VERSION:3.0&#13;\nUID:c-{i:03}&#13;\nFN:Person {:03}&#13;\nEND:VCARD&#13;\n</card:address-data>\
             </d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>",
            i / 2
        ));
    }
    xml.push_str("</d:multistatus>");
    xml
}

/// Table rows as Tables' REST API answers them: `limit` from `offset`.
struct RowPages(usize);

impl wiremock::Respond for RowPages {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let query = |name: &str| {
            request
                .url
                .query_pairs()
                .find(|(k, _)| k == name)
                .and_then(|(_, v)| v.parse::<usize>().ok())
                .unwrap_or(0)
        };
        let rows: Vec<Value> = (query("offset")..self.0)
            .take(query("limit"))
            .map(|i| {
                json!({"id": 1000 + i, "tableId": 1, "createdBy": "admin", "createdAt": "2026-11-23 08:00:00",
                       "lastEditBy": "admin", "lastEditAt": "2026-11-23 08:00:00",
                       "data": [{"columnId": 10, "value": format!("Row {i}")}]})
            })
            .collect();
        ResponseTemplate::new(200).set_body_json(rows)
    }
}

#[tokio::test]
async fn contacts_and_table_rows_are_walked_without_loss_or_repeats() {
    let nc = MockServer::start().await;
    crate::support::dav::carddav_discovery(&nc).await;
    serve_capture_with_priority(
        &nc,
        "PROPFIND",
        &format!("^{}$", crate::support::dav::BOOK_HOME),
        "carddav",
        "04-list-addressbooks",
        5,
    )
    .await;
    Mock::given(method("REPORT"))
        .and(path_regex(
            "^/remote.php/dav/addressbooks/users/admin/fixture-contacts/$",
        ))
        .respond_with(
            ResponseTemplate::new(207).set_body_raw(many_cards(), "application/xml; charset=utf-8"),
        )
        .mount(&nc)
        .await;
    let columns = json!([{ "id": 10, "title": "Name", "type": "text", "subtype": "line", "mandatory": true, "selectionOptions": [] }]);
    mount_json_reply(
        &nc,
        "GET",
        "^/ocs/v2.php/apps/tables/api/2/columns/table/1$",
        200,
        ocs_envelope(columns),
    )
    .await;
    Mock::given(method("GET"))
        .and(path_regex("^/index.php/apps/tables/api/1/tables/1/rows$"))
        .respond_with(RowPages(130))
        .mount(&nc)
        .await;
    catch_all(&nc).await;
    let (server, client) = start_app_server(&nc).await;

    let contacts = walk(
        &client,
        "nc_contacts_list_contacts",
        json!({"addressbook": "fixture-contacts"}),
        "contacts",
        40,
    )
    .await;
    assert_eq!(unique("contacts", &contacts, "uid").len(), CONTACTS);
    let rows = walk(
        &client,
        "nc_tables_read_table",
        json!({"table_id": 1}),
        "rows",
        50,
    )
    .await;
    assert_eq!(unique("rows", &rows, "id").len(), 130);
    let names: Vec<&str> = rows
        .iter()
        .map(|r| r["values"]["Name"].as_str().unwrap())
        .collect();
    assert_eq!(names[0], "Row 0");
    assert_eq!(names[129], "Row 129");

    // The reference server's offset still works, and says what follows.
    let second = call(
        &client,
        "nc_contacts_list_contacts",
        json!({"addressbook": "fixture-contacts", "limit": 100, "offset": 100}),
    )
    .await;
    let second = assert_ok("contacts by offset", &second);
    assert_eq!(second["contacts"].as_array().unwrap().len(), 50);
    assert_eq!(second["page"]["has_more"], false);
    let rows = call(
        &client,
        "nc_tables_read_table",
        json!({"table_id": 1, "limit": 100, "offset": 20}),
    )
    .await;
    assert!(text_of(&rows).contains("more: call again with cursor \"120\""));
    let rows = assert_ok("rows by offset", &rows);
    assert_eq!(rows["next_offset"], 120);
    assert_eq!(rows["page"]["next_cursor"], "120");
    client.cancel().await.unwrap();
    server.shutdown().await;
}
