//! The Tables adapter: OCS API v2 for tables, columns and new rows, REST
//! API v1 for reading, changing and deleting rows. The first tests follow
//! Tables' `ResponseDefinitions.php`; the last replay Tables 2.2.2 captures.

use crate::support::fixtures::{
    admin_session, assert_sent_like_capture, load, only_request, replay_capture,
};
use nextcloud_mcp::domain::table_cells::readable_value;
use nextcloud_mcp::domain::tables::{RowMode, RowValues, prepare_row};
use nextcloud_mcp::ports::nextcloud::{NextcloudError, TablesApi};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn ocs(data: Value) -> Value {
    json!({ "ocs": { "meta": { "status": "ok", "statuscode": 200, "message": "OK" }, "data": data } })
}

fn row(id: u64, values: Value) -> Value {
    json!({
        "id": id, "tableId": 1, "createdBy": "admin", "createdAt": "2026-11-23 08:00:00",
        "lastEditBy": "admin", "lastEditAt": "2026-11-23 08:00:00", "data": values
    })
}

fn columns() -> Value {
    json!([
        { "id": 10, "tableId": 1, "title": "Name", "type": "text", "subtype": "line", "mandatory": true,
          "description": "", "textMaxLength": 100, "selectionOptions": [], "numberMin": null, "numberMax": null },
        { "id": 11, "tableId": 1, "title": "Amount", "type": "number", "subtype": "", "mandatory": false,
          "description": "", "numberMin": 0.0, "numberMax": 100.0, "selectionOptions": [] },
        { "id": 12, "tableId": 1, "title": "Status", "type": "selection", "subtype": "", "mandatory": false,
          "description": "", "selectionOptions": [{"id": 1, "label": "Open"}, {"id": 2, "label": "Done"}] },
        { "id": 13, "tableId": 1, "title": "Due", "type": "datetime", "subtype": "date", "mandatory": false,
          "description": "", "selectionOptions": "[]" }
    ])
}

async fn mock(server: &MockServer, verb: &str, at: &str, reply: ResponseTemplate) {
    Mock::given(method(verb))
        .and(path(at))
        .respond_with(reply)
        .expect(1)
        .mount(server)
        .await;
}

fn ok(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

#[tokio::test]
async fn tables_and_columns_come_from_ocs_v2() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/ocs/v2.php/apps/tables/api/2/tables"))
        .and(query_param("format", "json"))
        .and(header("OCS-APIRequest", "true"))
        .respond_with(ok(ocs(json!([{
            "id": 1, "title": "Shopping", "emoji": "🛒", "ownership": "admin", "ownerDisplayName": "admin",
            "createdBy": "admin", "createdAt": "2026-11-23 08:00:00", "lastEditBy": "admin",
            "lastEditAt": "2026-11-23 08:00:00", "archived": false, "favorite": false, "isShared": false,
            "onSharePermissions": null, "hasShares": false, "rowsCount": 2, "views": [], "columnsCount": 4
        }]))))
        .expect(1)
        .mount(&server)
        .await;
    let tables = admin_session(&server).list_tables().await.unwrap();
    assert_eq!(tables[0].title, "Shopping");
    assert_eq!((tables[0].rows_count, tables[0].columns_count), (2, 4));

    let server = MockServer::start().await;
    mock(
        &server,
        "GET",
        "/ocs/v2.php/apps/tables/api/2/columns/table/1",
        ok(ocs(columns())),
    )
    .await;
    let cols = admin_session(&server).list_columns(1).await.unwrap();
    assert_eq!(cols.len(), 4);
    assert_eq!(cols[0].text_max_length, Some(100));
    assert_eq!(cols[2].selection_options[1].label, "Done");
    assert!(cols[3].selection_options.is_empty());
    assert_eq!(cols[3].expects(), "a date, YYYY-MM-DD");
}

#[tokio::test]
async fn rows_are_read_with_paging_over_rest_v1() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/index.php/apps/tables/api/1/tables/1/rows"))
        .and(query_param("limit", "2"))
        .and(query_param("offset", "4"))
        .respond_with(ok(json!([
            row(
                5,
                json!([{"columnId": 10, "value": "Milk"}, {"columnId": 11, "value": 2}])
            ),
            row(6, json!(null))
        ])))
        .expect(1)
        .mount(&server)
        .await;
    let rows = admin_session(&server).list_rows(1, 2, 4).await.unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].data[0].value, json!("Milk"));
    assert!(rows[1].data.is_empty());
}

#[tokio::test]
async fn rows_are_created_over_ocs_and_changed_over_rest() {
    let cols: Vec<_> = {
        let server = MockServer::start().await;
        mock(
            &server,
            "GET",
            "/ocs/v2.php/apps/tables/api/2/columns/table/1",
            ok(ocs(columns())),
        )
        .await;
        admin_session(&server).list_columns(1).await.unwrap()
    };
    let input = json!({"Name": "Milk", "Amount": 2, "Status": "Open", "Due": "2026-12-01"});
    let values: RowValues =
        prepare_row(&cols, input.as_object().unwrap(), RowMode::Create).unwrap();

    let server = MockServer::start().await;
    let created = row(7, json!([{"columnId": 10, "value": "Milk"}]));
    mock(
        &server,
        "POST",
        "/ocs/v2.php/apps/tables/api/2/tables/1/rows",
        ok(ocs(created)),
    )
    .await;
    let got = admin_session(&server).create_row(1, &values).await.unwrap();
    let sent = only_request(&server).await;
    assert_eq!(sent.headers.get("ocs-apirequest").unwrap(), "true");
    assert_eq!(
        serde_json::from_slice::<Value>(&sent.body).unwrap(),
        json!({"data": {"10": "Milk", "11": 2, "12": 1, "13": "2026-12-01"}})
    );
    assert_eq!(got.id, 7);

    let server = MockServer::start().await;
    mock(
        &server,
        "PUT",
        "/index.php/apps/tables/api/1/rows/7",
        ok(row(7, json!([]))),
    )
    .await;
    let change = prepare_row(
        &cols,
        json!({"12": "Done"}).as_object().unwrap(),
        RowMode::Update,
    )
    .unwrap();
    admin_session(&server).update_row(7, &change).await.unwrap();
    let sent = only_request(&server).await;
    assert_eq!(
        serde_json::from_slice::<Value>(&sent.body).unwrap(),
        json!({"data": {"12": 2}})
    );

    let server = MockServer::start().await;
    mock(
        &server,
        "GET",
        "/index.php/apps/tables/api/1/rows/7",
        ok(row(7, json!([]))),
    )
    .await;
    assert_eq!(
        admin_session(&server).get_row(7).await.unwrap().table_id,
        Some(1)
    );

    let server = MockServer::start().await;
    mock(
        &server,
        "DELETE",
        "/index.php/apps/tables/api/1/rows/7",
        ok(row(7, json!([]))),
    )
    .await;
    admin_session(&server).delete_row(7).await.unwrap();
}

#[tokio::test]
async fn errors_are_mapped() {
    // The captured answer of a server without Tables.
    let server = MockServer::start().await;
    load("tables-absent", "01-tables-ocs-v2")
        .mount(&server)
        .await;
    assert_eq!(
        admin_session(&server).list_tables().await.unwrap_err(),
        NextcloudError::NotFound("the table list".into())
    );

    let server = MockServer::start().await;
    let denied = json!({"ocs": {"meta": {"status": "failure", "statuscode": 403, "message": "Permission denied"}, "data": {"message": "Permission denied"}}});
    mock(
        &server,
        "GET",
        "/ocs/v2.php/apps/tables/api/2/columns/table/9",
        ResponseTemplate::new(403).set_body_json(denied),
    )
    .await;
    assert_eq!(
        admin_session(&server).list_columns(9).await.unwrap_err(),
        NextcloudError::Forbidden(Some("Permission denied".into()))
    );

    let server = MockServer::start().await;
    mock(
        &server,
        "DELETE",
        "/index.php/apps/tables/api/1/rows/8",
        ResponseTemplate::new(404).set_body_json(json!({"message": "Row not found"})),
    )
    .await;
    assert_eq!(
        admin_session(&server).delete_row(8).await.unwrap_err(),
        NextcloudError::NotFound("row 8".into())
    );
}

// ----- Against the Tables 2.2.2 captures -----

/// Table 3's columns as Tables 2.2.2 describes them (the REST v1 list,
/// served where the adapter asks: the OCS v2 list has the same shape).
async fn captured_columns() -> Vec<nextcloud_mcp::domain::tables::Column> {
    let server = MockServer::start().await;
    let listed = load("tables", "24-v1-columns-list").response.body_json();
    mock(
        &server,
        "GET",
        "/ocs/v2.php/apps/tables/api/2/columns/table/3",
        ok(ocs(listed)),
    )
    .await;
    admin_session(&server).list_columns(3).await.unwrap()
}

#[tokio::test]
async fn an_insert_answered_with_null_creation_fields_is_a_success() {
    let columns = captured_columns().await;
    // What a person writes: labels, a boolean, a plain link; it becomes
    // exactly the body of the captured insert.
    let input = json!({
        "Name": "Gadget", "Quantity": 12, "Colour": "blue", "Tags": ["heavy"],
        "In stock": false, "Bought on": "2026-12-01", "Shop": "https://example.org/gadget"
    });
    let values = prepare_row(&columns, input.as_object().unwrap(), RowMode::Create).unwrap();
    let (server, exchange, session) = replay_capture("tables", "31-ocs-row-create").await;
    let row = session.create_row(3, &values).await.unwrap();
    assert_sent_like_capture(&server, &exchange).await;
    assert_eq!((row.id, row.table_id), (16, Some(3)));
    assert_eq!(row.created_by, "");
    assert_eq!(row.data.len(), 7);
}

#[tokio::test]
async fn deleting_a_missing_row_says_it_does_not_exist() {
    // Tables answers HTTP 500 with a database message.
    let (_server, _exchange, session) = replay_capture("tables", "46-v1-row-delete-unknown").await;
    let err = session.delete_row(999_999).await.unwrap_err();
    assert_eq!(err, NextcloudError::NotFound("row 999999".into()));
    assert_eq!(err.to_string(), "row 999999 does not exist");

    let (_server, _exchange, session) = replay_capture("tables", "45-v1-row-delete").await;
    session.delete_row(16).await.unwrap();
}

#[tokio::test]
async fn rows_read_back_as_written_labels_booleans_and_link_objects() {
    let columns = captured_columns().await;
    let (_server, _exchange, session) = replay_capture("tables", "35-v1-rows-list").await;
    let rows = session.list_rows(3, 50, 0).await.unwrap();
    let readable = |row: usize, title: &str| {
        let column = columns.iter().find(|c| c.title == title).unwrap();
        let cell = rows[row].data.iter().find(|c| c.column_id == column.id);
        readable_value(column, &cell.unwrap().value)
    };
    assert_eq!(rows[0].created_by, "admin");
    assert_eq!(readable(0, "Colour"), json!("green"));
    assert_eq!(readable(1, "Colour"), json!("blue"));
    assert_eq!(readable(0, "Tags"), json!(["fragile", "new"]));
    assert_eq!(readable(0, "In stock"), json!(true));
    assert_eq!(readable(1, "In stock"), json!(false));
    assert_eq!(
        readable(0, "Shop"),
        json!({"title": "Example shop", "value": "https://example.com/widget", "providerId": "url"})
    );
    assert_eq!(readable(0, "Quantity"), json!(5));

    // What was read can be written back unchanged: the link object becomes
    // the JSON text Tables stores, the labels become option ids.
    let back = json!({"Shop": readable(0, "Shop"), "Tags": readable(0, "Tags"), "In stock": true});
    let values = prepare_row(&columns, back.as_object().unwrap(), RowMode::Update).unwrap();
    assert_eq!(values[&17], json!([0, 2]));
    assert_eq!(values[&18], json!("true"));
    let link: Value = serde_json::from_str(values[&21].as_str().unwrap()).unwrap();
    assert_eq!(link["value"], "https://example.com/widget");
}

#[tokio::test]
async fn a_rate_limit_says_when_to_retry() {
    // Nextcloud's rate limiter (e.g. 20 share creations per 10 minutes)
    // answers 429; no capture has one, so the reply is built here.
    let server = MockServer::start().await;
    mock(
        &server,
        "GET",
        "/ocs/v2.php/apps/tables/api/2/tables",
        ResponseTemplate::new(429).insert_header("Retry-After", "120"),
    )
    .await;
    let err = admin_session(&server).list_tables().await.unwrap_err();
    assert_eq!(err, NextcloudError::RateLimited(Some(120)));
    assert!(err.to_string().contains("retry after 120 s"), "{err}");

    let server = MockServer::start().await;
    mock(
        &server,
        "DELETE",
        "/index.php/apps/tables/api/1/rows/8",
        ResponseTemplate::new(429),
    )
    .await;
    assert_eq!(
        admin_session(&server).delete_row(8).await.unwrap_err(),
        NextcloudError::RateLimited(None)
    );
}
