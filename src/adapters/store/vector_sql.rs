//! The `VectorIndex` port on both stores. Vectors are always kept in the
//! portable `embedding` column and searched in the process over one owner's
//! rows; PostgreSQL with pgvector also keeps them in a `vec` column and
//! searches them there. Each store supplies `prepare_native`, `put_native`
//! (a whole batch; `None`: stored here one row at a time) and
//! `search_native` for that (no-ops on SQLite).

use crate::domain::index::vectors::{self, EmbedInput, TopK};
use crate::domain::index::{DocApp, IndexHit};
use crate::ports::store::StoreError;

pub(crate) const UNEMBEDDED: &str = "SELECT d.doc_id, d.title, substr(d.body, 1, $4) \
    FROM index_documents d LEFT JOIN index_vectors v \
    ON v.owner = d.owner AND v.app = d.app AND v.doc_id = d.doc_id AND v.model = $3 \
    WHERE d.owner = $1 AND d.app = $2 AND v.doc_id IS NULL ORDER BY d.doc_id LIMIT $5";

/// Only for a document that still exists: a deletion may have come between
/// reading it and storing its vector.
pub(crate) const PUT_VECTOR: &str = "INSERT INTO index_vectors \
    (owner, app, doc_id, model, embedding) \
    SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM index_documents \
    WHERE owner = $1 AND app = $2 AND doc_id = $3) \
    ON CONFLICT (owner, app, doc_id) DO UPDATE SET model = excluded.model, \
    embedding = excluded.embedding";

/// Every vector of `owner` by `model` under the filters (the same as the
/// keyword search's), without document bodies: the scan stays small.
pub(crate) const OWNER_VECTORS: &str = "SELECT v.app, v.doc_id, v.embedding \
    FROM index_vectors v JOIN index_documents d \
    ON d.owner = v.owner AND d.app = v.app AND d.doc_id = v.doc_id \
    WHERE v.owner = $1 AND v.model = $2 \
    AND ($3 IS NULL OR d.modified >= $3) AND ($4 IS NULL OR d.modified <= $4) \
    AND ($5 IS NULL OR substr(d.path, 1, length($5)) = $5) \
    AND ($6 IS NULL OR instr($6, ',' || d.app || ',') > 0)";

/// PostgreSQL's spelling of [`OWNER_VECTORS`] (typed NULL tests, `position`).
pub(crate) const PG_OWNER_VECTORS: &str = "SELECT v.app, v.doc_id, v.embedding \
    FROM index_vectors v JOIN index_documents d \
    ON d.owner = v.owner AND d.app = v.app AND d.doc_id = v.doc_id \
    WHERE v.owner = $1 AND v.model = $2 \
    AND ($3::bigint IS NULL OR d.modified >= $3::bigint) \
    AND ($4::bigint IS NULL OR d.modified <= $4::bigint) \
    AND ($5::text IS NULL OR left(d.path, length($5::text)) = $5::text) \
    AND ($6::text IS NULL OR position(',' || d.app || ',' in $6::text) > 0)";

pub(crate) const HIT_DETAILS: &str = "SELECT title, substr(body, 1, $4), link, path, modified \
    FROM index_documents WHERE owner = $1 AND app = $2 AND doc_id = $3";

pub(crate) type DetailRow = (String, String, String, String, i64);

/// The body characters read for a vector hit's snippet.
/// `i32`: PostgreSQL has `substr(text, integer, integer)` only.
pub(crate) const SNIPPET_READ: i32 = (vectors::VECTOR_SNIPPET_CHARS + 16) as i32;

pub(crate) fn input_of(row: (String, String, String)) -> EmbedInput {
    let (doc_id, title, body) = row;
    EmbedInput::new(doc_id, &title, &body)
}

/// The nearest `limit` of a stream of (app, doc id, stored vector) rows;
/// rows of another length (a model changed under the same name) are skipped.
pub(crate) struct Nearest<'q> {
    query: &'q [f32],
    top: TopK<(String, String)>,
}

impl<'q> Nearest<'q> {
    pub(crate) fn new(query: &'q [f32], limit: usize) -> Self {
        Self {
            query,
            top: TopK::new(limit),
        }
    }

    pub(crate) fn offer(&mut self, app: String, doc_id: String, bytes: &[u8]) {
        if let Some(v) = vectors::decode(bytes, self.query.len()) {
            self.top
                .offer(vectors::cosine(self.query, &v), (app, doc_id));
        }
    }

    pub(crate) fn into_sorted(self) -> Vec<(f32, (String, String))> {
        self.top.into_sorted()
    }
}

pub(crate) fn vector_hit(
    app: &str,
    doc_id: String,
    score: f32,
    row: DetailRow,
) -> Result<IndexHit, StoreError> {
    let (title, body, link, path, modified) = row;
    Ok(IndexHit {
        app: super::index_sql::app_of(app)?,
        doc_id,
        title,
        snippet: vectors::plain_snippet(&body),
        link,
        path,
        modified,
        score: f64::from(score),
    })
}

pub(crate) fn app_name(app: DocApp) -> &'static str {
    app.as_str()
}

macro_rules! impl_vector_index {
    ($store:ty, $owner_vectors_sql:expr) => {
        #[async_trait::async_trait]
        impl $crate::ports::vectors::VectorIndex for $store {
            async fn prepare_vectors(
                &self,
                dimensions: usize,
            ) -> Result<$crate::domain::index::vectors::VectorEngine, StoreError> {
                self.prepare_native(dimensions).await
            }

            async fn unembedded(
                &self,
                owner: &str,
                app: $crate::domain::index::DocApp,
                model: &str,
                limit: u32,
            ) -> Result<Vec<$crate::domain::index::vectors::EmbedInput>, StoreError> {
                let rows: Vec<(String, String, String)> = sqlx::query_as(vector_sql::UNEMBEDDED)
                    .bind(owner)
                    .bind(vector_sql::app_name(app))
                    .bind(model)
                    .bind($crate::domain::index::vectors::MAX_EMBED_CHARS as i32)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(common::db_error)?;
                Ok(rows.into_iter().map(vector_sql::input_of).collect())
            }

            async fn put_vectors(
                &self,
                owner: &str,
                app: $crate::domain::index::DocApp,
                model: &str,
                vectors: &[(String, Vec<f32>)],
            ) -> Result<u64, StoreError> {
                if let Some(stored) = self.put_native(owner, app, model, vectors).await? {
                    return Ok(stored);
                }
                let mut tx = self.pool.begin().await.map_err(common::db_error)?;
                let mut stored = 0;
                for (doc_id, vector) in vectors {
                    let done = sqlx::query(vector_sql::PUT_VECTOR)
                        .bind(owner)
                        .bind(vector_sql::app_name(app))
                        .bind(doc_id)
                        .bind(model)
                        .bind($crate::domain::index::vectors::encode(vector))
                        .execute(&mut *tx)
                        .await
                        .map_err(common::db_error)?
                        .rows_affected();
                    stored += done;
                }
                tx.commit().await.map_err(common::db_error)?;
                Ok(stored)
            }

            async fn vector_search(
                &self,
                owner: &str,
                model: &str,
                vector: &[f32],
                query: &$crate::domain::index::IndexQuery,
            ) -> Result<Vec<$crate::domain::index::IndexHit>, StoreError> {
                if query.limit == 0 || vector.is_empty() {
                    return Ok(Vec::new());
                }
                if let Some(hits) = self.search_native(owner, model, vector, query).await? {
                    return Ok(hits);
                }
                use futures::TryStreamExt as _;
                let apps = index_sql::apps_filter(&query.apps);
                let mut nearest = vector_sql::Nearest::new(vector, query.limit as usize);
                {
                    let mut rows =
                        sqlx::query_as::<_, (String, String, Vec<u8>)>($owner_vectors_sql)
                            .bind(owner)
                            .bind(model)
                            .bind(query.modified_after)
                            .bind(query.modified_before)
                            .bind(query.path_prefix.as_deref())
                            .bind(apps.as_deref())
                            .fetch(&self.pool);
                    while let Some((app, doc_id, bytes)) =
                        rows.try_next().await.map_err(common::db_error)?
                    {
                        nearest.offer(app, doc_id, &bytes);
                    }
                }
                let mut hits = Vec::new();
                for (score, (app, doc_id)) in nearest.into_sorted() {
                    let row: Option<vector_sql::DetailRow> =
                        sqlx::query_as(vector_sql::HIT_DETAILS)
                            .bind(owner)
                            .bind(&app)
                            .bind(&doc_id)
                            .bind(vector_sql::SNIPPET_READ)
                            .fetch_optional(&self.pool)
                            .await
                            .map_err(common::db_error)?;
                    // Deleted since the scan: not a hit any more.
                    if let Some(row) = row {
                        hits.push(vector_sql::vector_hit(&app, doc_id, score, row)?);
                    }
                }
                Ok(hits)
            }
        }
    };
}

pub(crate) use impl_vector_index;
