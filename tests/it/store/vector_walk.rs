//! Recall of PostgreSQL's HNSW walk. An owner with enough vectors is not
//! compared exactly on PostgreSQL: the search walks the index (shared by all
//! owners, approximate, relaxed order) and sorts the rows it kept by their
//! exact distance. This body gives such an owner a few thousand vectors
//! among as many of another owner's, and checks every query against the
//! exact answer computed here. On SQLite (always exact) it holds trivially.

use std::collections::HashMap;

use nextcloud_mcp::domain::index::{DocApp, IndexQuery, IndexedDocument};

use super::harness::Harness;

const MODEL: &str = "walk-model";
const DIMENSIONS: usize = 32;
/// Enough for PostgreSQL to walk the index, however the switch is tuned
/// (the owner is half of the table, far over the smallest walked owner).
const PER_OWNER: usize = 3_000;
const CLUSTERS: usize = 40;
const QUERIES: usize = 30;
const K: usize = 10;
/// Of the exact top 10, the walk must find at least this many on every
/// query. Measured on this data: 9 of 10 at worst over 30 queries (the
/// graph is built at random, so runs differ); 7 leaves room for that. A walk
/// that kept the other owner's rows, skipped a filter or sorted by anything
/// but the exact distance fails the checks on each hit below.
const RECALL_AT_LEAST: usize = 7;

/// xorshift64*: the same vectors in every run.
struct Rng(u64);

impl Rng {
    fn unit(&mut self) -> f32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let x = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D);
        ((x >> 11) as f64 / (1u64 << 53) as f64) as f32 * 2.0 - 1.0
    }

    fn vector(&mut self) -> Vec<f32> {
        (0..DIMENSIONS).map(|_| self.unit()).collect()
    }
}

fn normalized(v: Vec<f32>) -> Vec<f32> {
    let n = v
        .iter()
        .map(|x| x * x)
        .sum::<f32>()
        .sqrt()
        .max(f32::EPSILON);
    v.into_iter().map(|x| x / n).collect()
}

/// A point near one of the centres: embeddings of texts on a few topics
/// lie in groups, not uniformly.
fn near(rng: &mut Rng, centres: &[Vec<f32>]) -> Vec<f32> {
    let centre = &centres[(rng.unit().abs() * CLUSTERS as f32) as usize % CLUSTERS];
    normalized(
        centre
            .iter()
            .zip(rng.vector())
            .map(|(c, noise)| c + 0.35 * noise)
            .collect(),
    )
}

fn cosine(a: &[f32], b: &[f32]) -> f64 {
    a.iter().zip(b).map(|(x, y)| f64::from(x * y)).sum()
}

fn app_of(i: usize) -> DocApp {
    if i.is_multiple_of(2) {
        DocApp::Notes
    } else {
        DocApp::Files
    }
}

/// The exact nearest `K` of `owner`'s vectors (by id) among the apps given.
fn exact_top(vectors: &HashMap<String, Vec<f32>>, query: &[f32], apps: &[DocApp]) -> Vec<String> {
    let mut scored: Vec<(f64, &String)> = vectors
        .iter()
        .filter(|(id, _)| apps.is_empty() || apps.contains(&app_of(index_of(id))))
        .map(|(id, v)| (cosine(query, v), id))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored
        .into_iter()
        .take(K)
        .map(|(_, id)| id.clone())
        .collect()
}

fn index_of(id: &str) -> usize {
    id[1..].parse().expect("numbered id")
}

pub async fn a_large_owner_gets_the_exact_nearest_through_the_index(h: &Harness) {
    let store = h.open(None).await;
    store.prepare_vectors(DIMENSIONS).await.unwrap();
    let mut rng = Rng(0x0DDB_A11C_AFE5);
    let centres: Vec<Vec<f32>> = (0..CLUSTERS).map(|_| normalized(rng.vector())).collect();
    let walker: Vec<Vec<f32>> = (0..PER_OWNER).map(|_| near(&mut rng, &centres)).collect();
    let mut mine = HashMap::new();
    // The other owner holds the very same vectors under other ids: a walk
    // that let its rows through would return them as often as the owner's.
    for (owner, prefix) in [("walker", "w"), ("crowd", "c")] {
        let docs: Vec<IndexedDocument> = (0..PER_OWNER)
            .map(|i| IndexedDocument {
                app: app_of(i),
                doc_id: format!("{prefix}{i}"),
                title: format!("{owner} {i}"),
                body: "text".into(),
                path: "/".into(),
                link: format!("https://cloud.example/{i}"),
                modified: i as i64,
                version: "v1".into(),
            })
            .collect();
        for chunk in docs.chunks(500) {
            store.upsert_documents(owner, chunk).await.unwrap();
        }
        for app in [DocApp::Notes, DocApp::Files] {
            let pairs: Vec<(String, Vec<f32>)> = (0..PER_OWNER)
                .filter(|&i| app_of(i) == app)
                .map(|i| (format!("{prefix}{i}"), walker[i].clone()))
                .collect();
            for chunk in pairs.chunks(500) {
                store.put_vectors(owner, app, MODEL, chunk).await.unwrap();
            }
            if owner == "walker" {
                mine.extend(pairs);
            }
        }
    }

    // As autovacuum would soon: without statistics PostgreSQL guesses the
    // owner at a few rows and compares them exactly (right, but then the
    // walk is never taken). SQLite accepts the statement too.
    h.raw_exec("ANALYZE", None, &[]).await;

    let mut fewest = K;
    for q in 0..QUERIES {
        let query = near(&mut rng, &centres);
        // Every third query also narrows to one app, inside the walk.
        let apps = if q % 3 == 2 {
            vec![DocApp::Files]
        } else {
            vec![]
        };
        let hits = store
            .vector_search(
                "walker",
                MODEL,
                &query,
                &IndexQuery {
                    limit: K as u32,
                    apps: apps.clone(),
                    ..IndexQuery::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(hits.len(), K, "query {q}: {hits:?}");
        for hit in &hits {
            let Some(v) = mine.get(&hit.doc_id) else {
                panic!("query {q}: {} is not the owner's", hit.doc_id);
            };
            assert!(
                apps.is_empty() || apps.contains(&hit.app),
                "query {q}: {hit:?}"
            );
            // The score is the exact similarity of this document's vector.
            assert!(
                (hit.score - cosine(&query, v)).abs() < 1e-4,
                "query {q}: {} scored {} for a similarity of {}",
                hit.doc_id,
                hit.score,
                cosine(&query, v)
            );
        }
        assert!(
            hits.windows(2).all(|w| w[0].score >= w[1].score),
            "query {q}: not nearest first: {hits:?}"
        );
        let exact = exact_top(&mine, &query, &apps);
        let found = hits.iter().filter(|h| exact.contains(&h.doc_id)).count();
        fewest = fewest.min(found);
        assert!(
            found >= RECALL_AT_LEAST,
            "query {q}: {found} of the exact top {K}: {:?} against {exact:?}",
            hits.iter().map(|h| &h.doc_id).collect::<Vec<_>>()
        );
    }

    eprintln!("walk recall: at least {fewest} of {K} on each of {QUERIES} queries");
    if let Some(scans) = h
        .index_scans(&format!("index_vectors_hnsw_{DIMENSIONS}"))
        .await
    {
        assert!(scans > 0, "the searches never walked the index");
    }
}
