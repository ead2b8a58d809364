//! Contract bodies for the search index: the same documents and queries on
//! SQLite (FTS5) and PostgreSQL (tsvector), with owners kept apart.

use nextcloud_mcp::domain::index::{DocApp, SourceState};

use super::fixtures::{doc, ids, query};
use super::harness::Harness;

async fn seeded(h: &Harness) -> std::sync::Arc<dyn nextcloud_mcp::ports::store::Store> {
    let store = h.open(None).await;
    store
        .upsert_documents(
            "alice",
            &[
                doc(
                    DocApp::Notes,
                    "1",
                    "Budget 2027",
                    "The travel budget for the offsite in Lisbon.",
                    "Work",
                    100,
                ),
                doc(
                    DocApp::Notes,
                    "2",
                    "Groceries",
                    "Milk, bread and budgeting apps to try.",
                    "Home",
                    200,
                ),
                doc(
                    DocApp::Files,
                    "/Docs/plan.md",
                    "plan.md",
                    "Roadmap: search index, offsite agenda.",
                    "/Docs/plan.md",
                    300,
                ),
                doc(
                    DocApp::Calendar,
                    "personal/ev-1",
                    "Dentist",
                    "Check-up appointment",
                    "personal",
                    400,
                ),
            ],
        )
        .await
        .unwrap();
    store
        .upsert_documents(
            "bob",
            &[doc(
                DocApp::Notes,
                "1",
                "Budget of bob",
                "Secret budget of another owner.",
                "Work",
                100,
            )],
        )
        .await
        .unwrap();
    store
}

pub async fn keyword_search_ranks_title_matches_first_and_snippets(h: &Harness) {
    let store = seeded(h).await;
    let hits = store.search("alice", &query("budget")).await.unwrap();
    // A prefix match finds "budgeting" too; the title match ranks first.
    assert_eq!(ids(&hits), ["1", "2"]);
    assert_eq!(hits[0].app, DocApp::Notes);
    assert_eq!(hits[0].title, "Budget 2027");
    assert_eq!(hits[0].link, "https://cloud.example/notes/1");
    assert!(hits[0].score > hits[1].score, "{hits:?}");
    assert!(hits[0].snippet.contains("Lisbon"), "{:?}", hits[0].snippet);
    assert!(
        hits[1].snippet.contains("**budgeting**"),
        "{:?}",
        hits[1].snippet
    );

    // More matching terms rank higher; no term at all finds nothing.
    let hits = store
        .search("alice", &query("offsite agenda"))
        .await
        .unwrap();
    assert_eq!(ids(&hits), ["/Docs/plan.md", "1"]);
    assert!(
        store
            .search("alice", &query("\"*:()"))
            .await
            .unwrap()
            .is_empty()
    );
    // Query syntax in the text is plain words, never an error.
    let hits = store
        .search("alice", &query("budget\" OR x* & !y:*"))
        .await
        .unwrap();
    assert!(ids(&hits).contains(&"1"));
}

pub async fn owners_never_see_each_other(h: &Harness) {
    let store = seeded(h).await;
    let alice = store
        .search("alice", &query("budget another owner secret"))
        .await
        .unwrap();
    assert!(
        alice.iter().all(|hit| !hit.snippet.contains("Secret")),
        "{alice:?}"
    );
    let bob = store
        .search("bob", &query("budget lisbon offsite"))
        .await
        .unwrap();
    assert_eq!(ids(&bob), ["1"]);
    assert_eq!(bob[0].title, "Budget of bob");
    assert!(
        store
            .search("carol", &query("budget"))
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn filters_narrow_by_app_time_and_path(h: &Harness) {
    let store = seeded(h).await;
    let mut q = query("budget offsite dentist");
    q.apps = vec![DocApp::Files, DocApp::Calendar];
    let mut got = ids(&store.search("alice", &q).await.unwrap())
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>();
    got.sort();
    assert_eq!(got, ["/Docs/plan.md", "personal/ev-1"]);

    let mut q = query("budget offsite dentist");
    q.modified_after = Some(150);
    q.modified_before = Some(350);
    let mut got = ids(&store.search("alice", &q).await.unwrap())
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>();
    got.sort();
    assert_eq!(got, ["/Docs/plan.md", "2"]);

    let mut q = query("budget offsite dentist");
    q.path_prefix = Some("/Docs/".into());
    assert_eq!(
        ids(&store.search("alice", &q).await.unwrap()),
        ["/Docs/plan.md"]
    );

    let mut q = query("budget offsite dentist");
    q.limit = 1;
    assert_eq!(store.search("alice", &q).await.unwrap().len(), 1);
}

pub async fn replace_delete_and_purge(h: &Harness) {
    let store = seeded(h).await;
    // A replaced document is found by its new text only.
    store
        .upsert_documents(
            "alice",
            &[doc(
                DocApp::Notes,
                "1",
                "Budget 2028",
                "Now in Porto.",
                "Work",
                500,
            )],
        )
        .await
        .unwrap();
    assert!(
        store
            .search("alice", &query("lisbon"))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        ids(&store.search("alice", &query("porto")).await.unwrap()),
        ["1"]
    );
    let mut versions = store
        .document_versions("alice", DocApp::Notes)
        .await
        .unwrap();
    versions.sort();
    assert_eq!(
        versions,
        [
            ("1".to_string(), "v500".to_string()),
            ("2".to_string(), "v200".to_string())
        ]
    );

    // Deleting names exact documents of one owner and app.
    let gone = store
        .delete_documents("alice", DocApp::Notes, &["1".into(), "missing".into()])
        .await
        .unwrap();
    assert_eq!(gone, 1);
    assert!(
        store
            .search("alice", &query("porto"))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        ids(&store.search("bob", &query("budget")).await.unwrap()),
        ["1"]
    );

    // Purging an owner removes their documents and bookkeeping, nobody else's.
    store
        .put_source_state(
            "alice",
            DocApp::Notes,
            &SourceState {
                cursor: Some("c".into()),
                last_sync: Some(9),
                pending: 2,
                last_error: None,
            },
        )
        .await
        .unwrap();
    let mut owners = store.owners().await.unwrap();
    owners.sort();
    assert_eq!(owners, ["alice", "bob"]);
    assert_eq!(store.purge_owner("alice").await.unwrap(), 3);
    assert!(
        store
            .search("alice", &query("offsite dentist groceries"))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.index_status("alice").await.unwrap().is_empty());
    assert_eq!(store.owners().await.unwrap(), ["bob"]);
    assert_eq!(
        ids(&store.search("bob", &query("budget")).await.unwrap()),
        ["1"]
    );
}

pub async fn sync_state_and_status(h: &Harness) {
    let store = seeded(h).await;
    assert_eq!(
        store.source_state("alice", DocApp::Files).await.unwrap(),
        SourceState::default()
    );
    let state = SourceState {
        cursor: Some("sync-token-7".into()),
        last_sync: Some(1_700_000_000),
        pending: 3,
        last_error: Some("Nextcloud answered 503".into()),
    };
    store
        .put_source_state("alice", DocApp::Files, &state)
        .await
        .unwrap();
    assert_eq!(
        store.source_state("alice", DocApp::Files).await.unwrap(),
        state
    );
    let status = store.index_status("alice").await.unwrap();
    let apps: Vec<(DocApp, u64)> = status.iter().map(|s| (s.app, s.documents)).collect();
    assert_eq!(
        apps,
        [
            (DocApp::Notes, 2),
            (DocApp::Files, 1),
            (DocApp::Calendar, 1)
        ]
    );
    assert_eq!(status[1].state, state);
    assert_eq!(
        store.source_state("bob", DocApp::Files).await.unwrap(),
        SourceState::default()
    );
}
