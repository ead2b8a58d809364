//! Task tools (VTODO), named like the reference server's
//! (`nc_calendar_*_todo*`); they need the todo:read / todo:write scopes.

use chrono::Utc;
use chrono_tz::Tz;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};

use super::support::{calendars_for, pick_calendar};
use super::todo_args::{
    CompleteTodoArgs, CreateTodoArgs, DeleteTodoArgs, ListTodosArgs, TodoFilterArgs,
    UpdateTodoArgs, filter, reminders, status, when, zone,
};
use crate::adapters::mcp::NextcloudMcp;
use crate::adapters::mcp::fan_out;
use crate::adapters::mcp::outcome::{OrFail, ToolOutcome, failure, success};
use crate::adapters::mcp::paging::PageRequest;
use crate::domain::calendar::{
    ComponentKind, check_priority, check_todo_draft, check_todo_patch, split_list,
};
use crate::domain::caltime::EventTime;
use crate::domain::todos::{Todo, TodoDraft, TodoPatch, check_percent};

type Fail<T> = Result<T, CallToolResult>;

fn todo_line(t: &Todo) -> String {
    let mut line = format!("- [{}] {} (uid {})", t.status, t.summary, t.uid);
    if let Some(p) = t.priority {
        line.push_str(&format!(", priority {p}"));
    }
    if let Some(due) = t.due {
        line.push_str(&format!(", due {}", due.iso()));
    }
    line
}

/// A task is a few hundred bytes: 100 keep a page well under 50 KB.
const DEFAULT_TODO_LIMIT: usize = 100;
const MAX_TODO_LIMIT: usize = 1000;

fn todos_result(todos: &[Todo], paging: &PageRequest, heading: &str) -> CallToolResult {
    let (shown, page) = paging.page(todos);
    let mut text = format!("{heading}: {}", todos.len());
    for t in shown {
        text.push('\n');
        text.push_str(&todo_line(t));
    }
    success(
        &serde_json::json!({ "todos": shown, "total": todos.len(), "page": page }),
        page.under(text, shown.len()),
    )
}

#[tool_router(router = todos_router, vis = "pub(super)")]
impl NextcloudMcp {
    #[tool(
        name = "nc_calendar_list_todos",
        input_schema = crate::adapters::mcp::schema::input::<ListTodosArgs>("nc_calendar_list_todos"),
        description = "List the tasks (VTODO) of one calendar, with filters for status (or \"open\"), priority, categories, text and due date.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn list_todos(
        &self,
        Parameters(args): Parameters<ListTodosArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let filter = filter(&args.filter)?;
        let paging = args
            .filter
            .page
            .request(DEFAULT_TODO_LIMIT, MAX_TODO_LIMIT)?;
        let nc = self.nextcloud(&request).await?;
        let calendars = nc.list_calendars().await.or_fail()?;
        let calendar = pick_calendar(&calendars, &args.calendar_name, Some(ComponentKind::Todo))?;
        let todos = nc.list_todos(&calendar.name, &filter).await.or_fail()?;
        Ok(todos_result(
            &todos,
            &paging,
            &format!("Tasks in {}", calendar.name),
        ))
    }

    #[tool(
        name = "nc_calendar_search_todos",
        input_schema = crate::adapters::mcp::schema::input::<TodoFilterArgs>("nc_calendar_search_todos"),
        description = "Search tasks across every calendar that holds tasks, with the same filters as nc_calendar_list_todos.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn search_todos(
        &self,
        Parameters(args): Parameters<TodoFilterArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let filter = filter(&args)?;
        let paging = args.page.request(DEFAULT_TODO_LIMIT, MAX_TODO_LIMIT)?;
        let nc = self.nextcloud(&request).await?;
        let calendars = calendars_for(nc.as_ref(), None, ComponentKind::Todo).await?;
        let mut todos = Vec::new();
        let lists = fan_out::in_order(&calendars, |c| nc.list_todos(&c.name, &filter), None).await;
        for list in lists {
            todos.extend(list.or_fail()?);
        }
        Ok(todos_result(&todos, &paging, "Matching tasks"))
    }

    #[tool(
        name = "nc_calendar_create_todo",
        input_schema = crate::adapters::mcp::schema::input::<CreateTodoArgs>("nc_calendar_create_todo"),
        description = "Create a task (VTODO) in a calendar that holds tasks: summary, description, status, priority, due and start (ISO 8601), categories, reminders.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn create_todo(
        &self,
        Parameters(args): Parameters<CreateTodoArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        if args.summary.trim().is_empty() {
            return Err(failure("summary is empty; give the task a summary"));
        }
        let f = &args.fields;
        let tz = zone(&f.timezone)?;
        let draft = TodoDraft {
            summary: args.summary.trim().to_string(),
            description: f.description.clone().filter(|d| !d.is_empty()),
            status: status(&f.status)?,
            priority: f.priority.map(check_priority).transpose().or_fail()?,
            due: when("due", &f.due, tz)?,
            dtstart: when("dtstart", &f.dtstart, tz)?,
            categories: f.categories.as_deref().map(split_list).unwrap_or_default(),
            reminders: reminders(&f.reminders)?.unwrap_or_default(),
        };
        check_todo_draft(&draft).or_fail()?;
        let nc = self.nextcloud(&request).await?;
        let calendars = nc.list_calendars().await.or_fail()?;
        let calendar = pick_calendar(&calendars, &args.calendar_name, Some(ComponentKind::Todo))?;
        let todo = nc.create_todo(&calendar.name, &draft).await.or_fail()?;
        Ok(success(
            &todo,
            format!("Created task{}", todo_line(&todo).trim_start_matches('-')),
        ))
    }

    #[tool(
        name = "nc_calendar_update_todo",
        input_schema = crate::adapters::mcp::schema::input::<UpdateTodoArgs>("nc_calendar_update_todo"),
        description = "Change a task's fields; anything not given stays. percent_complete 100 or completed marks it done; another status reopens it. Pass etag to refuse overwriting someone else's change.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn update_todo(
        &self,
        Parameters(args): Parameters<UpdateTodoArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let f = &args.fields;
        let tz = zone(&f.timezone)?;
        let patch = TodoPatch {
            summary: args.summary.clone(),
            description: f.description.clone(),
            status: status(&f.status)?,
            priority: f.priority.map(check_priority).transpose().or_fail()?,
            percent_complete: args
                .percent_complete
                .map(check_percent)
                .transpose()
                .or_fail()?,
            due: when("due", &f.due, tz)?,
            dtstart: when("dtstart", &f.dtstart, tz)?,
            completed: when("completed", &args.completed, tz.or(Some(Tz::UTC)))?,
            categories: f.categories.as_deref().map(split_list),
            reminders: reminders(&f.reminders)?,
        };
        check_todo_patch(&patch).or_fail()?;
        if patch.is_empty() {
            return Err(failure(
                "nothing to change; give at least one field such as summary, status or due",
            ));
        }
        let patch = patch.reconcile(EventTime::Utc(Utc::now()));
        self.change_todo(
            &request,
            &args.calendar_name,
            &args.todo_uid,
            args.etag.clone(),
            &patch,
            "Updated",
        )
        .await
    }

    #[tool(
        name = "nc_calendar_complete_todo",
        input_schema = crate::adapters::mcp::schema::input::<CompleteTodoArgs>("nc_calendar_complete_todo"),
        description = "Mark a task done: status COMPLETED, 100 percent, and the completion time (default now).",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn complete_todo(
        &self,
        Parameters(args): Parameters<CompleteTodoArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let at = when("completed", &args.completed, Some(Tz::UTC))?
            .unwrap_or(EventTime::Utc(Utc::now()));
        let patch = TodoPatch::complete(at);
        self.change_todo(
            &request,
            &args.calendar_name,
            &args.todo_uid,
            args.etag.clone(),
            &patch,
            "Completed",
        )
        .await
    }

    #[tool(
        name = "nc_calendar_delete_todo",
        input_schema = crate::adapters::mcp::schema::input::<DeleteTodoArgs>("nc_calendar_delete_todo"),
        description = "Delete a task (VTODO) by its uid from the named calendar; pass its etag to refuse deleting a task someone changed meanwhile.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn delete_todo(
        &self,
        Parameters(args): Parameters<DeleteTodoArgs>,
        request: RequestContext<RoleServer>,
    ) -> ToolOutcome {
        let nc = self.nextcloud(&request).await?;
        let calendars = nc.list_calendars().await.or_fail()?;
        let calendar = pick_calendar(&calendars, &args.calendar_name, Some(ComponentKind::Todo))?;
        let etag = args.etag.clone().filter(|e| !e.trim().is_empty());
        nc.delete_todo(&calendar.name, args.todo_uid.trim(), etag)
            .await
            .or_fail()?;
        Ok(success(
            &serde_json::json!({ "deleted": args.todo_uid, "calendar": calendar.name }),
            format!("Deleted task {} from {}", args.todo_uid, calendar.name),
        ))
    }
}

impl NextcloudMcp {
    async fn change_todo(
        &self,
        request: &RequestContext<RoleServer>,
        calendar_name: &str,
        uid: &str,
        etag: Option<String>,
        patch: &TodoPatch,
        verb: &str,
    ) -> Fail<CallToolResult> {
        let nc = self.nextcloud(request).await?;
        let calendars = nc.list_calendars().await.or_fail()?;
        let calendar = pick_calendar(&calendars, calendar_name, Some(ComponentKind::Todo))?;
        let etag = etag.filter(|e| !e.trim().is_empty());
        let todo = nc
            .update_todo(&calendar.name, uid.trim(), etag, patch)
            .await
            .or_fail()?;
        Ok(success(
            &todo,
            format!("{verb} task{}", todo_line(&todo).trim_start_matches('-')),
        ))
    }
}
