//! The contacts tools over the captured address book.

use super::{fails, nextcloud, ok};
use std::time::Duration;

use crate::support::e2e::*;
use serde_json::json;

#[tokio::test]
async fn contacts_tools_end_to_end() {
    let nc = nextcloud().await;
    let server = start_server(basic_config(&nc.uri(), Duration::from_secs(5))).await;
    let client = connect(&server).await;

    let books = ok(&client, "nc_contacts_list_addressbooks", json!({})).await;
    assert_eq!(books["addressbooks"].as_array().unwrap().len(), 4);
    let listed = ok(
        &client,
        "nc_contacts_list_contacts",
        json!({"addressbook": "Fixture contacts", "limit": 1, "offset": 1}),
    )
    .await;
    assert_eq!(listed["total"], 2);
    assert_eq!(listed["contacts"][0]["full_name"], "Carol Exämple");
    let found = ok(
        &client,
        "nc_contacts_search_contacts",
        json!({"query": "bob"}),
    )
    .await;
    assert_eq!(found["total"], 1);
    assert_eq!(found["contacts"][0]["uid"], "fixture-card-0001");

    let bob = ok(
        &client,
        "nc_contacts_get_contact",
        json!({"addressbook": "fixture-contacts", "uid": "fixture-card-0001"}),
    )
    .await;
    assert_eq!(bob["organization"], "Example BV");
    assert_eq!(bob["phones"][0]["value"], "+31 6 1234 5678");
    let created = ok(&client, "nc_contacts_create_contact", json!({"addressbook": "fixture-contacts", "uid": "new-1", "contact_data": {"fn": "Dora", "email": "dora@example.test"}})).await;
    assert_eq!(created["full_name"], "Dora");
    let updated = ok(&client, "nc_contacts_update_contact", json!({"addressbook": "fixture-contacts", "uid": "fixture-card-0001", "contact_data": {"note": "updated"}})).await;
    assert_eq!(updated["note"], "updated");
    assert_eq!(
        updated["organization"], "Example BV",
        "fields not mentioned survive"
    );
    ok(
        &client,
        "nc_contacts_delete_contact",
        json!({"addressbook": "fixture-contacts", "uid": "fixture-card-0001"}),
    )
    .await;
    ok(
        &client,
        "nc_contacts_create_addressbook",
        json!({"name": "fixture-contacts", "display_name": "Fixture contacts"}),
    )
    .await;
    ok(
        &client,
        "nc_contacts_delete_addressbook",
        json!({"name": "Fixture contacts"}),
    )
    .await;

    fails(
        &client,
        "nc_contacts_list_contacts",
        json!({"addressbook": "Friends"}),
        "no address book named 'Friends'; the address books are: contacts (\"Contacts\")",
    )
    .await;
    fails(
        &client,
        "nc_contacts_create_contact",
        json!({"addressbook": "contacts", "contact_data": {"shoe_size": 44}}),
        "unknown field 'shoe_size'",
    )
    .await;
    fails(
        &client,
        "nc_contacts_create_contact",
        json!({"addressbook": "contacts", "contact_data": {"note": "no name"}}),
        "needs a name",
    )
    .await;
    fails(
        &client,
        "nc_contacts_get_contact",
        json!({"addressbook": "fixture-contacts", "uid": "nope"}),
        "contact 'nope' in address book 'fixture-contacts' does not exist",
    )
    .await;
    fails(&client, "nc_contacts_update_contact", json!({"addressbook": "fixture-contacts", "uid": "fixture-card-0001", "contact_data": {"note": "x"}, "etag": "\"stale-etag\""}), "changed by someone else").await;
    fails(
        &client,
        "nc_contacts_create_addressbook",
        json!({"name": "a/b"}),
        "cannot be a collection name",
    )
    .await;
    fails(
        &client,
        "nc_contacts_search_contacts",
        json!({"query": " "}),
        "query is empty",
    )
    .await;

    server.shutdown().await;
}
