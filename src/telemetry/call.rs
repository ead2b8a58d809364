//! One tool call as operators see it: the in-flight gauge, the Nextcloud
//! requests it made, its metrics and its one INFO line.

use std::borrow::Cow;
use std::cell::Cell;
use std::future::Future;
use std::time::Instant;

use sha2::{Digest, Sha256};

use super::record::{InFlight, tool_call};

tokio::task_local! {
    /// Nextcloud requests made by the tool call running on this task.
    static NEXTCLOUD_REQUESTS: Cell<u32>;
}

/// Called for every Nextcloud request; counts it for the call around it, if
/// any (background jobs run outside a call).
pub(super) fn count_nextcloud_request() {
    let _ = NEXTCLOUD_REQUESTS.try_with(|count| count.set(count.get().saturating_add(1)));
}

/// How a tool call ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ToolCallOutcome {
    /// The tool did its work.
    Ok,
    /// The tool answered with `isError` (Nextcloud refused, bad arguments...).
    ToolError,
    /// The call never reached a tool (unknown tool, protocol error).
    Failed,
}

impl ToolCallOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            ToolCallOutcome::Ok => "ok",
            ToolCallOutcome::ToolError => "error",
            ToolCallOutcome::Failed => "failed",
        }
    }
}

/// A short, stable, non-reversible reference to a caller, so log lines of one
/// user can be correlated without writing down who the user is.
pub fn caller_reference(issuer: &str, subject: &str) -> String {
    let digest = Sha256::new()
        .chain_update(issuer.as_bytes())
        .chain_update([0u8])
        .chain_update(subject.as_bytes())
        .finalize();
    digest[..6].iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs one tool call, then records its metrics and logs its line. `tool` is
/// the label (a name the server offers, or "unknown"); `caller` a reference
/// from [`caller_reference`]; nothing of the arguments or the result is
/// logged, only the outcome `classify` reads from it.
pub async fn observe_tool_call<T>(
    tool: Cow<'static, str>,
    caller: Option<String>,
    call: impl Future<Output = T>,
    classify: impl FnOnce(&T) -> ToolCallOutcome,
) -> T {
    let _in_flight = InFlight::enter();
    let started = Instant::now();
    let (result, requests) = NEXTCLOUD_REQUESTS
        .scope(Cell::new(0), async {
            let result = call.await;
            (result, NEXTCLOUD_REQUESTS.with(Cell::get))
        })
        .await;
    let elapsed = started.elapsed();
    let outcome = classify(&result).as_str();
    tool_call(tool.clone(), outcome, elapsed);
    tracing::info!(
        tool = tool.as_ref(),
        outcome,
        duration_ms = elapsed.as_secs_f64() * 1000.0,
        nextcloud_requests = requests,
        caller = caller.as_deref().unwrap_or("-"),
        "tool call"
    );
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caller_references_are_short_stable_and_hide_the_subject() {
        let a = caller_reference("https://idp", "alice");
        assert_eq!(a, caller_reference("https://idp", "alice"));
        assert_ne!(a, caller_reference("https://idp", "bob"));
        assert_ne!(a, caller_reference("https://other", "alice"));
        assert_eq!(a.len(), 12);
        assert!(!a.contains("alice"));
    }

    #[tokio::test]
    async fn requests_made_inside_a_call_are_counted_for_that_call_only() {
        count_nextcloud_request(); // outside any call: ignored
        let counted = NEXTCLOUD_REQUESTS
            .scope(Cell::new(0), async {
                count_nextcloud_request();
                count_nextcloud_request();
                NEXTCLOUD_REQUESTS.with(Cell::get)
            })
            .await;
        assert_eq!(counted, 2);
    }
}
