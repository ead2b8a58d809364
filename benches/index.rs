//! The search index on SQLite (and PostgreSQL when given): documents indexed per second and keyword
//! query latency (p50, p99) at 10,000 and 100,000 documents of one owner,
//! with 10% as many documents of another owner beside them (a query must
//! skip those).
//!
//! Documents are generated from a fixed vocabulary by a seeded generator
//! (no files are stored or read), written in batches of 64 as the sync
//! writes them. Queries are one to three words drawn the same way, so some
//! are common and some rare. The target is a keyword p50 at or under 20 ms
//! at 100,000 documents.
//!
//! The hybrid case stores one vector of 384 dimensions (all-MiniLM-L6-v2's
//! length) per document, made by the same seeded generator, and times what
//! `nc_semantic_search` does with an embedder: one keyword query, one
//! vector query (SQLite: an exact scan of the owner's vectors in the
//! process) and their fusion. Embedding the query is not timed: it is the
//! embedding service's cost, not the index's.
//!
//! Run with `cargo bench --bench index`; `INDEX_SIZES` (comma separated)
//! and `INDEX_QUERIES` (per size, default 400) change the run;
//! `INDEX_HYBRID=0` skips the hybrid case. With `INDEX_POSTGRES_URL` (a
//! database the run may write to) every size runs on PostgreSQL too; the two
//! owners' documents are removed before and after.

use std::sync::Arc;
use std::time::{Duration, Instant};

use nextcloud_mcp::adapters::store::open_store;
use nextcloud_mcp::domain::index::vectors::fuse;
use nextcloud_mcp::domain::index::{DocApp, IndexQuery, IndexedDocument, search_terms};
use nextcloud_mcp::ports::store::Store;

const WORDS: &[&str] = &[
    "budget",
    "meeting",
    "roadmap",
    "invoice",
    "travel",
    "lisbon",
    "porto",
    "berlin",
    "report",
    "quarterly",
    "design",
    "review",
    "customer",
    "contract",
    "release",
    "backup",
    "server",
    "holiday",
    "dentist",
    "groceries",
    "recipe",
    "garden",
    "project",
    "deadline",
    "summary",
    "agenda",
    "minutes",
    "proposal",
    "draft",
    "final",
    "team",
    "planning",
    "migration",
    "security",
    "audit",
    "training",
    "workshop",
    "conference",
    "flight",
    "hotel",
    "receipt",
    "tax",
    "insurance",
    "doctor",
    "school",
    "birthday",
    "gift",
    "music",
    "photo",
    "video",
];

/// xorshift64*: reproducible and good enough to spread words.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn word(&mut self) -> &'static str {
        // Squared: low indices are common, high ones rare.
        let r = (self.next() % 10_000) as f64 / 10_000.0;
        WORDS[((r * r) * WORDS.len() as f64) as usize]
    }

    fn words(&mut self, n: usize) -> String {
        (0..n).map(|_| self.word()).collect::<Vec<_>>().join(" ")
    }
}

fn document(rng: &mut Rng, i: usize) -> IndexedDocument {
    let app = DocApp::ALL[i % DocApp::ALL.len()];
    IndexedDocument {
        app,
        doc_id: format!("doc-{i}"),
        title: rng.words(3),
        body: rng.words(120),
        path: format!("/Folder{}/", i % 50),
        link: format!("https://cloud.example/{}/{i}", app.as_str()),
        modified: 1_700_000_000 + i as i64,
        version: format!("v{i}"),
    }
}

const DIMENSIONS: usize = 384;
const MODEL: &str = "bench-model";

fn vector(rng: &mut Rng) -> Vec<f32> {
    let v: Vec<f32> = (0..DIMENSIONS)
        .map(|_| (rng.next() % 2001) as f32 / 1000.0 - 1.0)
        .collect();
    let n = v
        .iter()
        .map(|x| x * x)
        .sum::<f32>()
        .sqrt()
        .max(f32::EPSILON);
    v.into_iter().map(|x| x / n).collect()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn run(engine: &str, location: &str, size: usize, queries: usize, hybrid: bool) {
    let store = open_store(location, None).await.expect("store");
    for owner in ["alice", "bob"] {
        store.purge_owner(owner).await.expect("purge");
    }
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ size as u64);
    let started = Instant::now();
    for (owner, count) in [("alice", size), ("bob", size / 10)] {
        let mut batch = Vec::with_capacity(64);
        for i in 0..count {
            batch.push(document(&mut rng, i));
            if batch.len() == 64 {
                store.upsert_documents(owner, &batch).await.expect("upsert");
                batch.clear();
            }
        }
        store.upsert_documents(owner, &batch).await.expect("upsert");
    }
    let written = size + size / 10;
    let took = started.elapsed();
    println!(
        "{engine:>8} {size:>7} docs: indexed {written} in {:.1} s = {:.0} docs/s",
        took.as_secs_f64(),
        written as f64 / took.as_secs_f64()
    );

    let mut latencies = Vec::with_capacity(queries);
    let mut found = 0usize;
    for q in 0..queries {
        let text = rng.words(1 + q % 3);
        let query = IndexQuery {
            terms: search_terms(&text),
            limit: 10,
            ..IndexQuery::default()
        };
        let started = Instant::now();
        found += store.search("alice", &query).await.expect("search").len();
        latencies.push(started.elapsed());
    }
    latencies.sort();
    println!(
        "{engine:>8} {size:>7} docs: keyword query p50 {:.2} ms, p99 {:.2} ms ({:.1} hits each)",
        percentile(&latencies, 0.50).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
        found as f64 / queries as f64
    );
    if hybrid {
        hybrid_queries(engine, &store, size, queries, &mut rng).await;
    }
    for owner in ["alice", "bob"] {
        store.purge_owner(owner).await.expect("purge");
    }
}

/// Stores a vector per document, then times keyword + vector + fusion.
async fn hybrid_queries(
    engine: &str,
    store: &Arc<dyn Store>,
    size: usize,
    queries: usize,
    rng: &mut Rng,
) {
    let written = size + size / 10;
    store.prepare_vectors(DIMENSIONS).await.expect("prepare");
    let started = Instant::now();
    for (owner, count) in [("alice", size), ("bob", size / 10)] {
        for app in DocApp::ALL {
            let ids: Vec<String> = (0..count)
                .filter(|i| DocApp::ALL[i % DocApp::ALL.len()] == app)
                .map(|i| format!("doc-{i}"))
                .collect();
            for chunk in ids.chunks(64) {
                let pairs: Vec<(String, Vec<f32>)> =
                    chunk.iter().map(|id| (id.clone(), vector(rng))).collect();
                store
                    .put_vectors(owner, app, MODEL, &pairs)
                    .await
                    .expect("put vectors");
            }
        }
    }
    let took = started.elapsed();
    println!(
        "{engine:>8} {size:>7} docs: stored {written} vectors in {:.1} s = {:.0} vectors/s",
        took.as_secs_f64(),
        written as f64 / took.as_secs_f64()
    );
    let mut latencies = Vec::with_capacity(queries);
    let mut found = 0usize;
    for q in 0..queries {
        let text = rng.words(1 + q % 3);
        let near = vector(rng);
        // As the search tool asks: twice the limit from each list.
        let query = IndexQuery {
            terms: search_terms(&text),
            limit: 20,
            ..IndexQuery::default()
        };
        let started = Instant::now();
        let keyword = store.search("alice", &query).await.expect("search");
        let vectors = store
            .vector_search("alice", MODEL, &near, &query)
            .await
            .expect("vector search");
        found += fuse(keyword, vectors, 10).len();
        latencies.push(started.elapsed());
    }
    latencies.sort();
    println!(
        "{engine:>8} {size:>7} docs: hybrid query p50 {:.2} ms, p99 {:.2} ms ({:.1} hits each)",
        percentile(&latencies, 0.50).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
        found as f64 / queries as f64
    );
}

fn main() {
    let sizes: Vec<usize> = std::env::var("INDEX_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000, 100_000]);
    let queries: usize = std::env::var("INDEX_QUERIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400);
    let hybrid = std::env::var("INDEX_HYBRID").as_deref() != Ok("0");
    let postgres = std::env::var("INDEX_POSTGRES_URL").ok();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    for size in sizes {
        let dir = tempfile::tempdir().expect("temp dir");
        let sqlite = dir.path().join("index.db");
        runtime.block_on(run(
            "sqlite",
            sqlite.to_str().unwrap(),
            size,
            queries,
            hybrid,
        ));
        if let Some(url) = &postgres {
            runtime.block_on(run("postgres", url, size, queries, hybrid));
        }
    }
}
