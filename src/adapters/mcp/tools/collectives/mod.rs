//! Collectives tools (`collectives_*`, the reference server's names and
//! arguments). One file per job: collectives themselves in `manage.rs`,
//! reading pages in `pages.rs`, changing them in `page_edit.rs`, tags in
//! `tags.rs`. This file holds what they share.

mod manage;
mod page_edit;
mod pages;
mod tags;

use rmcp::schemars;
use serde::Deserialize;
use serde_json::json;

use super::AppRouter;
use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::outcome::{ToolOutcome, success};
use crate::adapters::mcp::paging::{PageArgs, PageRequest};
use crate::adapters::mcp::tool_scopes::Access;
use crate::domain::capabilities::App;
use crate::domain::collectives::{Collective, Page, PageNode};
use crate::domain::scopes::Scope;

/// Collectives is an optional app.
pub(super) fn router() -> AppRouter {
    AppRouter::new(
        Some(App::Collectives),
        Access::read_write(Scope::CollectivesRead, Scope::CollectivesWrite),
        NextcloudMcp::collectives_manage_router()
            + NextcloudMcp::collectives_pages_router()
            + NextcloudMcp::collectives_page_edit_router()
            + NextcloudMcp::collectives_tags_router(),
    )
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct CollectiveIdArgs {
    /// The collective's numeric id (from collectives_get_collectives).
    pub collective_id: u64,
}

/// A collective's id and the page of its list to show.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct CollectiveListArgs {
    /// The collective's numeric id (from collectives_get_collectives).
    pub collective_id: u64,
    #[serde(flatten)]
    pub page: PageArgs,
}

/// Collectives, pages and tags are each a few hundred bytes at most.
const DEFAULT_LISTED: usize = 100;
const MAX_LISTED: usize = 1000;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct PageIdArgs {
    /// The numeric id of the collective the page belongs to.
    pub collective_id: u64,
    /// The page's numeric id (from collectives_get_pages).
    pub page_id: u64,
}

fn collective_line(c: &Collective) -> String {
    let mut line = format!("- {} (collective {})", c.label(), c.id);
    if !c.can_edit {
        line.push_str(" [read-only for you]");
    }
    line
}

/// One page of a list of collectives, as text under `heading` and as
/// structured content with the total and how to go on.
fn collectives_page(heading: &str, list: &[Collective], paging: &PageRequest) -> ToolOutcome {
    let (shown, page) = paging.page(list);
    let mut text = format!("{heading}: {}", list.len());
    for c in shown {
        text.push('\n');
        text.push_str(&collective_line(c));
    }
    Ok(success(
        &json!({ "collectives": shown, "total": list.len(), "page": page }),
        page.under(text, shown.len()),
    ))
}

fn page_line(page: &Page) -> String {
    let mut line = format!("{} (page {})", page.label(), page.id);
    if !page.tags.is_empty() {
        let tags: Vec<String> = page.tags.iter().map(|t| t.to_string()).collect();
        line.push_str(&format!(" [tags {}]", tags.join(", ")));
    }
    line
}

fn tree_text(nodes: &[PageNode], depth: usize, text: &mut String) {
    for node in nodes {
        text.push_str(&format!(
            "\n{}- {}",
            "  ".repeat(depth),
            page_line(&node.page)
        ));
        tree_text(&node.subpages, depth + 1, text);
    }
}

fn pages_text(heading: &str, total: usize, pages: &[Page]) -> String {
    let mut text = format!("{heading}: {total}");
    for page in pages {
        text.push_str(&format!("\n- {}", page_line(page)));
    }
    text
}

/// `what` did this to the page, in one line with its place in the tree.
fn page_done(what: &str, page: &Page) -> String {
    format!(
        "{what} {} (parent page {})",
        page_line(page),
        page.parent_id
    )
}
