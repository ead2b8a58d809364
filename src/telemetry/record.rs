//! The metric names and the functions that move them, in one place so the
//! exposition stays consistent and reviewable.

use std::borrow::Cow;
use std::time::Duration;

use metrics::Gauge;

use super::handles;

pub const TOOL_CALLS: &str = "nextcloud_mcp_tool_calls_total";
pub const TOOL_CALL_SECONDS: &str = "nextcloud_mcp_tool_call_duration_seconds";
pub const TOOL_CALLS_IN_FLIGHT: &str = "nextcloud_mcp_tool_calls_in_flight";
pub const NEXTCLOUD_REQUESTS: &str = "nextcloud_mcp_nextcloud_requests_total";
pub const NEXTCLOUD_REQUEST_SECONDS: &str = "nextcloud_mcp_nextcloud_request_duration_seconds";
pub const IDP_CALLS: &str = "nextcloud_mcp_idp_calls_total";
pub const EXCHANGE_CACHE: &str = "nextcloud_mcp_exchange_cache_lookups_total";
pub const WEBHOOK_DELIVERIES: &str = "nextcloud_mcp_webhook_deliveries_total";
pub const STORE_ERRORS: &str = "nextcloud_mcp_store_errors_total";
pub const GRANT_REFRESHES: &str = "nextcloud_mcp_grant_refreshes_total";

/// One finished tool call. `tool` must be a name the server offers (or
/// "unknown"), so a caller cannot grow the label set; a static name moves
/// handles registered once per thread, any other is registered per call.
pub fn tool_call(tool: Cow<'static, str>, outcome: &'static str, elapsed: Duration) {
    match tool {
        Cow::Borrowed(tool) => handles::tool_call(tool, outcome, elapsed.as_secs_f64()),
        Cow::Owned(tool) => {
            let tool = metrics::SharedString::from(tool);
            metrics::counter!(TOOL_CALLS, "tool" => tool.clone(), "outcome" => outcome)
                .increment(1);
            metrics::histogram!(TOOL_CALL_SECONDS, "tool" => tool).record(elapsed.as_secs_f64());
        }
    }
}

/// Counts a tool call in flight until the guard drops (also on cancellation).
pub struct InFlight(Gauge);

impl InFlight {
    pub fn enter() -> Self {
        let gauge = handles::in_flight();
        gauge.increment(1.0);
        Self(gauge)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.decrement(1.0);
    }
}

/// One request to Nextcloud: `status` is a class ("2xx", "4xx", "error" when
/// no answer came), never the path.
pub fn nextcloud_request(app: &'static str, status: &'static str, elapsed: Duration) {
    handles::nextcloud_request(app, status, elapsed.as_secs_f64());
    super::call::count_nextcloud_request();
}

/// The status class of an HTTP status code.
pub fn status_class(code: u16) -> &'static str {
    match code {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

/// Which Nextcloud app a request URL belongs to, from the fixed prefixes of
/// its API; anything else is "other". Only the app name leaves this function.
pub fn nextcloud_app(path: &str) -> &'static str {
    const APPS: &[(&str, &str)] = &[
        ("/apps/notes/", "notes"),
        ("/apps/deck/", "deck"),
        ("/apps/tables/", "tables"),
        ("/apps/cookbook/", "cookbook"),
        ("/apps/collectives/", "collectives"),
        ("/apps/news/", "news"),
        ("/apps/files_sharing/", "sharing"),
        ("/apps/webhook_listeners/", "webhooks"),
        ("/search/", "search"),
        ("/cloud/capabilities", "capabilities"),
        ("/cloud/user", "user"),
        ("/dav/calendars/", "calendar"),
        ("/dav/addressbooks/", "contacts"),
        ("/dav/files/", "files"),
        ("/webdav", "files"),
        ("/status.php", "status"),
    ];
    APPS.iter()
        .find(|(marker, _)| path.contains(marker))
        .map_or("other", |(_, app)| app)
}

/// One call to the identity provider: `kind` is exchange, introspection,
/// jwks, refresh, discovery, code, revocation or verify.
pub fn idp_call(kind: &'static str, ok: bool) {
    let outcome = if ok { "ok" } else { "error" };
    metrics::counter!(IDP_CALLS, "kind" => kind, "outcome" => outcome).increment(1);
}

/// A token exchange answered from the cache (`hit`) or sent to the
/// identity provider (`miss`); only counted while the cache is on.
pub fn exchange_cache(hit: bool) {
    let outcome = if hit { "hit" } else { "miss" };
    metrics::counter!(EXCHANGE_CACHE, "outcome" => outcome).increment(1);
}

/// A store operation failed.
pub fn store_error(operation: &'static str) {
    metrics::counter!(STORE_ERRORS, "operation" => operation).increment(1);
}

/// One pass of the grant keeper.
pub fn grants_refreshed(refreshed: u64, failed: u64) {
    metrics::counter!(GRANT_REFRESHES, "outcome" => "ok").increment(refreshed);
    metrics::counter!(GRANT_REFRESHES, "outcome" => "failed").increment(failed);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_paths_map_to_app_names_only() {
        assert_eq!(
            nextcloud_app("/index.php/apps/notes/api/v1/notes/42"),
            "notes"
        );
        assert_eq!(
            nextcloud_app("/remote.php/dav/files/alice/secret.txt"),
            "files"
        );
        assert_eq!(
            nextcloud_app("/remote.php/dav/calendars/alice/personal/"),
            "calendar"
        );
        assert_eq!(
            nextcloud_app("/ocs/v2.php/apps/files_sharing/api/v1/shares"),
            "sharing"
        );
        assert_eq!(nextcloud_app("/something/else"), "other");
    }

    #[test]
    fn status_codes_fall_into_classes() {
        assert_eq!(status_class(207), "2xx");
        assert_eq!(status_class(404), "4xx");
        assert_eq!(status_class(503), "5xx");
    }
}
