//! The search index end to end: two users grant offline access, the
//! background sync indexes their notes and files with refreshed tokens
//! against a stand-in Nextcloud, and each sees only their own hits. A
//! change is searchable after the next pass, a deletion and an unshared
//! file disappear, a grant the IdP refuses and a revocation empty the
//! user's index.

use super::stand_in::{BOB, FakeCloud, Refresher, granted_world, serve};
use super::{eventually, found, start_syncing_replica, syncing};
use crate::store::harness::Harness;
use crate::support::e2e::*;
use crate::support::idp::*;
use nextcloud_mcp::domain::index::{DocApp, IndexQuery, search_terms};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_sync_indexes_each_user_as_themselves_and_forgets_what_they_lose() {
    sync_story(None).await;
}

/// The same story on PostgreSQL (its full-text search and its own index
/// tables); skipped without one unless live tests are required.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn on_postgres_the_sync_indexes_each_user_as_themselves_and_forgets_what_they_lose() {
    let Some(database) = Harness::postgres().await else {
        return;
    };
    sync_story(Some(database.location())).await;
}

/// Two users with offline access, their notes and files indexed, an edit, a
/// deletion, an unshare, a refused grant and a revocation.
async fn sync_story(store_location: Option<String>) {
    let refused = Refresher::default();
    let world = granted_world(store_location, &refused).await;
    Mock::given(method("POST"))
        .and(path(format!("{REALM_PATH}/revoke")))
        .respond_with(ResponseTemplate::new(200))
        .mount(&world.idp.server)
        .await;

    let cloud = FakeCloud::default();
    cloud.edit("alice", |a| {
        a.notes.insert(
            1,
            ("Budget 2027".into(), "Travel budget for Lisbon".into(), 100),
        );
        a.notes
            .insert(2, ("Groceries".into(), "Milk and bread".into(), 100));
        a.files.insert(
            "plan.md".into(),
            ("Roadmap for the search index".into(), "f1".into()),
        );
    });
    cloud.edit("bob", |b| {
        b.notes
            .insert(7, ("Budget of bob".into(), "Bob's own budget".into(), 100));
        // Alice's plan, shared with bob: his listing shows it as his.
        b.files.insert(
            "plan.md".into(),
            ("Roadmap for the search index".into(), "f1".into()),
        );
    });
    let nextcloud = serve(&cloud).await;
    let server = start_syncing_replica(
        &world,
        &nextcloud.uri(),
        syncing(vec![DocApp::Notes, DocApp::Files]),
    )
    .await;
    // The index tools read what unified search reads: search:read.
    let scope = "openid offline_access search:read";
    let alice = connect_with(&server, Some(&world.token(json!({"scope": scope})))).await;
    let bob = connect_with(
        &server,
        Some(&world.token(json!({"sub": BOB, "scope": scope}))),
    )
    .await;

    // Indexed with refreshed tokens; each user sees only their own hits.
    eventually(&alice, "budget", &["notes:Budget 2027"]).await;
    eventually(&bob, "budget", &["notes:Budget of bob"]).await;
    eventually(&alice, "roadmap", &["files:plan.md"]).await;
    eventually(&bob, "roadmap", &["files:plan.md"]).await;
    assert!(found(&alice, "milk").await == ["notes:Groceries"]);
    assert!(found(&bob, "milk lisbon groceries").await.is_empty());
    // Without a model there is no search by meaning to ask for.
    let no_model = call(
        &alice,
        "nc_semantic_search",
        json!({"query": "milk", "mode": "semantic"}),
    )
    .await;
    assert_tool_error(
        "semantic without a model",
        &no_model,
        "needs an embedding model",
    );
    let out = assert_ok(
        "keyword mode",
        &call(
            &alice,
            "nc_semantic_search",
            json!({"query": "milk", "mode": "keyword"}),
        )
        .await,
    );
    assert_eq!(out["mode"], "keyword");

    let status = assert_ok(
        "status",
        &call(&alice, "nc_get_vector_sync_status", json!({})).await,
    );
    let apps = status["apps"].as_array().unwrap();
    assert_eq!(apps[0]["app"], "notes");
    assert_eq!(apps[0]["documents"], 2);
    assert_eq!(apps[1]["documents"], 1);
    assert!(apps[0]["last_sync"].as_i64().is_some());
    // Apps this deployment turned off are neither read nor searchable.
    assert_eq!(apps.len(), 2, "{status}");
    let asked: Vec<String> = nextcloud
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| r.url.path().to_string())
        .filter(|p| {
            p.contains("/remote.php/dav/calendars")
                || p.contains("/remote.php/dav/addressbooks")
                || p.contains("/apps/deck/")
        })
        .collect();
    assert!(asked.is_empty(), "turned-off apps were read: {asked:?}");
    let turned_off = call(
        &alice,
        "nc_semantic_search",
        json!({"query": "budget", "doc_types": ["calendar"]}),
    )
    .await;
    assert_tool_error("turned-off app", &turned_off, "not indexed on this server");

    // A change is found after the next pass; the old text is not.
    cloud.edit("alice", |a| {
        a.notes
            .insert(1, ("Budget 2028".into(), "Now in Porto".into(), 200));
    });
    eventually(&alice, "porto", &["notes:Budget 2028"]).await;
    assert!(found(&alice, "lisbon").await.is_empty());

    // A deleted note and a file no longer shared leave the index.
    cloud.edit("alice", |a| {
        a.notes.remove(&2);
    });
    cloud.edit("bob", |b| {
        b.files.remove("plan.md");
    });
    eventually(&alice, "milk", &[]).await;
    eventually(&bob, "roadmap", &[]).await;
    assert_eq!(found(&alice, "roadmap").await, ["files:plan.md"]);

    // A grant the identity provider refuses stops bob's sync and empties his index.
    refused.0.lock().unwrap().push("bob".into());
    eventually(&bob, "budget", &[]).await;
    let store = world.store().await;
    assert!(store.index_status(BOB).await.unwrap().is_empty());

    // Revocation empties alice's index at once.
    let revoked = call(&alice, "revoke_nextcloud_access", json!({})).await;
    assert_ok("revoke", &revoked);
    let query = IndexQuery {
        terms: search_terms("budget porto roadmap"),
        limit: 10,
        ..IndexQuery::default()
    };
    assert!(store.search(ALICE, &query).await.unwrap().is_empty());
    assert!(store.index_status(ALICE).await.unwrap().is_empty());
}
