//! Notes tools (`nc_notes_*`), named and shaped like the reference server's.

mod attachment;

use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars, tool, tool_router};
use serde::{Deserialize, Serialize};

use super::AppRouter;
use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, failure, success};
use crate::adapters::mcp::paging::{PageArgs, PageRequest};
use crate::adapters::mcp::tool_scopes::Access;
use crate::domain::capabilities::App;
use crate::domain::notes::{
    self, Note, NoteDraft, NoteInputError, NotePatch, check_category, check_content, check_title,
};
use crate::domain::scopes::Scope;

/// Notes is an optional app; reading notes needs notes:read, changing them notes:write.
pub(super) fn router() -> AppRouter {
    AppRouter::new(
        Some(App::Notes),
        Access::read_write(Scope::NotesRead, Scope::NotesWrite),
        NextcloudMcp::notes_router() + NextcloudMcp::notes_attachment_router(),
    )
}

const DEFAULT_LIST_LIMIT: usize = 50;
const MAX_LIST_LIMIT: usize = 500;
/// A category is a name and a count.
const DEFAULT_CATEGORIES: usize = 200;
const MAX_CATEGORIES: usize = 1000;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct ListNotesArgs {
    /// Only notes in exactly this category (e.g. "Work"; sub-categories such as "Work/Planning" are separate).
    #[serde(default)]
    pub category: Option<String>,
    /// Maximum number of notes to return (default 50, at most 500), newest first.
    #[serde(default)]
    pub limit: Option<usize>,
    /// Where to go on: next_cursor from the previous page; omit for the first page.
    #[serde(default)]
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct SearchNotesArgs {
    /// Words to look for in note titles and content; every word must match.
    pub query: String,
    /// Maximum number of results per page (default 50, at most 500).
    #[serde(default)]
    pub limit: Option<usize>,
    /// Where to go on: next_cursor from the previous page; omit for the first page.
    #[serde(default)]
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct NoteIdArgs {
    /// The note's numeric id, as returned by list or search.
    pub note_id: u64,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct CreateNoteArgs {
    /// The note's title (also its file name in Nextcloud).
    pub title: String,
    /// Markdown content.
    pub content: String,
    /// Category (folder) for the note; "" for none. Use "/" for sub-categories, e.g. "Work/Planning".
    #[serde(default)]
    pub category: String,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct UpdateNoteArgs {
    /// The note's numeric id, as returned by list or search.
    pub note_id: u64,
    /// The etag from the last read of this note; the update fails if the note changed since.
    pub etag: String,
    /// New title; omit or null to keep it.
    #[serde(default)]
    pub title: Option<String>,
    /// New full content; omit or null to keep it.
    #[serde(default)]
    pub content: Option<String>,
    /// New category; omit or null to keep it.
    #[serde(default)]
    pub category: Option<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct AppendContentArgs {
    /// The note's numeric id, as returned by list or search.
    pub note_id: u64,
    /// Text appended at the end of the note, on a new line.
    pub content: String,
}

/// A note without its content, for listings.
#[derive(Serialize)]
struct NoteSummary<'a> {
    id: u64,
    title: &'a str,
    category: &'a str,
    favorite: bool,
    modified: i64,
    etag: &'a str,
}

impl<'a> From<&'a Note> for NoteSummary<'a> {
    fn from(n: &'a Note) -> Self {
        Self {
            id: n.id,
            title: &n.title,
            category: &n.category,
            favorite: n.favorite,
            modified: n.modified,
            etag: &n.etag,
        }
    }
}

fn summaries_text(heading: &str, notes: &[&Note]) -> String {
    let mut text = format!("{heading}: {}", notes.len());
    for n in notes {
        let category = if n.category.is_empty() {
            String::new()
        } else {
            format!(" [{}]", n.category)
        };
        text.push_str(&format!("\n- {} (id {}){category}", n.title, n.id));
    }
    text
}

fn note_text(note: &Note) -> String {
    format!(
        "# {} (id {}, category '{}', etag {})\n\n{}",
        note.title, note.id, note.category, note.etag, note.content
    )
}

#[tool_router(router = notes_router)]
impl NextcloudMcp {
    #[tool(
        name = "nc_notes_list_notes",
        input_schema = crate::adapters::mcp::schema::input::<ListNotesArgs>("nc_notes_list_notes"),
        description = "List the user's notes (title, category, id, etag; no content), newest first, optionally only one category; a page at a time (limit, cursor).",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn list_notes(
        &self,
        Parameters(args): Parameters<ListNotesArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let paging = PageRequest::parse(
            args.limit,
            args.cursor.as_deref(),
            DEFAULT_LIST_LIMIT,
            MAX_LIST_LIMIT,
        )?;
        let mut all = self
            .nextcloud(&request)
            .await?
            .list_notes(args.category)
            .await
            .or_fail()?;
        // Newest first, ties by id: a stable order across pages.
        all.sort_by_key(|n| (std::cmp::Reverse(n.modified), n.id));
        let (page, info) = paging.page(&all);
        let shown: Vec<&Note> = page.iter().collect();
        let listed: Vec<NoteSummary> = shown.iter().map(|n| NoteSummary::from(*n)).collect();
        let mut text = summaries_text("Notes", &shown);
        let more = info.line(shown.len());
        if !more.is_empty() {
            text.push('\n');
            text.push_str(&more);
        }
        Ok(success(
            &serde_json::json!({
                "notes": listed,
                "total": all.len(),
                "has_more": info.has_more,
                "next_cursor": info.next_cursor,
            }),
            text,
        ))
    }

    #[tool(
        name = "nc_notes_search_notes",
        input_schema = crate::adapters::mcp::schema::input::<SearchNotesArgs>("nc_notes_search_notes"),
        description = "Search notes by words in their title and content (all words must match); title matches rank first.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn search_notes(
        &self,
        Parameters(args): Parameters<SearchNotesArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let paging = PageRequest::parse(
            args.limit,
            args.cursor.as_deref(),
            DEFAULT_LIST_LIMIT,
            MAX_LIST_LIMIT,
        )?;
        if args.query.trim().is_empty() {
            return Err(failure(
                "query is empty; give at least one word to look for",
            ));
        }
        let all = self
            .nextcloud(&request)
            .await?
            .list_notes(None)
            .await
            .or_fail()?;
        let hits: Vec<&Note> = notes::search(&all, &args.query);
        let (shown, page) = paging.page(&hits);
        let listed: Vec<NoteSummary> = shown.iter().map(|n| NoteSummary::from(*n)).collect();
        let text = page.under(summaries_text("Matching notes", shown), shown.len());
        Ok(success(
            &serde_json::json!({ "query": args.query, "results": listed, "page": page }),
            text,
        ))
    }

    #[tool(
        name = "nc_notes_get_note",
        input_schema = crate::adapters::mcp::schema::input::<NoteIdArgs>("nc_notes_get_note"),
        description = "Get one note with its full content and its etag (needed to update it).",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn get_note(
        &self,
        Parameters(args): Parameters<NoteIdArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let note = self
            .nextcloud(&request)
            .await?
            .get_note(args.note_id)
            .await
            .or_fail()?;
        Ok(success(&note, note_text(&note)))
    }

    #[tool(
        name = "nc_notes_create_note",
        input_schema = crate::adapters::mcp::schema::input::<CreateNoteArgs>("nc_notes_create_note"),
        description = "Create a note with a title, Markdown content and a category.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn create_note(
        &self,
        Parameters(args): Parameters<CreateNoteArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        check_title(&args.title).or_fail()?;
        check_content(&args.content).or_fail()?;
        check_category(&args.category).or_fail()?;
        let draft = NoteDraft {
            title: args.title,
            content: args.content,
            category: args.category,
        };
        let note = self
            .nextcloud(&request)
            .await?
            .create_note(&draft)
            .await
            .or_fail()?;
        let text = format!(
            "Created note '{}' (id {}, etag {})",
            note.title, note.id, note.etag
        );
        Ok(success(&note, text))
    }

    #[tool(
        name = "nc_notes_update_note",
        input_schema = crate::adapters::mcp::schema::input::<UpdateNoteArgs>("nc_notes_update_note"),
        description = "Update a note's title, content and/or category. Needs the etag from your last read: if someone changed the note since, nothing is overwritten and you are told to re-read.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn update_note(
        &self,
        Parameters(args): Parameters<UpdateNoteArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        if args.etag.trim().is_empty() {
            return Err(failure(NoteInputError::MissingEtag));
        }
        if let Some(title) = &args.title {
            check_title(title).or_fail()?;
        }
        if let Some(content) = &args.content {
            check_content(content).or_fail()?;
        }
        if let Some(category) = &args.category {
            check_category(category).or_fail()?;
        }
        let patch = NotePatch {
            title: args.title,
            content: args.content,
            category: args.category,
            favorite: None,
        };
        if patch.is_empty() {
            return Err(failure(NoteInputError::EmptyUpdate));
        }
        let etag = args.etag.trim().trim_matches('"');
        let note = self
            .nextcloud(&request)
            .await?
            .update_note(args.note_id, etag, &patch)
            .await
            .or_fail()?;
        let text = format!(
            "Updated note '{}' (id {}); new etag {}",
            note.title, note.id, note.etag
        );
        Ok(success(&note, text))
    }

    #[tool(
        name = "nc_notes_append_content",
        input_schema = crate::adapters::mcp::schema::input::<AppendContentArgs>("nc_notes_append_content"),
        description = "Append text to the end of a note, on a new line. Safe against concurrent edits: it fails rather than overwrite a change made meanwhile.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn append_content(
        &self,
        Parameters(args): Parameters<AppendContentArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let nextcloud = self.nextcloud(&request).await?;
        let current = nextcloud.get_note(args.note_id).await.or_fail()?;
        let content = notes::appended_content(&current.content, &args.content);
        check_content(&content).or_fail()?;
        let patch = NotePatch {
            content: Some(content),
            ..NotePatch::default()
        };
        let note = nextcloud
            .update_note(current.id, &current.etag, &patch)
            .await
            .or_fail()?;
        let text = format!(
            "Appended to note '{}' (id {}); new etag {}",
            note.title, note.id, note.etag
        );
        Ok(success(&note, text))
    }

    #[tool(
        name = "nc_notes_delete_note",
        input_schema = crate::adapters::mcp::schema::input::<NoteIdArgs>("nc_notes_delete_note"),
        description = "Delete a note permanently.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn delete_note(
        &self,
        Parameters(args): Parameters<NoteIdArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        self.nextcloud(&request)
            .await?
            .delete_note(args.note_id)
            .await
            .or_fail()?;
        Ok(success(
            &serde_json::json!({ "deleted": args.note_id }),
            format!("Deleted note {}", args.note_id),
        ))
    }

    #[tool(
        name = "nc_notes_list_categories",
        input_schema = crate::adapters::mcp::schema::input::<PageArgs>("nc_notes_list_categories"),
        description = "List the note categories in use, with the number of notes in each (\"\" is the top level).",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn list_categories(
        &self,
        Parameters(page): Parameters<PageArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let paging = page.request(DEFAULT_CATEGORIES, MAX_CATEGORIES)?;
        let all = self
            .nextcloud(&request)
            .await?
            .list_notes(None)
            .await
            .or_fail()?;
        let categories: Vec<serde_json::Value> = notes::categories(&all)
            .into_iter()
            .map(|(name, count)| serde_json::json!({ "category": name, "notes": count }))
            .collect();
        let (shown, page) = paging.page(&categories);
        let mut text = format!("Categories: {}", categories.len());
        for c in shown {
            text.push_str(&format!(
                "\n- '{}': {} notes",
                c["category"].as_str().unwrap_or(""),
                c["notes"]
            ));
        }
        let text = page.under(text, shown.len());
        Ok(success(
            &serde_json::json!({ "categories": shown, "page": page }),
            text,
        ))
    }
}
