//! Reading pages: the tree, one page with its Markdown, search, the trash.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars, tool, tool_router};
use serde::Deserialize;
use serde_json::json;

use super::{
    CollectiveListArgs, DEFAULT_LISTED, MAX_LISTED, PageIdArgs, page_line, pages_text, tree_text,
};
use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, failure, success};
use crate::adapters::mcp::paging::PageArgs;
use crate::domain::collectives::{Page, PageNode, page_tree};
use crate::domain::files::{MAX_READ_BYTES, decode_text};

/// Search words longer than this are not a search.
const MAX_QUERY_CHARS: usize = 200;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct SearchPagesArgs {
    /// The numeric id of the collective to search in.
    pub collective_id: u64,
    /// Words to find in the pages' text.
    pub query: String,
    #[serde(flatten)]
    pub page: PageArgs,
}

/// The pages of `nodes` depth-first: each page followed by its subpages.
fn depth_first(nodes: &[PageNode], out: &mut Vec<Page>) {
    for node in nodes {
        out.push(node.page.clone());
        depth_first(&node.subpages, out);
    }
}

/// Pages whose title contains every word of `query`.
fn title_matches(pages: Vec<Page>, query: &str) -> Vec<Page> {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    pages
        .into_iter()
        .filter(|p| {
            let title = p.title.to_lowercase();
            words.iter().all(|w| title.contains(w))
        })
        .collect()
}

#[tool_router(router = collectives_pages_router, vis = "pub(super)")]
impl NextcloudMcp {
    #[tool(
        name = "collectives_get_pages",
        input_schema = crate::adapters::mcp::schema::input::<CollectiveListArgs>("collectives_get_pages"),
        description = "List a collective's pages as a tree: the landing page, its subpages, theirs, and so on, with ids and tags.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn collectives_get_pages(
        &self,
        Parameters(args): Parameters<CollectiveListArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let paging = args.page.request(DEFAULT_LISTED, MAX_LISTED)?;
        let pages = self
            .nextcloud(&request)
            .await?
            .list_pages(args.collective_id)
            .await
            .or_fail()?;
        // Pages are counted in tree order; a page shows the part of the
        // tree it holds, a subpage whose parent is on an earlier page at
        // its top (it names its parent_id).
        let mut ordered = Vec::with_capacity(pages.len());
        depth_first(&page_tree(&pages), &mut ordered);
        let (shown, page) = paging.page(&ordered);
        let tree = page_tree(shown);
        let mut text = format!(
            "Pages of collective {}: {}",
            args.collective_id,
            pages.len()
        );
        tree_text(&tree, 0, &mut text);
        Ok(success(
            &json!({ "pages": tree, "total": pages.len(), "page": page }),
            page.under(text, shown.len()),
        ))
    }

    #[tool(
        name = "collectives_get_page",
        input_schema = crate::adapters::mcp::schema::input::<PageIdArgs>("collectives_get_page"),
        description = "Get one page with its Markdown content and the etag to pass to collectives_update_page_content.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn collectives_get_page(
        &self,
        Parameters(args): Parameters<PageIdArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let nextcloud = self.nextcloud(&request).await?;
        let page = nextcloud
            .get_page(args.collective_id, args.page_id)
            .await
            .or_fail()?;
        let path = page.file_path().or_fail()?;
        let file = nextcloud.read_file(&path, MAX_READ_BYTES).await.or_fail()?;
        let content = decode_text(&path, &file).or_fail()?;
        let text = format!("# {}\n\n{content}", page_line(&page));
        Ok(success(
            &json!({
                "page": page,
                "content": content,
                "etag": file.etag,
                "file": path.to_string(),
            }),
            text,
        ))
    }

    #[tool(
        name = "collectives_search_pages",
        input_schema = crate::adapters::mcp::schema::input::<SearchPagesArgs>("collectives_search_pages"),
        description = "Search a collective's pages by the words in their text. The text index is built by a background job, so recent changes may be missing; when nothing is found, pages whose title matches are listed instead.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn collectives_search_pages(
        &self,
        Parameters(args): Parameters<SearchPagesArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let query = args.query.trim();
        if query.is_empty() || query.chars().count() > MAX_QUERY_CHARS {
            return Err(failure(format!(
                "query must be 1 to {MAX_QUERY_CHARS} characters"
            )));
        }
        let paging = args.page.request(DEFAULT_LISTED, MAX_LISTED)?;
        let nextcloud = self.nextcloud(&request).await?;
        let found = nextcloud
            .search_pages(args.collective_id, query)
            .await
            .or_fail()?;
        if !found.is_empty() {
            let (shown, page) = paging.page(&found);
            let text = pages_text(&format!("Pages mentioning '{query}'"), found.len(), shown);
            return Ok(success(
                &json!({ "pages": shown, "total": found.len(), "matched": "text", "page": page }),
                page.under(text, shown.len()),
            ));
        }
        // The index may not be built yet (and it never holds titles).
        let all = nextcloud.list_pages(args.collective_id).await.or_fail()?;
        let titled = title_matches(all, query);
        let note = "The text index found nothing; it is built by a background job, so pages changed recently (or a new collective) may not be indexed yet.";
        let (shown, page) = paging.page(&titled);
        let text = if titled.is_empty() {
            format!("No pages match '{query}'. {note}")
        } else {
            format!(
                "{note}\n{}",
                pages_text(
                    &format!("Pages whose title matches '{query}'"),
                    titled.len(),
                    shown
                )
            )
        };
        Ok(success(
            &json!({ "pages": shown, "total": titled.len(), "matched": "title", "note": note, "page": page }),
            page.under(text, shown.len()),
        ))
    }

    #[tool(
        name = "collectives_get_trashed_pages",
        input_schema = crate::adapters::mcp::schema::input::<CollectiveListArgs>("collectives_get_trashed_pages"),
        description = "List the pages in a collective's trash; collectives_restore_page brings one back.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn collectives_get_trashed_pages(
        &self,
        Parameters(args): Parameters<CollectiveListArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let paging = args.page.request(DEFAULT_LISTED, MAX_LISTED)?;
        let pages = self
            .nextcloud(&request)
            .await?
            .list_trashed_pages(args.collective_id)
            .await
            .or_fail()?;
        let (shown, page) = paging.page(&pages);
        let text = pages_text(
            &format!("Pages in the trash of collective {}", args.collective_id),
            pages.len(),
            shown,
        );
        Ok(success(
            &json!({ "pages": shown, "total": pages.len(), "page": page }),
            page.under(text, shown.len()),
        ))
    }
}
