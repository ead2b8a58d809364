//! The `SearchIndex` port on both stores. Everything but the ranked query is
//! the same SQL; the query differs per engine (FTS5 / tsvector) and is passed
//! to the macro with the two functions that turn search terms into its
//! syntax: every term exactly (the first tier), any term as a prefix (the
//! fallback; see `domain::index::merge_tiers`).

use crate::domain::index::{AppIndexStatus, DocApp, IndexHit, SourceState, matches_as_prefix};
use crate::ports::store::StoreError;

pub(crate) const UPSERT_DOCUMENT: &str = "INSERT INTO index_documents \
    (owner, app, doc_id, title, body, path, link, modified, version) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
    ON CONFLICT (owner, app, doc_id) DO UPDATE SET title = excluded.title, \
    body = excluded.body, path = excluded.path, link = excluded.link, \
    modified = excluded.modified, version = excluded.version";
pub(crate) const DELETE_DOCUMENT: &str =
    "DELETE FROM index_documents WHERE owner = $1 AND app = $2 AND doc_id = $3";
/// A document replaced or deleted loses its vector: it was made from the old text.
pub(crate) const DELETE_VECTOR: &str =
    "DELETE FROM index_vectors WHERE owner = $1 AND app = $2 AND doc_id = $3";
pub(crate) const DOCUMENT_VERSIONS: &str =
    "SELECT doc_id, version FROM index_documents WHERE owner = $1 AND app = $2";
pub(crate) const SOURCE_STATE: &str = "SELECT cursor, last_sync, pending, last_error \
    FROM index_sources WHERE owner = $1 AND app = $2";
pub(crate) const PUT_SOURCE_STATE: &str = "INSERT INTO index_sources \
    (owner, app, cursor, last_sync, pending, last_error) VALUES ($1, $2, $3, $4, $5, $6) \
    ON CONFLICT (owner, app) DO UPDATE SET cursor = excluded.cursor, \
    last_sync = excluded.last_sync, pending = excluded.pending, last_error = excluded.last_error";
pub(crate) const COUNT_BY_APP: &str =
    "SELECT app, COUNT(*) FROM index_documents WHERE owner = $1 GROUP BY app";
pub(crate) const SOURCES_OF: &str = "SELECT app, cursor, last_sync, pending, last_error \
    FROM index_sources WHERE owner = $1";
pub(crate) const PURGE_DOCUMENTS: &str = "DELETE FROM index_documents WHERE owner = $1";
pub(crate) const PURGE_SOURCES: &str = "DELETE FROM index_sources WHERE owner = $1";
pub(crate) const PURGE_VECTORS: &str = "DELETE FROM index_vectors WHERE owner = $1";
pub(crate) const OWNERS: &str = "SELECT owner FROM index_documents \
    UNION SELECT owner FROM index_sources UNION SELECT owner FROM index_vectors ORDER BY owner";

pub(crate) type SourceRow = (Option<String>, Option<i64>, i64, Option<String>);
pub(crate) type AppSourceRow = (String, Option<String>, Option<i64>, i64, Option<String>);
pub(crate) type HitRow = (String, String, String, String, String, String, i64, f64);

/// `,notes,files,` for the apps filter (`NULL`: every app), matched with a
/// substring test so one statement serves any number of apps.
pub(crate) fn apps_filter(apps: &[DocApp]) -> Option<String> {
    (!apps.is_empty()).then(|| {
        let names: Vec<&str> = apps.iter().map(|a| a.as_str()).collect();
        format!(",{},", names.join(","))
    })
}

pub(crate) fn app_of(name: &str) -> Result<DocApp, StoreError> {
    DocApp::parse(name).ok_or_else(|| StoreError::Corrupt(format!("unknown index app {name:?}")))
}

pub(crate) fn state_from_row(row: SourceRow) -> SourceState {
    let (cursor, last_sync, pending, last_error) = row;
    SourceState {
        cursor,
        last_sync,
        pending: pending.max(0) as u64,
        last_error,
    }
}

pub(crate) fn hit_from_row(row: HitRow) -> Result<IndexHit, StoreError> {
    let (app, doc_id, title, snippet, link, path, modified, score) = row;
    Ok(IndexHit {
        app: app_of(&app)?,
        doc_id,
        title,
        snippet,
        link,
        path,
        modified,
        score,
    })
}

/// Documents counted per app joined with the bookkeeping rows, by app.
pub(crate) fn status_of(
    counts: Vec<(String, i64)>,
    sources: Vec<AppSourceRow>,
) -> Result<Vec<AppIndexStatus>, StoreError> {
    let mut out: Vec<AppIndexStatus> = Vec::new();
    for (app, cursor, last_sync, pending, last_error) in sources {
        out.push(AppIndexStatus {
            app: app_of(&app)?,
            documents: 0,
            state: state_from_row((cursor, last_sync, pending, last_error)),
        });
    }
    for (app, count) in counts {
        let app = app_of(&app)?;
        match out.iter_mut().find(|s| s.app == app) {
            Some(status) => status.documents = count.max(0) as u64,
            None => out.push(AppIndexStatus {
                app,
                documents: count.max(0) as u64,
                state: SourceState::default(),
            }),
        }
    }
    out.sort_by_key(|s| s.app);
    Ok(out)
}

macro_rules! impl_search_index {
    ($store:ty, $search_sql:expr, $match_all:path, $match_any:path) => {
        #[async_trait::async_trait]
        impl $crate::ports::index::SearchIndex for $store {
            async fn upsert_documents(
                &self,
                owner: &str,
                documents: &[$crate::domain::index::IndexedDocument],
            ) -> Result<(), StoreError> {
                let mut tx = self.pool.begin().await.map_err(common::db_error)?;
                for doc in documents {
                    sqlx::query(index_sql::UPSERT_DOCUMENT)
                        .bind(owner)
                        .bind(doc.app.as_str())
                        .bind(&doc.doc_id)
                        .bind(&doc.title)
                        .bind(&doc.body)
                        .bind(&doc.path)
                        .bind(&doc.link)
                        .bind(doc.modified)
                        .bind(&doc.version)
                        .execute(&mut *tx)
                        .await
                        .map_err(common::db_error)?;
                    sqlx::query(index_sql::DELETE_VECTOR)
                        .bind(owner)
                        .bind(doc.app.as_str())
                        .bind(&doc.doc_id)
                        .execute(&mut *tx)
                        .await
                        .map_err(common::db_error)?;
                }
                tx.commit().await.map_err(common::db_error)
            }

            async fn delete_documents(
                &self,
                owner: &str,
                app: $crate::domain::index::DocApp,
                doc_ids: &[String],
            ) -> Result<u64, StoreError> {
                let mut tx = self.pool.begin().await.map_err(common::db_error)?;
                let mut gone = 0;
                for id in doc_ids {
                    sqlx::query(index_sql::DELETE_VECTOR)
                        .bind(owner)
                        .bind(app.as_str())
                        .bind(id)
                        .execute(&mut *tx)
                        .await
                        .map_err(common::db_error)?;
                    gone += sqlx::query(index_sql::DELETE_DOCUMENT)
                        .bind(owner)
                        .bind(app.as_str())
                        .bind(id)
                        .execute(&mut *tx)
                        .await
                        .map_err(common::db_error)?
                        .rows_affected();
                }
                tx.commit().await.map_err(common::db_error)?;
                Ok(gone)
            }

            async fn document_versions(
                &self,
                owner: &str,
                app: $crate::domain::index::DocApp,
            ) -> Result<Vec<(String, String)>, StoreError> {
                sqlx::query_as(index_sql::DOCUMENT_VERSIONS)
                    .bind(owner)
                    .bind(app.as_str())
                    .fetch_all(&self.pool)
                    .await
                    .map_err(common::db_error)
            }

            async fn search(
                &self,
                owner: &str,
                query: &$crate::domain::index::IndexQuery,
            ) -> Result<Vec<$crate::domain::index::IndexHit>, StoreError> {
                if query.terms.is_empty() || query.limit == 0 {
                    return Ok(Vec::new());
                }
                let apps = index_sql::apps_filter(&query.apps);
                let tier = |syntax: String| {
                    let apps = apps.clone();
                    async move {
                        let rows: Vec<index_sql::HitRow> = sqlx::query_as($search_sql)
                            .bind(syntax)
                            .bind(owner)
                            .bind(query.modified_after)
                            .bind(query.modified_before)
                            .bind(query.path_prefix.as_deref())
                            .bind(apps)
                            .bind(i64::from(query.limit))
                            .fetch_all(&self.pool)
                            .await
                            .map_err(common::db_error)?;
                        rows.into_iter()
                            .map(index_sql::hit_from_row)
                            .collect::<Result<Vec<_>, StoreError>>()
                    }
                };
                let limit = query.limit as usize;
                let first = tier($match_all(&query.terms)).await?;
                if !$crate::domain::index::needs_fallback(first.len(), limit) {
                    return Ok(first);
                }
                let fallback = tier($match_any(&query.terms)).await?;
                Ok($crate::domain::index::merge_tiers(first, fallback, limit))
            }

            async fn source_state(
                &self,
                owner: &str,
                app: $crate::domain::index::DocApp,
            ) -> Result<$crate::domain::index::SourceState, StoreError> {
                let row: Option<index_sql::SourceRow> = sqlx::query_as(index_sql::SOURCE_STATE)
                    .bind(owner)
                    .bind(app.as_str())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(common::db_error)?;
                Ok(row.map(index_sql::state_from_row).unwrap_or_default())
            }

            async fn put_source_state(
                &self,
                owner: &str,
                app: $crate::domain::index::DocApp,
                state: &$crate::domain::index::SourceState,
            ) -> Result<(), StoreError> {
                sqlx::query(index_sql::PUT_SOURCE_STATE)
                    .bind(owner)
                    .bind(app.as_str())
                    .bind(state.cursor.as_deref())
                    .bind(state.last_sync)
                    .bind(i64::try_from(state.pending).unwrap_or(i64::MAX))
                    .bind(state.last_error.as_deref())
                    .execute(&self.pool)
                    .await
                    .map_err(common::db_error)?;
                Ok(())
            }

            async fn index_status(
                &self,
                owner: &str,
            ) -> Result<Vec<$crate::domain::index::AppIndexStatus>, StoreError> {
                let counts: Vec<(String, i64)> = sqlx::query_as(index_sql::COUNT_BY_APP)
                    .bind(owner)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(common::db_error)?;
                let sources: Vec<index_sql::AppSourceRow> = sqlx::query_as(index_sql::SOURCES_OF)
                    .bind(owner)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(common::db_error)?;
                index_sql::status_of(counts, sources)
            }

            async fn purge_owner(&self, owner: &str) -> Result<u64, StoreError> {
                let mut tx = self.pool.begin().await.map_err(common::db_error)?;
                let gone = sqlx::query(index_sql::PURGE_DOCUMENTS)
                    .bind(owner)
                    .execute(&mut *tx)
                    .await
                    .map_err(common::db_error)?
                    .rows_affected();
                sqlx::query(index_sql::PURGE_SOURCES)
                    .bind(owner)
                    .execute(&mut *tx)
                    .await
                    .map_err(common::db_error)?;
                sqlx::query(index_sql::PURGE_VECTORS)
                    .bind(owner)
                    .execute(&mut *tx)
                    .await
                    .map_err(common::db_error)?;
                tx.commit().await.map_err(common::db_error)?;
                Ok(gone)
            }

            async fn owners(&self) -> Result<Vec<String>, StoreError> {
                let rows: Vec<(String,)> = sqlx::query_as(index_sql::OWNERS)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(common::db_error)?;
                Ok(rows.into_iter().map(|(o,)| o).collect())
            }
        }
    };
}

pub(crate) use impl_search_index;

/// FTS5, first tier: every term, quoted (terms are letters and digits
/// only), exactly. Exact terms read one doclist each; a prefix makes FTS5
/// merge the doclists of every word it starts before the first row.
pub(crate) fn fts5_all(terms: &[String]) -> String {
    terms
        .iter()
        .map(|t| format!("\"{t}\""))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// FTS5, fallback tier: each term as a prefix (short ones whole, see
/// [`matches_as_prefix`]), OR-ed; bm25 ranks documents matching more terms
/// first.
pub(crate) fn fts5_any(terms: &[String]) -> String {
    terms
        .iter()
        .map(|t| {
            if matches_as_prefix(t) {
                format!("\"{t}\"*")
            } else {
                format!("\"{t}\"")
            }
        })
        .collect::<Vec<_>>()
        .join(" OR ")
}

/// tsquery, first tier: every term exactly.
pub(crate) fn tsquery_all(terms: &[String]) -> String {
    terms.join(" & ")
}

/// tsquery, fallback tier: each term as a prefix (short ones whole), OR-ed.
pub(crate) fn tsquery_any(terms: &[String]) -> String {
    terms
        .iter()
        .map(|t| {
            if matches_as_prefix(t) {
                format!("{t}:*")
            } else {
                t.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Ranked by bm25 with the title weighted five times the body (the owner
/// column weighs nothing); the snippet is cut from the body around the
/// matches. The FTS query itself is scoped to the owner (`owner_key`, the
/// hex of the owner, made by the same `hex()` as the triggers), so FTS5
/// ranks only the owner's matches; the exact `d.owner = $2` test is kept
/// as the guard.
///
/// bm25 ranks at most the 1,000 newest matches (highest rowid: the most
/// recently added documents) that pass the filters: scoring every match of a
/// word found in most documents cost 300 ms at 100,000 documents, and FTS5
/// walks rowids in descending order without sorting, so the bound stops the
/// walk early. A word in fewer documents than that is ranked over all of
/// them. The filters sit inside the bound, so a filter never empties a
/// result that has matches.
///
/// The ranking runs first with the limit, so only the rows kept get a
/// snippet: an ORDER BY over every match would otherwise make a snippet for
/// each of them before sorting. CROSS JOIN keeps the kept rows as the outer
/// loop, so the second MATCH (the snippet needs one) looks up each kept
/// rowid; with a plain JOIN the planner scanned every match of the terms, of
/// every owner, a second time.
pub(crate) const SQLITE_SEARCH: &str = "SELECT d.app, d.doc_id, d.title, \
    snippet(index_fts, 1, '**', '**', '…', 24), d.link, d.path, d.modified, -top.rank \
    FROM (SELECT id, rank FROM (SELECT index_fts.rowid AS id, \
    bm25(index_fts, 5.0, 1.0, 0.0) AS rank \
    FROM index_fts JOIN index_documents d ON d.id = index_fts.rowid \
    WHERE index_fts MATCH 'owner_key : \"' || hex($2) || '\" AND (' || $1 || ')' \
    AND d.owner = $2 \
    AND ($3 IS NULL OR d.modified >= $3) AND ($4 IS NULL OR d.modified <= $4) \
    AND ($5 IS NULL OR substr(d.path, 1, length($5)) = $5) \
    AND ($6 IS NULL OR instr($6, ',' || d.app || ',') > 0) \
    ORDER BY index_fts.rowid DESC LIMIT 1000) \
    ORDER BY rank LIMIT $7) AS top \
    CROSS JOIN index_fts ON index_fts.rowid = top.id \
    CROSS JOIN index_documents d ON d.id = top.id \
    WHERE index_fts MATCH $1 \
    ORDER BY top.rank";

/// Ranked by ts_rank_cd; the headline (the expensive part) is made only for
/// the rows that survive the limit.
pub(crate) const POSTGRES_SEARCH: &str = "SELECT app, doc_id, title, \
    ts_headline('simple', body, to_tsquery('simple', $1), \
    'MaxWords=24, MinWords=8, StartSel=**, StopSel=**'), link, path, modified, rank \
    FROM (SELECT app, doc_id, title, body, link, path, modified, \
    ts_rank_cd(tsv, to_tsquery('simple', $1))::float8 AS rank \
    FROM index_documents WHERE owner = $2 AND tsv @@ to_tsquery('simple', $1) \
    AND ($3::bigint IS NULL OR modified >= $3::bigint) \
    AND ($4::bigint IS NULL OR modified <= $4::bigint) \
    AND ($5::text IS NULL OR left(path, length($5::text)) = $5::text) \
    AND ($6::text IS NULL OR position(',' || app || ',' in $6::text) > 0) \
    ORDER BY rank DESC, modified DESC LIMIT $7) ranked ORDER BY rank DESC, modified DESC";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_syntax_is_built_from_plain_terms() {
        let terms = vec!["budget".to_string(), "2027".to_string()];
        assert_eq!(fts5_all(&terms), r#""budget" AND "2027""#);
        assert_eq!(fts5_any(&terms), r#""budget"* OR "2027"*"#);
        assert_eq!(tsquery_all(&terms), "budget & 2027");
        assert_eq!(tsquery_any(&terms), "budget:* | 2027:*");
        assert_eq!(
            apps_filter(&[DocApp::Notes, DocApp::Deck]).as_deref(),
            Some(",notes,deck,")
        );
        assert_eq!(apps_filter(&[]), None);
    }
}
