//! The search index with an embedding service: a search finds notes by
//! meaning, fuses the keyword and vector lists, and a changed note is
//! embedded again.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::stand_in::{BOB, FakeCloud, Refresher, granted_world, serve};
use super::{start_syncing_replica, syncing, titles};
use crate::support::e2e::*;
use nextcloud_mcp::app::config::EmbeddingsConfig;
use nextcloud_mcp::domain::index::DocApp;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// A small deterministic embedding service: each word (through a synonym
/// table, so "physician" and "dentist" both count as "doctor") adds one to a
/// hashed bucket. Words that mean the same meet in one bucket; that is all
/// a test needs from a model, and it answers only what it computes.
#[derive(Clone, Default)]
struct BagOfWords(Arc<Mutex<u32>>);

const STAND_IN_DIMS: usize = 256;

fn bag_of_words(text: &str) -> Vec<f32> {
    const SYNONYMS: &[(&str, &str)] = &[
        ("physician", "doctor"),
        ("dentist", "doctor"),
        ("visit", "appointment"),
        ("car", "vehicle"),
        ("automobile", "vehicle"),
    ];
    let mut v = vec![0f32; STAND_IN_DIMS];
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let word = word.to_lowercase();
        let word = SYNONYMS
            .iter()
            .find(|(from, _)| *from == word)
            .map_or(word.as_str(), |(_, to)| to);
        // FNV-1a: stable across runs and platforms.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for b in word.bytes() {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        v[(hash % STAND_IN_DIMS as u64) as usize] += 1.0;
    }
    v
}

impl Respond for BagOfWords {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        *self.0.lock().unwrap() += 1;
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        assert_eq!(body["model"], "bag-of-words");
        let data: Vec<Value> = body["input"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
            .map(|(i, text)| json!({"index": i, "embedding": bag_of_words(text.as_str().unwrap())}))
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({"data": data}))
    }
}

/// (mode, "app:title" of each hit) of a search.
async fn search(client: &Client, query: &str) -> (String, Vec<String>) {
    let out = assert_ok(
        "nc_semantic_search",
        &call(client, "nc_semantic_search", json!({"query": query})).await,
    );
    let titles = titles(out["results"].as_array().unwrap());
    (out["mode"].as_str().unwrap().to_string(), titles)
}

/// Polls until the first hits of `query` are `want`.
async fn eventually_first(client: &Client, query: &str, want: &[&str]) -> (String, Vec<String>) {
    let mut got = (String::new(), Vec::new());
    for _ in 0..100 {
        got = search(client, query).await;
        if got.1.len() >= want.len() && got.1[..want.len()] == *want {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("'{query}': wanted {want:?} first, got {got:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn with_an_embedder_a_search_finds_by_meaning_and_fuses_both_lists() {
    let world = granted_world(None, &Refresher::default()).await;

    let cloud = FakeCloud::default();
    cloud.edit("alice", |a| {
        a.notes.insert(
            1,
            ("Budget 2027".into(), "Travel budget for Lisbon".into(), 100),
        );
        a.notes
            .insert(2, ("Groceries".into(), "Milk and bread".into(), 100));
        a.notes.insert(
            3,
            (
                "Car repair".into(),
                "The automobile needs new brakes".into(),
                100,
            ),
        );
        a.notes.insert(
            4,
            (
                "Dentist".into(),
                "Check-up on Tuesday with Dr Smith".into(),
                100,
            ),
        );
    });
    cloud.edit("bob", |b| {
        b.notes
            .insert(7, ("Physician invoice".into(), "Paid in March".into(), 100));
    });
    let nextcloud = serve(&cloud).await;
    let model = MockServer::start().await;
    let embedded = BagOfWords::default();
    Mock::given(method("POST"))
        .and(path("/v1/embeddings"))
        .respond_with(embedded.clone())
        .mount(&model)
        .await;

    let mut sync = syncing(vec![DocApp::Notes]);
    sync.embeddings = Some(EmbeddingsConfig {
        url: url::Url::parse(&model.uri()).unwrap(),
        model: "bag-of-words".into(),
        key: None,
        dimensions: STAND_IN_DIMS,
    });
    let server = start_syncing_replica(&world, &nextcloud.uri(), sync).await;
    let scope = "openid offline_access search:read";
    let alice = connect_with(&server, Some(&world.token(json!({"scope": scope})))).await;
    let bob = connect_with(
        &server,
        Some(&world.token(json!({"sub": BOB, "scope": scope}))),
    )
    .await;

    // No word of the query is in the note: only the vector half finds it.
    let (mode, got) = eventually_first(&alice, "physician visit", &["notes:Dentist"]).await;
    assert_eq!(mode, "hybrid");
    // By meaning alone the same note leads; by words alone nothing is found.
    let by_meaning = assert_ok(
        "semantic mode",
        &call(
            &alice,
            "nc_semantic_search",
            json!({"query": "physician visit", "mode": "semantic"}),
        )
        .await,
    );
    assert_eq!(by_meaning["mode"], "semantic");
    assert_eq!(by_meaning["results"][0]["title"], "Dentist");
    let by_words = assert_ok(
        "keyword mode",
        &call(
            &alice,
            "nc_semantic_search",
            json!({"query": "physician visit", "mode": "keyword"}),
        )
        .await,
    );
    assert_eq!(by_words["results"], json!([]));
    assert!(
        got.iter().all(|t| !t.contains("Physician invoice")),
        "{got:?}"
    );
    // Bob's vectors are his own: alice's dentist note is never his hit.
    let (_, got) = eventually_first(&bob, "physician visit", &["notes:Physician invoice"]).await;
    assert_eq!(got, ["notes:Physician invoice"]);

    // "budget" matches one note by word; "vehicle" matches none by word
    // but the car note by meaning. Keyword list: [Budget]; vector list:
    // [Budget (cosine 0.5), Car repair (0.47), then the rest at 0]. Fused:
    // Budget 2/61, Car repair 1/62, then the others by their vector rank.
    let (mode, got) = search(&alice, "budget vehicle").await;
    assert_eq!(mode, "hybrid");
    assert_eq!(got[..2], ["notes:Budget 2027", "notes:Car repair"]);
    assert_eq!(got.len(), 4, "{got:?}");
    let out = assert_ok(
        "scores",
        &call(
            &alice,
            "nc_semantic_search",
            json!({"query": "budget vehicle"}),
        )
        .await,
    );
    let top = out["results"][0]["score"].as_f64().unwrap();
    assert!((top - 2.0 / 61.0).abs() < 1e-9, "fused score {top}");
    assert!(*embedded.0.lock().unwrap() > 0);

    // A changed note is embedded again: its new meaning is found.
    cloud.edit("alice", |a| {
        a.notes
            .insert(2, ("Groceries".into(), "Pick up the car".into(), 200));
    });
    eventually_first(
        &alice,
        "automobile",
        &["notes:Car repair", "notes:Groceries"],
    )
    .await;
}
