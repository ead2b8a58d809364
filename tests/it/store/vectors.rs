//! Contract bodies for the index's semantic half: the same vectors and
//! queries on SQLite (compared in the process) and PostgreSQL (pgvector when
//! the database has it, as the live run's does), with owners kept apart.

use nextcloud_mcp::domain::index::vectors::VectorEngine;
use nextcloud_mcp::domain::index::{DocApp, IndexQuery, IndexedDocument};
use nextcloud_mcp::ports::store::Store;

use super::fixtures::{doc, ids};
use super::harness::Harness;

fn unit(v: [f32; 3]) -> Vec<f32> {
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.iter().map(|x| x / n).collect()
}

fn all(limit: u32) -> IndexQuery {
    IndexQuery {
        limit,
        ..IndexQuery::default()
    }
}

const MODEL: &str = "test-model";

/// alice: two notes, a file, an event; bob: one note. Vectors point along
/// axes so the expected order is plain: the query leans to the x axis.
async fn seeded(h: &Harness) -> std::sync::Arc<dyn Store> {
    let store = h.open(None).await;
    let engine = store.prepare_vectors(3).await.unwrap();
    if h.location().starts_with("postgres")
        && std::env::var("NEXTCLOUD_MCP_LIVE_TESTS").as_deref() == Ok("1")
    {
        // The live run's PostgreSQL has pgvector (scripts/live/postgres.sh).
        assert!(matches!(engine, VectorEngine::Database(_)), "{engine:?}");
    }
    if h.location().ends_with(".db") {
        assert_eq!(engine, VectorEngine::InProcess);
    }
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
                    "Milk and bread.",
                    "Home",
                    200,
                ),
                doc(
                    DocApp::Files,
                    "/Docs/plan.md",
                    "plan.md",
                    "Roadmap: search index.",
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
    let stored = store
        .put_vectors(
            "alice",
            DocApp::Notes,
            MODEL,
            &[
                ("1".into(), unit([1.0, 0.0, 0.0])),
                ("2".into(), unit([0.0, 1.0, 0.0])),
                // Deleted before its vector arrived: nothing is stored.
                ("ghost".into(), unit([1.0, 1.0, 1.0])),
            ],
        )
        .await
        .unwrap();
    assert_eq!(stored, 2);
    store
        .put_vectors(
            "alice",
            DocApp::Files,
            MODEL,
            &[("/Docs/plan.md".into(), unit([1.0, 1.0, 0.0]))],
        )
        .await
        .unwrap();
    store
        .put_vectors(
            "alice",
            DocApp::Calendar,
            MODEL,
            &[("personal/ev-1".into(), unit([0.0, 0.0, 1.0]))],
        )
        .await
        .unwrap();
    store
        .put_vectors(
            "bob",
            DocApp::Notes,
            MODEL,
            &[("1".into(), unit([1.0, 0.0, 0.0]))],
        )
        .await
        .unwrap();
    store
}

fn near_x() -> Vec<f32> {
    unit([0.9, 0.1, 0.0])
}

pub async fn unembedded_documents_are_listed_per_model(h: &Harness) {
    let store = h.open(None).await;
    store.prepare_vectors(3).await.unwrap();
    store
        .upsert_documents(
            "alice",
            &[
                doc(
                    DocApp::Notes,
                    "1",
                    "Budget",
                    &"long body ".repeat(1_000),
                    "Work",
                    1,
                ),
                doc(DocApp::Notes, "2", "Groceries", "Milk", "Home", 2),
            ],
        )
        .await
        .unwrap();
    let waiting = store
        .unembedded("alice", DocApp::Notes, MODEL, 10)
        .await
        .unwrap();
    assert_eq!(
        waiting
            .iter()
            .map(|w| w.doc_id.as_str())
            .collect::<Vec<_>>(),
        ["1", "2"]
    );
    assert!(waiting[0].text.starts_with("Budget\nlong body"));
    // Only the start of a long body is embedded.
    assert!(
        waiting[0].text.chars().count() <= nextcloud_mcp::domain::index::vectors::MAX_EMBED_CHARS
    );
    assert_eq!(waiting[1].text, "Groceries\nMilk");
    assert_eq!(
        store
            .unembedded("alice", DocApp::Notes, MODEL, 1)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        store
            .unembedded("bob", DocApp::Notes, MODEL, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .unembedded("alice", DocApp::Files, MODEL, 10)
            .await
            .unwrap()
            .is_empty()
    );

    store
        .put_vectors(
            "alice",
            DocApp::Notes,
            MODEL,
            &[("1".into(), unit([1.0, 0.0, 0.0]))],
        )
        .await
        .unwrap();
    let waiting = store
        .unembedded("alice", DocApp::Notes, MODEL, 10)
        .await
        .unwrap();
    assert_eq!(
        waiting
            .iter()
            .map(|w| w.doc_id.as_str())
            .collect::<Vec<_>>(),
        ["2"]
    );
    // Another model has embedded nothing yet: everything waits for it.
    assert_eq!(
        store
            .unembedded("alice", DocApp::Notes, "other-model", 10)
            .await
            .unwrap()
            .len(),
        2
    );
}

pub async fn nearest_first_per_owner_and_model(h: &Harness) {
    let store = seeded(h).await;
    let hits = store
        .vector_search("alice", MODEL, &near_x(), &all(10))
        .await
        .unwrap();
    assert_eq!(ids(&hits), ["1", "/Docs/plan.md", "2", "personal/ev-1"]);
    assert!(
        hits.windows(2).all(|w| w[0].score >= w[1].score),
        "{hits:?}"
    );
    assert!(
        (hits[0].score - 0.9939).abs() < 1e-3,
        "cosine similarity: {}",
        hits[0].score
    );
    assert_eq!(hits[0].title, "Budget 2027");
    assert_eq!(hits[0].link, "https://cloud.example/notes/1");
    assert_eq!(
        hits[0].snippet,
        "The travel budget for the offsite in Lisbon."
    );
    assert_eq!(hits[0].modified, 100);

    let bob = store
        .vector_search("bob", MODEL, &near_x(), &all(10))
        .await
        .unwrap();
    assert_eq!(ids(&bob), ["1"]);
    assert_eq!(bob[0].title, "Budget of bob");
    assert!(
        store
            .vector_search("carol", MODEL, &near_x(), &all(10))
            .await
            .unwrap()
            .is_empty()
    );
    // Vectors of another model are never compared with this one's.
    assert!(
        store
            .vector_search("alice", "other-model", &near_x(), &all(10))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .vector_search("alice", MODEL, &near_x(), &all(0))
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn vector_filters_narrow_by_app_time_and_path(h: &Harness) {
    let store = seeded(h).await;
    let mut q = all(10);
    q.apps = vec![DocApp::Files, DocApp::Calendar];
    let hits = store
        .vector_search("alice", MODEL, &near_x(), &q)
        .await
        .unwrap();
    assert_eq!(ids(&hits), ["/Docs/plan.md", "personal/ev-1"]);

    let mut q = all(10);
    q.modified_after = Some(150);
    q.modified_before = Some(350);
    let hits = store
        .vector_search("alice", MODEL, &near_x(), &q)
        .await
        .unwrap();
    assert_eq!(ids(&hits), ["/Docs/plan.md", "2"]);

    let mut q = all(10);
    q.path_prefix = Some("/Docs/".into());
    let hits = store
        .vector_search("alice", MODEL, &near_x(), &q)
        .await
        .unwrap();
    assert_eq!(ids(&hits), ["/Docs/plan.md"]);

    let hits = store
        .vector_search("alice", MODEL, &near_x(), &all(2))
        .await
        .unwrap();
    assert_eq!(ids(&hits), ["1", "/Docs/plan.md"]);
}

pub async fn replaced_deleted_and_purged_documents_lose_their_vectors(h: &Harness) {
    let store = seeded(h).await;
    // New text: the old vector no longer describes it, so it waits for a new one.
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
    let hits = store
        .vector_search("alice", MODEL, &near_x(), &all(10))
        .await
        .unwrap();
    assert!(!ids(&hits).contains(&"1"), "{hits:?}");
    let waiting = store
        .unembedded("alice", DocApp::Notes, MODEL, 10)
        .await
        .unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].text, "Budget 2028\nNow in Porto.");

    store
        .delete_documents("alice", DocApp::Notes, &["2".into()])
        .await
        .unwrap();
    let hits = store
        .vector_search("alice", MODEL, &near_x(), &all(10))
        .await
        .unwrap();
    assert_eq!(ids(&hits), ["/Docs/plan.md", "personal/ev-1"]);
    // A vector cannot come back for a deleted document.
    assert_eq!(
        store
            .put_vectors(
                "alice",
                DocApp::Notes,
                MODEL,
                &[("2".into(), unit([0.0, 1.0, 0.0]))]
            )
            .await
            .unwrap(),
        0
    );

    store.purge_owner("alice").await.unwrap();
    assert!(
        store
            .vector_search("alice", MODEL, &near_x(), &all(10))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.owners().await.unwrap(), ["bob"]);
    assert_eq!(
        ids(&store
            .vector_search("bob", MODEL, &near_x(), &all(10))
            .await
            .unwrap()),
        ["1"]
    );
}

/// The database's vector index spans every owner: a query of an owner with a
/// few vectors, among many of another owner that lie nearer the query, must
/// still find that owner's nearest, in order, and no one else's. A batch
/// that names a document twice keeps the later vector.
pub async fn a_small_owner_among_many_gets_its_own_nearest_first(h: &Harness) {
    let store = h.open(None).await;
    store.prepare_vectors(3).await.unwrap();
    let crowd: Vec<IndexedDocument> = (0..300)
        .map(|i| {
            doc(
                DocApp::Notes,
                &format!("n{i}"),
                "Near",
                "Near the query.",
                "Work",
                i,
            )
        })
        .collect();
    store.upsert_documents("crowd", &crowd).await.unwrap();
    let near: Vec<(String, Vec<f32>)> = (0..300)
        .map(|i| (format!("n{i}"), unit([1.0, 0.05 + i as f32 / 1000.0, 0.0])))
        .collect();
    assert_eq!(
        store
            .put_vectors("crowd", DocApp::Notes, MODEL, &near)
            .await
            .unwrap(),
        300
    );
    store
        .upsert_documents(
            "carol",
            &[
                doc(DocApp::Notes, "c1", "Closest", "x", "Work", 1),
                doc(DocApp::Notes, "c2", "Far", "y", "Work", 2),
                doc(DocApp::Files, "c3", "Middle", "xy", "/f", 3),
                doc(DocApp::Calendar, "c4", "Farthest", "z", "cal", 4),
            ],
        )
        .await
        .unwrap();
    let stored = store
        .put_vectors(
            "carol",
            DocApp::Notes,
            MODEL,
            &[
                ("c2".into(), unit([1.0, 0.0, 0.0])),
                ("c1".into(), unit([1.0, 0.2, 0.0])),
                // The same document again: this vector replaces the first.
                ("c2".into(), unit([0.0, 1.0, 0.0])),
            ],
        )
        .await
        .unwrap();
    assert_eq!(stored, 3);
    for (app, id, v) in [
        (DocApp::Files, "c3", [0.7, 0.7, 0.0]),
        (DocApp::Calendar, "c4", [0.0, 0.0, 1.0]),
    ] {
        store
            .put_vectors("carol", app, MODEL, &[(id.into(), unit(v))])
            .await
            .unwrap();
    }

    let hits = store
        .vector_search("carol", MODEL, &near_x(), &all(2))
        .await
        .unwrap();
    assert_eq!(ids(&hits), ["c1", "c3"]);
    let hits = store
        .vector_search("carol", MODEL, &near_x(), &all(10))
        .await
        .unwrap();
    assert_eq!(ids(&hits), ["c1", "c3", "c2", "c4"]);
    assert!(hits.windows(2).all(|w| w[0].score > w[1].score), "{hits:?}");
    let mut q = all(2);
    q.apps = vec![DocApp::Notes];
    let hits = store
        .vector_search("carol", MODEL, &near_x(), &q)
        .await
        .unwrap();
    assert_eq!(ids(&hits), ["c1", "c2"]);

    // The crowd's own query still returns its nearest, in order.
    let hits = store
        .vector_search("crowd", MODEL, &near_x(), &all(3))
        .await
        .unwrap();
    assert_eq!(hits.len(), 3);
    assert_eq!(hits[0].doc_id, "n61", "{hits:?}");
    assert!(
        hits.windows(2).all(|w| w[0].score >= w[1].score),
        "{hits:?}"
    );
    assert!(hits.iter().all(|h| h.title == "Near"), "{hits:?}");
}
