//! The search index end to end with a real embedding model run in process
//! (all-MiniLM-L6-v2, fetched once by `scripts/live/model.sh`; nothing is
//! downloaded while the test runs): a server started with
//! NEXTCLOUD_MCP_EMBEDDINGS_MODEL_DIR syncs a few notes from a stand-in
//! Nextcloud, and a paraphrase that shares no word with any note finds its
//! note first, by meaning alone and fused with the keyword list.
//!
//!     eval "$(scripts/live/model.sh start)"
//!     cargo test --features embeddings-onnx --test it index_sync::model
//!
//! Skipped like the model's own test: without NEXTCLOUD_MCP_TEST_MODEL_DIR,
//! unless NEXTCLOUD_MCP_LIVE_TESTS=1 says it must run.

use std::collections::HashSet;
use std::time::Duration;

use crate::onnx_model::{NOTES, words};
use crate::support::e2e::*;
use nextcloud_mcp::app::config::SyncConfig;
use nextcloud_mcp::domain::index::DocApp;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Each query paraphrases one note (by index) and none of its words starts
/// a word of any note (keyword search matches prefixes: "i" finds "ideas"),
/// so the keyword half finds nothing and only meaning can rank.
const QUERIES: [(&str, usize); 5] = [
    ("when will my tooth doctor see me", 0),
    ("how much money may advertising spend", 1),
    ("cooking spiced bean stew", 2),
    ("what time does my plane into Portugal depart", 3),
    ("vehicle cover expires soon", 4),
];

/// (mode, titles) of a search in `mode`.
async fn search(client: &Client, query: &str, mode: &str) -> (String, Vec<String>) {
    let out = assert_ok(
        "nc_semantic_search",
        &call(
            client,
            "nc_semantic_search",
            json!({"query": query, "mode": mode}),
        )
        .await,
    );
    let titles = out["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h: &Value| h["title"].as_str().unwrap().to_string())
        .collect();
    (out["mode"].as_str().unwrap().to_string(), titles)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_paraphrase_finds_its_synced_note_first_by_meaning_and_in_hybrid_search() {
    let Some(model_dir) = crate::onnx_model::model_dir() else {
        return;
    };
    let all_note_words: HashSet<String> = NOTES.iter().flat_map(|n| words(n)).collect();
    for (query, _) in QUERIES {
        for word in words(query) {
            assert!(
                !all_note_words.iter().any(|w| w.starts_with(&word)),
                "{word:?} of the query {query:?} starts a word of a note"
            );
        }
    }
    let nextcloud = MockServer::start().await;
    let listing: Vec<Value> = NOTES
        .iter()
        .enumerate()
        .map(|(i, text)| {
            json!({"id": i + 1, "title": text, "category": "", "content": text,
                   "favorite": false, "modified": 1795000000, "etag": format!("e{i}"),
                   "readonly": false})
        })
        .collect();
    Mock::given(method("GET"))
        .and(path("/index.php/apps/notes/api/v1/notes"))
        .respond_with(ResponseTemplate::new(200).set_body_json(listing))
        .mount(&nextcloud)
        .await;
    catch_all(&nextcloud).await;

    let mut config = basic_config(&nextcloud.uri(), Duration::from_secs(5));
    config.sync = SyncConfig {
        enabled: true,
        interval: Duration::from_secs(1),
        apps: vec![DocApp::Notes],
        embeddings: None,
        model_dir: Some(model_dir),
    };
    let server = start_server(config).await;
    let client = connect(&server).await;

    // Every note is synced and embedded: a search by meaning ranks all six.
    let mut all = Vec::new();
    for _ in 0..600 {
        all = search(&client, QUERIES[0].0, "semantic").await.1;
        if all.len() == NOTES.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(all.len(), NOTES.len(), "{all:?}");

    for (query, expected) in QUERIES {
        // Words alone find nothing.
        assert_eq!(
            search(&client, query, "keyword").await,
            ("keyword".into(), vec![])
        );
        for mode in ["semantic", "hybrid"] {
            let (ran, titles) = search(&client, query, mode).await;
            assert_eq!(ran, mode);
            assert_eq!(
                titles.first().map(String::as_str),
                Some(NOTES[expected]),
                "{mode} search for {query:?} ranked {titles:?}"
            );
        }
    }
    // The default is hybrid when a model is configured.
    let out = assert_ok(
        "default mode",
        &call(
            &client,
            "nc_semantic_search",
            json!({"query": QUERIES[0].0}),
        )
        .await,
    );
    assert_eq!(out["mode"], "hybrid");
    server.shutdown().await;
}
