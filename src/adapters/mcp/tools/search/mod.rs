//! Unified search tools (`nc_search_*`), and in `index` the tools over this
//! server's own search index.

pub(super) mod index;

use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars, tool, tool_router};
use serde::Deserialize;
use serde_json::json;

use super::AppRouter;
use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::fan_out;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, success};
use crate::adapters::mcp::paging::PageArgs;
use crate::adapters::mcp::progress::Progress;
use crate::adapters::mcp::tool_scopes::Access;
use crate::domain::scopes::Scope;
use crate::domain::search::{SearchPage, check_query};

/// Unified search is core Nextcloud; it only reads.
pub(super) fn router() -> AppRouter {
    AppRouter::new(
        None,
        Access::only(Scope::SearchRead),
        NextcloudMcp::search_router(),
    )
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct SearchArgs {
    /// What to look for, e.g. "quarterly report".
    pub term: String,
    /// One provider id from nc_search_list_providers (e.g. "files", "notes", "search-deck-card-board"); omit to search every provider.
    #[serde(default)]
    pub provider: Option<String>,
    /// Results per provider (1 to 50; default: the server's, usually 5).
    #[serde(default)]
    pub limit: Option<u32>,
    /// The cursor from a previous page of the same provider, to get the next page.
    #[serde(default)]
    pub cursor: Option<String>,
}

fn page_text(page: &SearchPage, out: &mut String) {
    out.push_str(&format!(
        "\n{} ({}): {}",
        page.name,
        page.provider,
        page.entries.len()
    ));
    for entry in &page.entries {
        out.push_str(&format!("\n- {}", entry.title));
        if !entry.subline.is_empty() {
            out.push_str(&format!(" — {}", entry.subline));
        }
        if !entry.resource_url.is_empty() {
            out.push_str(&format!(" <{}>", entry.resource_url));
        }
    }
    if let Some(cursor) = &page.cursor {
        out.push_str(&format!("\n  (more: cursor \"{cursor}\")"));
    }
}

#[tool_router(router = search_router)]
impl NextcloudMcp {
    #[tool(
        name = "nc_search_list_providers",
        input_schema = crate::adapters::mcp::schema::input::<PageArgs>("nc_search_list_providers"),
        description = "List the unified search providers of this Nextcloud (files, notes, deck, comments, ...), with the ids nc_search_query takes.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn nc_search_list_providers(
        &self,
        Parameters(page): Parameters<PageArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        // A provider is an id, a name and an app: even a hundred are small.
        let paging = page.request(100, 500)?;
        let mut providers = self
            .nextcloud(&request)
            .await?
            .list_search_providers()
            .await
            .or_fail()?;
        providers.sort_by_key(|p| p.order);
        // A fresh list also serves the next searches across every provider.
        self.search_providers().put(&request, providers.clone());
        let (shown, page) = paging.page(&providers);
        let mut text = format!("Search providers: {}", providers.len());
        for p in shown {
            text.push_str(&format!("\n- {} (id {}, app {})", p.name, p.id, p.app_id));
        }
        Ok(success(
            &json!({ "providers": shown, "page": page }),
            page.under(text, shown.len()),
        ))
    }

    #[tool(
        name = "nc_search_query",
        input_schema = crate::adapters::mcp::schema::input::<SearchArgs>("nc_search_query"),
        description = "Search across Nextcloud with unified search: one provider (with cursor paging) or every provider (first page of each). Results have a title, a subline and a resource URL.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn nc_search_query(
        &self,
        Parameters(args): Parameters<SearchArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let provider = args
            .provider
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty());
        let query =
            check_query(&args.term, args.limit, provider, args.cursor.as_deref()).or_fail()?;
        let nextcloud = self.nextcloud(&request).await?;
        let mut text = format!("Results for '{}':", query.term);
        if let Some(provider) = provider {
            let page = nextcloud
                .search_provider(provider, &query)
                .await
                .or_fail()?;
            page_text(&page, &mut text);
            return Ok(success(
                &json!({ "term": query.term, "results": [page] }),
                text,
            ));
        }
        let providers = match self.search_providers().get(&request) {
            Some(known) => known,
            None => {
                let mut providers = nextcloud.list_search_providers().await.or_fail()?;
                providers.sort_by_key(|p| p.order);
                self.search_providers().put(&request, providers.clone());
                providers
            }
        };
        let progress = Progress::of(&request);
        let label = |i: usize| format!("searched {}", providers[i].name);
        let answers = fan_out::in_order(
            &providers,
            |p| nextcloud.search_provider(&p.id, &query),
            progress.as_ref().map(|p| (p, &label as _)),
        )
        .await;
        let mut pages = Vec::new();
        let mut failed = Vec::new();
        for (p, answer) in providers.iter().zip(answers) {
            match answer {
                Ok(page) if page.entries.is_empty() => {}
                Ok(page) => {
                    page_text(&page, &mut text);
                    pages.push(page);
                }
                Err(e) => failed.push(json!({ "provider": p.id, "error": e.to_string() })),
            }
        }
        if pages.is_empty() {
            text.push_str(" nothing found");
        }
        if !failed.is_empty() {
            text.push_str(&format!(
                "\n({} providers failed; see 'failed')",
                failed.len()
            ));
        }
        Ok(success(
            &json!({ "term": query.term, "results": pages, "failed": failed }),
            text,
        ))
    }
}
