//! What clients see of each tool, applied once to the whole router:
//! portable input schemas, a title and an output schema per tool, and a
//! check of every call's arguments against the schema before the tool's own
//! parsing.

mod arguments;
mod inputs;
mod normalize;
mod output;
mod title;

use std::sync::Arc;

use rmcp::ErrorData;
use rmcp::handler::server::router::tool::{ToolRoute, ToolRouter};
use rmcp::model::{CallToolResult, ContentBlock};

use arguments::{Accepted, reword_serde};
use normalize::normalize;

pub use inputs::input;

/// Rewrites every route of `router`: the schema clients read and the check
/// that runs before each call.
pub fn harden<S: Send + Sync + 'static>(router: &mut ToolRouter<S>) {
    for route in router.map.values_mut() {
        let mut schema = (*route.attr.input_schema).clone();
        normalize(&mut schema);
        // 2020-12 is what MCP assumes without it, and naming it in each of
        // 170 tools is a tenth of tools/list.
        schema.remove("$schema");
        route.attr.input_schema = Arc::new(schema);
        if route.attr.title.is_none() {
            route.attr.title = Some(title::of(&route.attr.name));
        }
        if route.attr.output_schema.is_none() {
            route.attr.output_schema = output::of(&route.attr.name).map(Arc::new);
        }
        let accepted = Arc::new(Accepted::of(&route.attr.input_schema));
        let inner = route.call.clone();
        let tool = route.attr.name.clone();
        *route = ToolRoute::new_dyn(route.attr.clone(), move |mut context| {
            let inner = inner.clone();
            let accepted = accepted.clone();
            let tool = tool.clone();
            Box::pin(async move {
                match accepted.check(&tool, context.arguments.take()) {
                    Ok(arguments) => context.arguments = Some(arguments),
                    Err(message) => return Ok(refusal(message).into()),
                }
                match inner(context).await {
                    Err(ErrorData { code, message, .. })
                        if code == rmcp::model::ErrorCode::INVALID_PARAMS
                            && message.starts_with("failed to deserialize parameters") =>
                    {
                        Ok(refusal(reword_serde(&tool, &message)).into())
                    }
                    other => other,
                }
            })
        });
    }
}

/// Arguments the tool cannot take: a tool error the model can correct.
fn refusal(message: String) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(message)])
}

#[cfg(test)]
mod tests {
    use super::super::tools::every_app;

    #[test]
    fn every_tool_declares_an_object_output_and_every_shape_names_a_tool() {
        let tools = every_app(true, true).tools.list_all();
        for tool in &tools {
            let schema = tool
                .output_schema
                .as_ref()
                .unwrap_or_else(|| panic!("{} has no output schema", tool.name));
            assert_eq!(schema.get("type"), Some(&"object".into()), "{}", tool.name);
            assert!(tool.input_schema.get("$schema").is_none(), "{}", tool.name);
        }
        for shaped in super::output::tools() {
            assert!(
                tools.iter().any(|t| t.name == shaped),
                "output shape for {shaped}, which is no tool"
            );
        }
    }
}
