//! The search-index tools: `nc_semantic_search` over the caller's own
//! indexed documents and `nc_get_vector_sync_status`. Registered only when
//! the background sync is on (VECTOR_SYNC_ENABLED).

use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars, tool, tool_router};
use serde::Deserialize;
use serde_json::json;

use super::super::AppRouter;
use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::caller::caller_of;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, failure, success};
use crate::adapters::mcp::tool_scopes::Access;
use crate::domain::scopes::Scope;
use crate::service::sync::{IndexReader, SearchMode, SearchRequest};

/// Searching the index reads what unified search would: same scope.
pub(in crate::adapters::mcp::tools) fn router() -> AppRouter {
    AppRouter::new(
        None,
        Access::only(Scope::SearchRead),
        NextcloudMcp::index_router(),
    )
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct SemanticSearchArgs {
    /// What to look for, in your own words, e.g. "budget for the Lisbon offsite".
    pub query: String,
    /// Hits to return (1 to 50; default 10).
    #[serde(default)]
    pub limit: Option<u32>,
    /// Only these apps: any of notes, files, calendar, contacts, deck.
    #[serde(default)]
    pub doc_types: Vec<String>,
    /// Only documents modified at or after this time (YYYY-MM-DD, RFC 3339, or Unix seconds).
    #[serde(default)]
    pub modified_after: Option<String>,
    /// Only documents modified at or before this time (YYYY-MM-DD, RFC 3339, or Unix seconds).
    #[serde(default)]
    pub modified_before: Option<String>,
    /// Only documents under this path: a folder for files (/Projects/), a category for notes.
    #[serde(default)]
    pub path_prefix: Option<String>,
    /// keyword (by words), semantic (by meaning) or hybrid (both, fused); default: hybrid when the server has an embedding model, keyword otherwise.
    #[serde(default)]
    pub mode: Option<String>,
}

/// The mode the caller named, if any.
fn parse_mode(value: Option<&str>) -> Result<Option<SearchMode>, String> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(name) => SearchMode::parse(name)
            .map(Some)
            .ok_or_else(|| format!("mode: '{name}' is not one of keyword, semantic, hybrid")),
    }
}

/// `2026-12-01`, `2026-12-01T10:00:00Z` or `1764547200`, as Unix seconds.
fn parse_when(field: &str, value: Option<&str>) -> Result<Option<i64>, String> {
    let Some(raw) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if let Ok(secs) = raw.parse::<i64>() {
        return Ok(Some(secs));
    }
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(raw) {
        return Ok(Some(at.timestamp()));
    }
    if let Ok(day) = chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        return Ok(day.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp()));
    }
    Err(format!(
        "{field}: '{raw}' is not a date (YYYY-MM-DD), an RFC 3339 time or Unix seconds"
    ))
}

impl NextcloudMcp {
    fn index_reader(&self) -> Result<std::sync::Arc<IndexReader>, rmcp::model::CallToolResult> {
        self.index().ok_or_else(|| {
            failure("the search index is not enabled on this server (VECTOR_SYNC_ENABLED)")
        })
    }
}

#[tool_router(router = index_router)]
impl NextcloudMcp {
    #[tool(
        name = "nc_semantic_search",
        input_schema = crate::adapters::mcp::schema::input::<SemanticSearchArgs>("nc_semantic_search"),
        description = "Search your own Nextcloud documents (notes, text files, calendar events and tasks, contacts, Deck cards) in this server's index, ranked by relevance: by words, and by meaning too when the server has an embedding model (the mode argument picks one or both; the result's mode says which ran). Each hit has its app, id, title, a snippet and a link to open it. The index is refreshed in the background; nc_get_vector_sync_status tells how fresh it is.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn nc_semantic_search(
        &self,
        Parameters(args): Parameters<SemanticSearchArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let reader = self.index_reader()?;
        let search = SearchRequest {
            mode: parse_mode(args.mode.as_deref()).or_fail()?,
            modified_after: parse_when("modified_after", args.modified_after.as_deref())
                .or_fail()?,
            modified_before: parse_when("modified_before", args.modified_before.as_deref())
                .or_fail()?,
            query: args.query,
            limit: args.limit,
            doc_types: args.doc_types,
            path_prefix: args.path_prefix,
        };
        let caller = caller_of(&request);
        let outcome = reader.search(caller.as_ref(), &search).await.or_fail()?;
        let hits = &outcome.hits;
        let mut text = format!(
            "{} hits for '{}' ({} search):",
            hits.len(),
            search.query,
            outcome.mode.as_str()
        );
        if let Some(note) = &outcome.note {
            text.push_str(&format!(" [{note}]"));
        }
        let mut results = Vec::new();
        for hit in hits {
            text.push_str(&format!(
                "\n- [{}] {} <{}>\n  {}",
                hit.app.as_str(),
                hit.title,
                hit.link,
                hit.snippet.replace('\n', " ")
            ));
            results.push(json!({
                "app": hit.app.as_str(),
                "id": hit.doc_id,
                "title": hit.title,
                "snippet": hit.snippet,
                "link": hit.link,
                "path": hit.path,
                "modified": hit.modified,
                "score": hit.score,
            }));
        }
        Ok(success(
            &json!({
                "query": search.query,
                "mode": outcome.mode.as_str(),
                "note": outcome.note,
                "results": results,
            }),
            text,
        ))
    }

    #[tool(
        name = "nc_get_vector_sync_status",
        description = "Tell how complete and fresh your search index is, per app: documents indexed, items pending, when it last synced and the last error.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn nc_get_vector_sync_status(&self, request: RequestContext<RoleServer>) -> ToolOutcome {
        let reader = self.index_reader()?;
        let caller = caller_of(&request);
        let status = reader.status(caller.as_ref()).await.or_fail()?;
        let stopped = reader.stopped(caller.as_ref()).await.or_fail()?;
        let mut text = String::from("Search index:");
        if let Some(why) = &stopped {
            text.push_str(&format!(" the sync is stopped: {why}."));
        }
        let mut apps = Vec::new();
        for s in &status {
            text.push_str(&format!(
                "\n- {}: {} documents, {} pending, last sync {}{}",
                s.app.as_str(),
                s.documents,
                s.state.pending,
                s.state
                    .last_sync
                    .map_or("never".to_string(), |t| t.to_string()),
                s.state
                    .last_error
                    .as_deref()
                    .map(|e| format!(", last error: {e}"))
                    .unwrap_or_default()
            ));
            apps.push(json!({
                "app": s.app.as_str(),
                "documents": s.documents,
                "pending": s.state.pending,
                "last_sync": s.state.last_sync,
                "last_error": s.state.last_error,
            }));
        }
        Ok(success(
            &json!({ "apps": apps, "sync_stopped": stopped }),
            text,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_in_three_forms() {
        assert_eq!(parse_when("f", None), Ok(None));
        assert_eq!(parse_when("f", Some(" ")), Ok(None));
        assert_eq!(parse_when("f", Some("1764547200")), Ok(Some(1_764_547_200)));
        assert_eq!(parse_when("f", Some("2025-12-01")), Ok(Some(1_764_547_200)));
        assert_eq!(
            parse_when("f", Some("2025-12-01T01:00:00+01:00")),
            Ok(Some(1_764_547_200))
        );
        assert!(
            parse_when("modified_after", Some("last week"))
                .unwrap_err()
                .starts_with("modified_after")
        );
    }

    #[test]
    fn modes_parse_by_name() {
        assert_eq!(parse_mode(None), Ok(None));
        assert_eq!(parse_mode(Some(" ")), Ok(None));
        assert_eq!(parse_mode(Some("Semantic")), Ok(Some(SearchMode::Semantic)));
        assert_eq!(parse_mode(Some("hybrid")), Ok(Some(SearchMode::Hybrid)));
        assert_eq!(parse_mode(Some("keyword")), Ok(Some(SearchMode::Keyword)));
        assert!(parse_mode(Some("fuzzy")).unwrap_err().starts_with("mode"));
    }
}
