//! Contract bodies for the two keyword tiers (every term exactly, then any
//! term as a prefix) and for filters under a large number of matches.

use nextcloud_mcp::domain::index::{DocApp, IndexedDocument};

use super::fixtures::{ids, query};
use super::harness::Harness;

fn note(id: &str, title: &str, body: &str, path: &str) -> IndexedDocument {
    IndexedDocument {
        app: DocApp::Notes,
        doc_id: id.into(),
        title: title.into(),
        body: body.into(),
        path: path.into(),
        link: format!("https://cloud.example/notes/{id}"),
        modified: 100,
        version: "v1".into(),
    }
}

pub async fn every_term_ranks_above_some_terms(h: &Harness) {
    let store = h.open(None).await;
    // "zebra" is rare and "giraffe" common, so ranked as an OR the strong
    // one-term document ("zebra" in the title and twice in the body) would
    // lead; the only document with both terms must lead instead.
    store
        .upsert_documents(
            "alice",
            &[
                note("strong", "Zebra", "zebra zebra stripes", "Zoo"),
                note(
                    "both",
                    "Animals",
                    "a long list of animals: a zebra, then lions, then a giraffe",
                    "Zoo",
                ),
                note("g1", "Tall", "giraffe", "Zoo"),
                note("g2", "Taller", "giraffe neck", "Zoo"),
                note("g3", "Tallest", "giraffe legs", "Zoo"),
                note("other", "Groceries", "milk and bread", "Home"),
            ],
        )
        .await
        .unwrap();
    let hits = store
        .search("alice", &query("zebra giraffe"))
        .await
        .unwrap();
    let got = ids(&hits);
    assert_eq!(got[0], "both", "{hits:?}");
    // The fallback still finds documents with one of the terms.
    let mut rest: Vec<&str> = got[1..].to_vec();
    rest.sort();
    assert_eq!(rest, ["g1", "g2", "g3", "strong"]);
}

pub async fn an_exact_word_ranks_above_words_it_starts(h: &Harness) {
    let store = h.open(None).await;
    store
        .upsert_documents(
            "alice",
            &[
                note(
                    "starts",
                    "Budgeting budgeting",
                    "budgeting budgeting budgeting",
                    "Work",
                ),
                note(
                    "exact",
                    "Notes",
                    "one budget among many other words about the week",
                    "Work",
                ),
            ],
        )
        .await
        .unwrap();
    let hits = store.search("alice", &query("budget")).await.unwrap();
    assert_eq!(ids(&hits), ["exact", "starts"]);
    // Only a prefix match: the fallback alone answers.
    let hits = store.search("alice", &query("budg")).await.unwrap();
    let mut got = ids(&hits);
    got.sort();
    assert_eq!(got, ["exact", "starts"]);
}

pub async fn filters_hold_among_many_matches(h: &Harness) {
    let store = h.open(None).await;
    // The filtered document is written first, so it is the oldest of more
    // matches than any engine-side bound on ranked candidates.
    let mut docs = vec![note("wanted", "Common", "common word", "/Wanted/")];
    docs.extend((0..1_100).map(|i| note(&format!("n{i}"), "Common", "common word", "/Other/")));
    for chunk in docs.chunks(100) {
        store.upsert_documents("alice", chunk).await.unwrap();
    }
    let mut q = query("common");
    q.path_prefix = Some("/Wanted/".into());
    assert_eq!(ids(&store.search("alice", &q).await.unwrap()), ["wanted"]);
    assert_eq!(
        store.search("alice", &query("common")).await.unwrap().len(),
        10
    );
}

pub async fn short_words_never_match_as_prefixes(h: &Harness) {
    let store = h.open(None).await;
    store
        .upsert_documents(
            "alice",
            &[
                note("ideas", "Ideas", "insurance ideas in detail", "Home"),
                note(
                    "dentist",
                    "Dentist",
                    "see the tooth doctor on Monday",
                    "Home",
                ),
                note("documents", "Documents", "do the paperwork", "Work"),
            ],
        )
        .await
        .unwrap();
    // "i" and "in" are whole words only: "ideas" and "insurance" do not
    // start a match for them.
    assert!(ids(&store.search("alice", &query("i")).await.unwrap()).is_empty());
    let hits = store
        .search("alice", &query("when do I see the dentist"))
        .await
        .unwrap();
    // No document holds every term; in the fallback "do" is the word "do",
    // not the start of "doctor" or "documents".
    let got = ids(&hits);
    assert_eq!(got[0], "dentist", "{hits:?}");
    assert!(!got.contains(&"ideas"), "{hits:?}");
    // Three characters are enough to be a prefix again.
    let hits = store.search("alice", &query("doc")).await.unwrap();
    let mut got = ids(&hits);
    got.sort();
    assert_eq!(got, ["dentist", "documents"], "{hits:?}");
}
