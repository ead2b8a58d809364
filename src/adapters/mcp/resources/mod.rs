//! MCP resources: what a person would attach to a conversation, as `nc://`
//! URIs. Each read is the matching read-only tool called through the same
//! gate as a tool call (scopes, installed apps, the caller's credential), so
//! a resource can never reach what its tool could not.

mod uri;

use rmcp::RoleServer;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ErrorData, ReadResourceResult,
    Resource, ResourceContents, ResourceTemplate,
};
use rmcp::service::RequestContext;
use serde_json::{Map, Value, json};

use super::NextcloudMcp;
use uri::CAPABILITIES;
pub use uri::NcResource;

/// The resources that need no argument: listed by `resources/list`.
pub fn listed() -> Vec<Resource> {
    vec![
        Resource::new(CAPABILITIES, "capabilities")
            .with_title("Nextcloud capabilities")
            .with_description("The Nextcloud version and which optional apps it has")
            .with_mime_type("application/json"),
    ]
}

/// The parameterised resources: listed by `resources/templates/list`.
pub fn templates() -> Vec<ResourceTemplate> {
    vec![
        ResourceTemplate::new("nc://notes/{id}", "note")
            .with_title("Note")
            .with_description("A note's Markdown text, by id (from nc_notes_list_notes)")
            .with_mime_type("text/markdown"),
        ResourceTemplate::new("nc://files/{+path}", "file")
            .with_title("Text file")
            .with_description("A text file's content, by path relative to the user's files root"),
        ResourceTemplate::new("nc://calendars/{calendar}/upcoming", "upcoming-events")
            .with_title("Upcoming events")
            .with_description("A calendar's events in the next seven days (id or display name)")
            .with_mime_type("application/json"),
        ResourceTemplate::new("nc://deck/boards/{id}", "deck-board")
            .with_title("Deck board")
            .with_description("A Deck board with its stacks, labels and members")
            .with_mime_type("application/json"),
    ]
}

/// The tool that reads `resource`, with its arguments.
fn tool_for(resource: &NcResource) -> Option<(&'static str, Value)> {
    Some(match resource {
        NcResource::Capabilities => return None,
        NcResource::Note(id) => ("nc_notes_get_note", json!({ "note_id": id })),
        NcResource::File(path) => ("nc_webdav_read_file", json!({ "path": path })),
        NcResource::Upcoming(calendar) => (
            "nc_calendar_get_upcoming_events",
            json!({ "calendar_name": calendar, "days_ahead": 7 }),
        ),
        NcResource::DeckBoard(id) => ("deck_get_board", json!({ "board_id": id })),
    })
}

fn text_of(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The contents a client shows for a tool's successful result: a note's
/// and a file's own text, otherwise the structured result as JSON.
fn contents(uri: &str, resource: &NcResource, result: &CallToolResult) -> ResourceContents {
    let structured = result.structured_content.clone().unwrap_or(Value::Null);
    let own_text = structured["content"].as_str().map(str::to_string);
    let (text, mime) = match (resource, own_text) {
        (NcResource::Note(_), Some(text)) => (text, "text/markdown".to_string()),
        (NcResource::File(_), Some(text)) => (
            text,
            structured["content_type"]
                .as_str()
                .unwrap_or("text/plain")
                .to_string(),
        ),
        _ => (
            serde_json::to_string_pretty(&structured).unwrap_or_else(|_| text_of(result)),
            "application/json".to_string(),
        ),
    };
    ResourceContents::text(text, uri).with_mime_type(mime)
}

impl NextcloudMcp {
    /// `resources/read`: the URI's tool through the tool gate; a failure is
    /// the tool's own message (an absent app, a missing note, no access).
    pub(super) async fn read_nc_resource(
        &self,
        uri: &str,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResult, ErrorData> {
        let resource =
            NcResource::parse(uri).map_err(|e| ErrorData::invalid_params(e.to_string(), None))?;
        let Some((tool, arguments)) = tool_for(&resource) else {
            return self.capabilities_resource(uri, &context).await;
        };
        let arguments: Map<String, Value> = match arguments {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        let request = CallToolRequestParams::new(tool).with_arguments(arguments);
        let result = match self.dispatch(request, context).await? {
            CallToolResponse::Complete(result) => result,
            _ => return Err(ErrorData::internal_error("the read did not complete", None)),
        };
        if result.is_error == Some(true) {
            return Err(ErrorData::resource_not_found(
                format!("{uri}: {}", text_of(&result)),
                None,
            ));
        }
        Ok(ReadResourceResult::new(vec![contents(
            uri, &resource, &result,
        )]))
    }

    async fn capabilities_resource(
        &self,
        uri: &str,
        context: &RequestContext<RoleServer>,
    ) -> Result<ReadResourceResult, ErrorData> {
        let failed = |result: CallToolResult| {
            ErrorData::resource_not_found(format!("{uri}: {}", text_of(&result)), None)
        };
        let nextcloud = self.nextcloud(context).await.map_err(failed)?;
        let capabilities = nextcloud
            .capabilities()
            .await
            .map_err(|e| ErrorData::resource_not_found(format!("{uri}: {e}"), None))?;
        let installed = self.installed_apps();
        let body = json!({
            "nextcloud_version": capabilities.version,
            "apps_present": installed.present().collect::<Vec<_>>(),
            "apps_absent": installed.absent().collect::<Vec<_>>(),
            "capability_keys": capabilities.keys,
            "mcp_server": { "name": "nextcloud-mcp", "version": env!("CARGO_PKG_VERSION") },
        });
        let text = serde_json::to_string_pretty(&body).unwrap_or_default();
        Ok(ReadResourceResult::new(vec![
            ResourceContents::text(text, uri).with_mime_type("application/json"),
        ]))
    }
}
