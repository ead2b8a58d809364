//! Metric handles kept per thread, so a tool call finds its counter and
//! histogram in a small map instead of building a `Key`, copying it and
//! looking it up in the recorder's registry on every call.
//!
//! Handles belong to the recorder that registered them: the cache remembers
//! which recorder that was (its address) and starts over when another one is
//! in scope, as when a benchmark switches a thread-local recorder on and off.
//! The server installs one recorder for its whole life, so there the cache
//! fills once per thread and tool. A series is still registered only when it
//! is first moved, so the exposition holds the same series as without the
//! cache.

use std::cell::RefCell;
use std::collections::HashMap;

use metrics::{Counter, Gauge, Histogram};

use super::record::{
    NEXTCLOUD_REQUEST_SECONDS, NEXTCLOUD_REQUESTS, TOOL_CALL_SECONDS, TOOL_CALLS,
    TOOL_CALLS_IN_FLIGHT,
};

#[derive(Default)]
struct Handles {
    /// The address of the recorder these handles were registered with.
    recorder: usize,
    in_flight: Option<Gauge>,
    tool_calls: HashMap<(&'static str, &'static str), Counter>,
    tool_seconds: HashMap<&'static str, Histogram>,
    requests: HashMap<(&'static str, &'static str), (Counter, Histogram)>,
}

thread_local! {
    static HANDLES: RefCell<Handles> = RefCell::new(Handles::default());
}

/// The recorder in scope (thread-local, else global, else the no-op one).
fn recorder_in_scope() -> usize {
    metrics::with_recorder(|recorder| std::ptr::from_ref(recorder).cast::<()>() as usize)
}

/// Runs `f` on this thread's handles for the recorder in scope; `None` while
/// the thread is being torn down (then the caller registers directly).
fn with_handles<T>(f: impl FnOnce(&mut Handles) -> T) -> Option<T> {
    let recorder = recorder_in_scope();
    HANDLES
        .try_with(|handles| {
            let mut handles = handles.try_borrow_mut().ok()?;
            if handles.recorder != recorder {
                *handles = Handles {
                    recorder,
                    ..Handles::default()
                };
            }
            Some(f(&mut handles))
        })
        .ok()
        .flatten()
}

/// The in-flight gauge.
pub(super) fn in_flight() -> Gauge {
    with_handles(|h| {
        h.in_flight
            .get_or_insert_with(|| metrics::gauge!(TOOL_CALLS_IN_FLIGHT))
            .clone()
    })
    .unwrap_or_else(|| metrics::gauge!(TOOL_CALLS_IN_FLIGHT))
}

/// Moves the counter and the histogram of one finished tool call.
pub(super) fn tool_call(tool: &'static str, outcome: &'static str, seconds: f64) {
    let moved = with_handles(|h| {
        h.tool_calls
            .entry((tool, outcome))
            .or_insert_with(|| metrics::counter!(TOOL_CALLS, "tool" => tool, "outcome" => outcome))
            .increment(1);
        h.tool_seconds
            .entry(tool)
            .or_insert_with(|| metrics::histogram!(TOOL_CALL_SECONDS, "tool" => tool))
            .record(seconds);
    });
    if moved.is_none() {
        metrics::counter!(TOOL_CALLS, "tool" => tool, "outcome" => outcome).increment(1);
        metrics::histogram!(TOOL_CALL_SECONDS, "tool" => tool).record(seconds);
    }
}

/// Moves the counter and the histogram of one Nextcloud request.
pub(super) fn nextcloud_request(app: &'static str, status: &'static str, seconds: f64) {
    let moved = with_handles(|h| {
        let (count, latency) = h.requests.entry((app, status)).or_insert_with(|| {
            (
                metrics::counter!(NEXTCLOUD_REQUESTS, "app" => app, "status" => status),
                metrics::histogram!(NEXTCLOUD_REQUEST_SECONDS, "app" => app),
            )
        });
        count.increment(1);
        latency.record(seconds);
    });
    if moved.is_none() {
        metrics::counter!(NEXTCLOUD_REQUESTS, "app" => app, "status" => status).increment(1);
        metrics::histogram!(NEXTCLOUD_REQUEST_SECONDS, "app" => app).record(seconds);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::telemetry::exporter;

    /// The value of the one series of `metric` whose labels include all of
    /// `labels`; `None` when the exposition has no such series.
    fn value(rendered: &str, metric: &str, labels: &[&str]) -> Option<f64> {
        let mut found = rendered.lines().filter(|line| {
            line.strip_prefix(metric)
                .is_some_and(|rest| rest.starts_with('{'))
                && labels.iter().all(|label| line.contains(label))
        });
        let line = found.next()?;
        assert!(found.next().is_none(), "more than one series: {rendered}");
        line.rsplit(' ').next()?.parse().ok()
    }

    #[test]
    fn each_recorder_counts_only_what_was_moved_while_it_was_in_scope() {
        let (first, second) = (exporter::recorder(), exporter::recorder());
        metrics::with_local_recorder(&first, || {
            tool_call("nc_notes_get_note", "ok", 0.01);
            tool_call("nc_notes_get_note", "ok", 0.01);
            nextcloud_request("notes", "2xx", 0.01);
        });
        metrics::with_local_recorder(&second, || {
            tool_call("nc_notes_get_note", "ok", 0.01);
            in_flight().increment(1.0);
        });
        // Back to the first: the cache must not keep the second's handles.
        metrics::with_local_recorder(&first, || {
            tool_call("nc_notes_get_note", "error", 0.01);
            nextcloud_request("notes", "2xx", 0.01);
            nextcloud_request("notes", "4xx", 0.01);
        });
        let (first, second) = (first.handle().render(), second.handle().render());

        let tool = r#"tool="nc_notes_get_note""#;
        let calls = |rendered: &str, outcome: &str| {
            value(
                rendered,
                TOOL_CALLS,
                &[tool, &format!(r#"outcome="{outcome}""#)],
            )
        };
        assert_eq!(calls(&first, "ok"), Some(2.0));
        assert_eq!(calls(&first, "error"), Some(1.0));
        assert_eq!(calls(&second, "ok"), Some(1.0));
        // A series appears only once it has moved.
        assert_eq!(calls(&second, "error"), None);
        let count = format!("{TOOL_CALL_SECONDS}_count");
        assert_eq!(value(&first, &count, &[tool]), Some(3.0));
        assert_eq!(value(&second, &count, &[tool]), Some(1.0));

        let app = r#"app="notes""#;
        assert_eq!(
            value(&first, NEXTCLOUD_REQUESTS, &[app, r#"status="2xx""#]),
            Some(2.0)
        );
        assert_eq!(
            value(&first, NEXTCLOUD_REQUESTS, &[app, r#"status="4xx""#]),
            Some(1.0)
        );
        let count = format!("{NEXTCLOUD_REQUEST_SECONDS}_count");
        assert_eq!(value(&first, &count, &[app]), Some(3.0));
        assert_eq!(value(&second, NEXTCLOUD_REQUESTS, &[app]), None);

        let gauge = |rendered: &str| {
            rendered
                .lines()
                .find_map(|line| line.strip_prefix(&format!("{TOOL_CALLS_IN_FLIGHT} ")))
                .map(|v| v.parse::<f64>().expect("a number"))
        };
        assert_eq!(gauge(&second), Some(1.0));
        assert_eq!(gauge(&first), None);
    }
}
