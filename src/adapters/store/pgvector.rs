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

    pub(crate) async fn put(
        &self,
        tx: &mut Transaction<'_, Postgres>,
        owner: &str,
        app: DocApp,
        doc_id: &str,
        vector: &[f32],
    ) -> Result<(), StoreError> {
        if self.dimensions_for(vector).is_none() {
            return Ok(());
        }
        sqlx::query(
            "UPDATE index_vectors SET vec = $4::text::vector \
             WHERE owner = $1 AND app = $2 AND doc_id = $3",
        )
        .bind(owner)
        .bind(app.as_str())
        .bind(doc_id)
        .bind(vectors::pgvector_literal(vector))
        .execute(&mut **tx)
        .await
        .map_err(common::db_error)?;
        Ok(())
    }

    /// `None` when pgvector is not in use: the caller searches in the process.
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
        let distance = format!("(v.vec::vector({n}) <=> $3::text::vector({n}))");
        let sql = format!(
            "SELECT d.app, d.doc_id, d.title, substr(d.body, 1, $8), d.link, d.path, \
             d.modified, (1 - {distance})::float8 \
             FROM index_vectors v JOIN index_documents d \
             ON d.owner = v.owner AND d.app = v.app AND d.doc_id = v.doc_id \
             WHERE v.owner = $1 AND v.model = $2 AND vector_dims(v.vec) = {n} \
             AND ($4::bigint IS NULL OR d.modified >= $4::bigint) \
             AND ($5::bigint IS NULL OR d.modified <= $5::bigint) \
             AND ($6::text IS NULL OR left(d.path, length($6::text)) = $6::text) \
             AND ($7::text IS NULL OR position(',' || d.app || ',' in $7::text) > 0) \
             ORDER BY {distance} LIMIT $9"
        );
        let mut tx = pool.begin().await.map_err(common::db_error)?;
        if self.iterative.load(Ordering::Relaxed) {
            // The HNSW index spans every owner: without iterative scans a
            // walk could end before it meets `limit` rows of this owner.
            sqlx::query("SET LOCAL hnsw.iterative_scan = strict_order")
                .execute(&mut *tx)
                .await
                .map_err(common::db_error)?;
        }
        let rows: Vec<HitRow> = sqlx::query_as(&sql)
            .bind(owner)
            .bind(model)
            .bind(vectors::pgvector_literal(vector))
            .bind(query.modified_after)
            .bind(query.modified_before)
            .bind(query.path_prefix.as_deref())
            .bind(index_sql::apps_filter(&query.apps))
            .bind(super::vector_sql::SNIPPET_READ)
            .bind(i64::from(query.limit))
            .fetch_all(&mut *tx)
            .await
            .map_err(common::db_error)?;
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

/// Iterative index scans came with pgvector 0.8.0.
fn iterative_scans(version: &str) -> bool {
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    major > 0 || minor >= 8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iterative_scans_from_0_8() {
        assert!(iterative_scans("0.8.0"));
        assert!(iterative_scans("0.10.1"));
        assert!(iterative_scans("1.0"));
        assert!(!iterative_scans("0.7.4"));
        assert!(!iterative_scans("unknown"));
    }
}
