//! Turning tool outcomes into MCP results, once, at the edge: a success
//! carries structured JSON plus a short text; a failure is `isError` with a
//! message a person can act on.

use rmcp::model::{CallToolResult, ContentBlock};
use serde::Serialize;

/// A successful result: `structured` must serialize to a JSON object.
pub fn success<T: Serialize>(structured: &T, text: impl Into<String>) -> CallToolResult {
    let mut result = CallToolResult::success(vec![ContentBlock::text(text.into())]);
    result.structured_content = match serde_json::to_value(structured) {
        Ok(value) => Some(value),
        Err(e) => return failure(format!("could not encode the result: {e}")),
    };
    result
}

/// A tool-level failure the caller's model and user can read.
pub fn failure(message: impl std::fmt::Display) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(message.to_string())])
}

/// What a tool returns: `?` returns early with the failure half, which is
/// already a result. rmcp turns `Err` into that result with `isError` set, as
/// [`failure`] already made it, so both halves reach the caller unchanged.
pub type ToolOutcome = Result<CallToolResult, CallToolResult>;

/// Maps any displayable error into the failure half of a [`ToolOutcome`].
pub trait OrFail<T> {
    fn or_fail(self) -> Result<T, CallToolResult>;
}

impl<T, E: std::fmt::Display> OrFail<T> for Result<T, E> {
    fn or_fail(self) -> Result<T, CallToolResult> {
        self.map_err(failure)
    }
}
