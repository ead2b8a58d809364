//! PostgreSQL's own vector search, when pgvector is installed in the
//! database: a `vec vector` column beside the portable one and an HNSW index
//! (cosine) for the configured length. The migration cannot depend on the
//! extension (many databases lack it and only an administrator may add
//! it), so this set-up runs at start, under an advisory lock so replicas
//! starting together do it once.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use sqlx::{PgPool, Postgres, Transaction};

use super::common;
use super::index_sql::{self, HitRow};
use crate::domain::index::vectors::{self, VectorEngine};
use crate::domain::index::{DocApp, IndexHit, IndexQuery};
use crate::ports::store::StoreError;

/// What start-up found: the vector length pgvector is set up for (0: not
/// in use) and whether it can keep scanning its index until enough of one
/// owner's rows are found (0.8's iterative scans).
#[derive(Debug, Default)]
pub(crate) struct PgVector {
    dimensions: AtomicUsize,
    iterative: AtomicBool,
}

/// Any constant names the lock; it only has to be the same in every replica.
const SETUP_LOCK: i64 = 0x6e63_6d63_7076;

impl PgVector {
    pub(crate) async fn prepare(
        &self,
        pool: &PgPool,
        dimensions: usize,
    ) -> Result<VectorEngine, StoreError> {
        let version: Option<(String,)> =
            sqlx::query_as("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
                .fetch_optional(pool)
                .await
                .map_err(common::db_error)?;
        let Some((version,)) = version else {
            self.dimensions.store(0, Ordering::Relaxed);
            return Ok(VectorEngine::InProcess);
        };
        let mut tx = pool.begin().await.map_err(common::db_error)?;
        for statement in [
            format!("SELECT pg_advisory_xact_lock({SETUP_LOCK})"),
            "ALTER TABLE index_vectors ADD COLUMN IF NOT EXISTS vec vector".to_string(),
            // Vectors stored while pgvector was absent have no `vec`; the
            // sync embeds their documents again.
            "DELETE FROM index_vectors WHERE vec IS NULL".to_string(),
            // `dimensions` is a number from the configuration, never text.
            format!(
                "CREATE INDEX IF NOT EXISTS index_vectors_hnsw_{dimensions} ON index_vectors \
                 USING hnsw ((vec::vector({dimensions})) vector_cosine_ops) \
                 WHERE vector_dims(vec) = {dimensions}"
            ),
        ] {
            sqlx::query(&statement)
                .execute(&mut *tx)
                .await
                .map_err(common::db_error)?;
        }
        tx.commit().await.map_err(common::db_error)?;
        self.dimensions.store(dimensions, Ordering::Relaxed);
        self.iterative
            .store(iterative_scans(&version), Ordering::Relaxed);
        Ok(VectorEngine::Database(version))
    }

    fn dimensions_for(&self, vector: &[f32]) -> Option<usize> {
        let n = self.dimensions.load(Ordering::Relaxed);
        (n != 0 && n == vector.len()).then_some(n)
    }

    /// Stores a batch in one statement per run of distinct ids: a statement
    /// per vector paid a round trip and, with pgvector, a second write (the
    /// `vec` update) that put every row into the HNSW index twice. Returns
    /// how many vectors were stored (those of documents that still exist).
    pub(crate) async fn put_batch(
        &self,
        pool: &PgPool,
        owner: &str,
        app: DocApp,
        model: &str,
        batch: &[(String, Vec<f32>)],
    ) -> Result<u64, StoreError> {
        let native = self.dimensions.load(Ordering::Relaxed) != 0;
        let mut tx = pool.begin().await.map_err(common::db_error)?;
        let mut stored = 0;
        for run in distinct_runs(batch) {
            let ids: Vec<&str> = run.iter().map(|(id, _)| id.as_str()).collect();
            let embeddings: Vec<Vec<u8>> = run.iter().map(|(_, v)| vectors::encode(v)).collect();
            let statement = if native {
                // A vector of another length gets no `vec` (NULL): it is not
                // searchable in the database, and an older `vec` of this
                // document must not stay behind under the new model.
                let literals: Vec<Option<String>> = run
                    .iter()
                    .map(|(_, v)| self.dimensions_for(v).map(|_| vectors::pgvector_literal(v)))
                    .collect();
                sqlx::query(PUT_NATIVE)
                    .bind(owner)
                    .bind(app.as_str())
                    .bind(model)
                    .bind(ids)
                    .bind(embeddings)
                    .bind(literals)
            } else {
                sqlx::query(PUT_PORTABLE)
                    .bind(owner)
                    .bind(app.as_str())
                    .bind(model)
                    .bind(ids)
                    .bind(embeddings)
            };
            stored += statement
                .execute(&mut *tx)
                .await
                .map_err(common::db_error)?
                .rows_affected();
        }
        tx.commit().await.map_err(common::db_error)?;
        Ok(stored)
    }

    /// `None` when pgvector is not in use: the caller searches in the process.
    ///
    /// An owner with few vectors, or a small share of the table, is searched
    /// exactly: the HNSW index spans every owner, and a walk through it
    /// meets a small owner's rows only rarely (`walk_from`). A larger
    /// owner's search walks the index (with pgvector 0.8, iteratively until
    /// enough rows pass the owner and filter tests), and falls back to the
    /// exact scan when the walk ends short of the limit.
    pub(crate) async fn search(
        &self,
        pool: &PgPool,
        owner: &str,
        model: &str,
        vector: &[f32],
        query: &IndexQuery,
    ) -> Result<Option<Vec<IndexHit>>, StoreError> {
        let Some(n) = self.dimensions_for(vector) else {
            return Ok(None);
        };
        let limit = i64::from(query.limit);
        let mut tx = pool.begin().await.map_err(common::db_error)?;
        let (table_rows,): (f64,) = sqlx::query_as(TABLE_ROWS)
            .fetch_one(&mut *tx)
            .await
            .map_err(common::db_error)?;
        let bound = walk_from(table_rows);
        let (owner_rows,): (i64,) = sqlx::query_as(OWNER_ROWS_UP_TO)
            .bind(owner)
            .bind(bound)
            .fetch_one(&mut *tx)
            .await
            .map_err(common::db_error)?;
        let mut rows = Vec::new();
        if owner_rows >= bound {
            if self.iterative.load(Ordering::Relaxed) {
                // Relaxed order: the walk may return rows slightly out of
                // order; the statement sorts the rows it kept by their exact
                // distance. `ef_search` is a number, never text.
                for statement in [
                    "SET LOCAL hnsw.iterative_scan = relaxed_order".to_string(),
                    format!("SET LOCAL hnsw.ef_search = {}", ef_search(query.limit)),
                ] {
                    sqlx::query(&statement)
                        .execute(&mut *tx)
                        .await
                        .map_err(common::db_error)?;
                }
            }
            rows = fetch_nearest(&mut tx, &indexed_sql(n), owner, model, vector, query).await?;
        }
        if (rows.len() as i64) < limit {
            rows = fetch_nearest(&mut tx, &exact_sql(n), owner, model, vector, query).await?;
        }
        tx.commit().await.map_err(common::db_error)?;
        let mut hits = Vec::with_capacity(rows.len());
        for row in rows {
            let mut hit = index_sql::hit_from_row(row)?;
            hit.snippet = vectors::plain_snippet(&hit.snippet);
            hits.push(hit);
        }
        Ok(Some(hits))
    }
}

/// The smallest owner that walks the index, whatever its share of the
/// table: below it the exact comparison costs less than the walk's own
/// fixed cost. See `walk_from`.
const WALK_FROM_AT_LEAST: i64 = 1_000;

/// How the walk's cost grows as the owner's share of the table shrinks
/// (`walk_from`); measured, see docs/performance.md ("Search index").
const SHARE_FACTOR: f64 = 100.0;

/// The owner size from which the index walk costs less than comparing
/// every vector of the owner. The exact scan costs about the same per
/// owner vector whatever the table holds; the walk visits about
/// `limit / share` index entries (the others are other owners' rows it
/// passes over), where the share is the owner's part of the table. The walk
/// wins once `owner² ≥ SHARE_FACTOR × table`, and never below
/// `WALK_FROM_AT_LEAST`. `table_rows` is PostgreSQL's estimate (`reltuples`;
/// negative or zero when never counted, which leaves the floor).
fn walk_from(table_rows: f64) -> i64 {
    let by_share = (SHARE_FACTOR * table_rows.max(0.0)).sqrt().ceil();
    (by_share as i64).max(WALK_FROM_AT_LEAST)
}

/// The table's row count as the planner knows it: free to read, and close
/// enough to choose a plan by.
const TABLE_ROWS: &str =
    "SELECT reltuples::float8 FROM pg_class WHERE oid = 'index_vectors'::regclass";

/// The owner's vectors, counted no further than the bound: the answer only
/// chooses between the exact scan and the index walk.
const OWNER_ROWS_UP_TO: &str =
    "SELECT count(*) FROM (SELECT 1 FROM index_vectors WHERE owner = $1 LIMIT $2) AS o";

const PUT_PORTABLE: &str = "INSERT INTO index_vectors (owner, app, doc_id, model, embedding) \
    SELECT $1::text, $2::text, t.doc_id, $3::text, t.embedding \
    FROM unnest($4::text[], $5::bytea[]) AS t(doc_id, embedding) \
    WHERE EXISTS (SELECT 1 FROM index_documents d \
    WHERE d.owner = $1::text AND d.app = $2::text AND d.doc_id = t.doc_id) \
    ON CONFLICT (owner, app, doc_id) DO UPDATE SET model = excluded.model, \
    embedding = excluded.embedding";

/// Only for documents that still exist: a deletion may have come between
/// reading a document and storing its vector.
const PUT_NATIVE: &str = "INSERT INTO index_vectors (owner, app, doc_id, model, embedding, vec) \
    SELECT $1::text, $2::text, t.doc_id, $3::text, t.embedding, t.vec::vector \
    FROM unnest($4::text[], $5::bytea[], $6::text[]) AS t(doc_id, embedding, vec) \
    WHERE EXISTS (SELECT 1 FROM index_documents d \
    WHERE d.owner = $1::text AND d.app = $2::text AND d.doc_id = t.doc_id) \
    ON CONFLICT (owner, app, doc_id) DO UPDATE SET model = excluded.model, \
    embedding = excluded.embedding, vec = excluded.vec";

/// One INSERT may not touch a row twice (ON CONFLICT), so a batch naming an
/// id again is cut there; the later vector wins, as with one row at a time.
fn distinct_runs(batch: &[(String, Vec<f32>)]) -> Vec<&[(String, Vec<f32>)]> {
    let mut runs = Vec::new();
    let mut start = 0;
    let mut seen = std::collections::HashSet::new();
    for (i, (id, _)) in batch.iter().enumerate() {
        if !seen.insert(id.as_str()) {
            runs.push(&batch[start..i]);
            start = i;
            seen.clear();
            seen.insert(id.as_str());
        }
    }
    if start < batch.len() {
        runs.push(&batch[start..]);
    }
    runs
}

/// The candidate list per step of the walk: at least pgvector's default
/// (40) and twice the limit, so a step can fill the limit.
fn ef_search(limit: u32) -> u32 {
    limit.saturating_mul(2).clamp(40, 1_000)
}

/// The nearest rows by a distance the HNSW index serves (its expression).
///
/// The query vector is parsed once, in a sub-select (an InitPlan): written
/// as `$3::text::vector`, PostgreSQL's generic plan for the prepared
/// statement (chosen after five executions) parsed the text again for every
/// row compared, which made the exact scan about four times slower.
fn indexed_sql(n: usize) -> String {
    nearest_sql(
        n,
        &format!("(v.vec::vector({n}) <=> (SELECT $3::text::vector({n})))"),
    )
}

/// The same rows by a distance the index does not serve (no cast to the
/// indexed type), so PostgreSQL compares every vector of the owner.
fn exact_sql(n: usize) -> String {
    nearest_sql(n, "(v.vec <=> (SELECT $3::text::vector))")
}

/// The inner statement picks the nearest ids and their distances only, so
/// an exact scan sorts narrow rows (top-N in memory; with the row's columns
/// beside it PostgreSQL sorted whole rows on disk). The outer one reads the
/// kept documents and sorts by the exact distance: with relaxed order the
/// index walk's own order is approximate. `n` is a number from the
/// configuration, never text.
fn nearest_sql(n: usize, distance: &str) -> String {
    format!(
        "SELECT d.app, d.doc_id, d.title, substr(d.body, 1, $8), d.link, d.path, d.modified, \
         (1 - near.distance)::float8 \
         FROM (SELECT v.app, v.doc_id, {distance} AS distance \
         FROM index_vectors v JOIN index_documents d \
         ON d.owner = v.owner AND d.app = v.app AND d.doc_id = v.doc_id \
         WHERE v.owner = $1 AND v.model = $2 AND vector_dims(v.vec) = {n} \
         AND ($4::bigint IS NULL OR d.modified >= $4::bigint) \
         AND ($5::bigint IS NULL OR d.modified <= $5::bigint) \
         AND ($6::text IS NULL OR left(d.path, length($6::text)) = $6::text) \
         AND ($7::text IS NULL OR position(',' || d.app || ',' in $7::text) > 0) \
         ORDER BY distance LIMIT $9) AS near \
         JOIN index_documents d \
         ON d.owner = $1 AND d.app = near.app AND d.doc_id = near.doc_id \
         ORDER BY near.distance"
    )
}

async fn fetch_nearest(
    tx: &mut Transaction<'_, Postgres>,
    sql: &str,
    owner: &str,
    model: &str,
    vector: &[f32],
    query: &IndexQuery,
) -> Result<Vec<HitRow>, StoreError> {
    sqlx::query_as(sql)
        .bind(owner)
        .bind(model)
        .bind(vectors::pgvector_literal(vector))
        .bind(query.modified_after)
        .bind(query.modified_before)
        .bind(query.path_prefix.as_deref())
        .bind(index_sql::apps_filter(&query.apps))
        .bind(super::vector_sql::SNIPPET_READ)
        .bind(i64::from(query.limit))
        .fetch_all(&mut **tx)
        .await
        .map_err(common::db_error)
}

/// Iterative index scans came with pgvector 0.8.0.
fn iterative_scans(version: &str) -> bool {
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    major > 0 || minor >= 8
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(ids: &[&str]) -> Vec<(String, Vec<f32>)> {
        ids.iter().map(|id| (id.to_string(), vec![0.0])).collect()
    }

    #[test]
    fn a_repeated_id_starts_a_new_run() {
        let b = batch(&["a", "b", "a", "c", "c"]);
        let runs: Vec<Vec<&str>> = distinct_runs(&b)
            .iter()
            .map(|r| r.iter().map(|(id, _)| id.as_str()).collect())
            .collect();
        assert_eq!(runs, [vec!["a", "b"], vec!["a", "c"], vec!["c"]]);
        assert!(distinct_runs(&[]).is_empty());
    }

    #[test]
    fn ef_search_covers_the_limit() {
        assert_eq!(ef_search(10), 40);
        assert_eq!(ef_search(50), 100);
        assert_eq!(ef_search(u32::MAX), 1_000);
    }

    #[test]
    fn the_walk_starts_where_the_owner_is_large_enough_for_the_table() {
        // Unknown (-1) or small tables: the floor.
        assert_eq!(walk_from(-1.0), WALK_FROM_AT_LEAST);
        assert_eq!(walk_from(0.0), WALK_FROM_AT_LEAST);
        assert_eq!(walk_from(5_000.0), WALK_FROM_AT_LEAST);
        // owner² ≥ 100 × table: 3,000 of 90,000; 10,000 of a million.
        assert_eq!(walk_from(90_000.0), 3_000);
        assert_eq!(walk_from(1_000_000.0), 10_000);
    }

    #[test]
    fn iterative_scans_from_0_8() {
        assert!(iterative_scans("0.8.0"));
        assert!(iterative_scans("0.10.1"));
        assert!(iterative_scans("1.0"));
        assert!(!iterative_scans("0.7.4"));
        assert!(!iterative_scans("unknown"));
    }
}
