//! What clients see of each tool's arguments, applied once to the whole
//! router: portable input schemas, a title per tool, and a check of every
//! call's arguments against the schema before the tool's own parsing.

mod arguments;
mod normalize;
mod title;

use std::sync::Arc;

use rmcp::ErrorData;
use rmcp::handler::server::router::tool::{ToolRoute, ToolRouter};
use rmcp::model::{CallToolResult, ContentBlock};

use arguments::{Accepted, reword_serde};
use normalize::normalize;

/// Rewrites every route of `router`: the schema clients read and the check
/// that runs before each call.
pub fn harden<S: Send + Sync + 'static>(router: &mut ToolRouter<S>) {
    for route in router.map.values_mut() {
        let mut schema = (*route.attr.input_schema).clone();
        normalize(&mut schema);
        route.attr.input_schema = Arc::new(schema);
        if route.attr.title.is_none() {
            route.attr.title = Some(title::of(&route.attr.name));
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
