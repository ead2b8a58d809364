//! MCP log notifications (`notifications/message`) at the level each caller
//! set with `logging/setLevel`. Nothing is sent to a caller who never set a
//! level: an unasked notification would turn a plain JSON answer into an
//! event stream for clients that did not ask for either.
// rmcp marks the logging types deprecated (a later protocol drops them);
// clients of today's protocol still send logging/setLevel.
#![allow(deprecated)]

use std::collections::HashMap;
use std::sync::RwLock;

use rmcp::RoleServer;
use rmcp::model::{LoggingLevel, LoggingMessageNotificationParam};
use rmcp::service::RequestContext;
use serde_json::Value;

use super::caller::caller_key;

/// Severity rank, lowest first, as the protocol orders the levels.
fn rank(level: LoggingLevel) -> u8 {
    match level {
        LoggingLevel::Debug => 0,
        LoggingLevel::Info => 1,
        LoggingLevel::Notice => 2,
        LoggingLevel::Warning => 3,
        LoggingLevel::Error => 4,
        LoggingLevel::Critical => 5,
        LoggingLevel::Alert => 6,
        LoggingLevel::Emergency => 7,
    }
}

/// The level each caller asked for, by caller (`None`: the one caller of
/// basic mode or stdio). Stateless HTTP has no session to keep it in.
#[derive(Default)]
pub struct ClientLogLevels {
    levels: RwLock<HashMap<Option<String>, LoggingLevel>>,
}

/// The key of this request's caller (see [`caller_key`]).
fn key(request: &RequestContext<RoleServer>) -> Option<String> {
    caller_key(request)
}

impl ClientLogLevels {
    pub fn set(&self, request: &RequestContext<RoleServer>, level: LoggingLevel) {
        self.levels
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(key(request), level);
    }

    fn wants(&self, request: &RequestContext<RoleServer>, level: LoggingLevel) -> bool {
        self.levels
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(&key(request))
            .is_some_and(|floor| rank(level) >= rank(*floor))
    }

    /// Sends `data` to this request's client if its level lets it through;
    /// a client that went away only misses the message.
    pub async fn send(
        &self,
        request: &RequestContext<RoleServer>,
        level: LoggingLevel,
        data: Value,
    ) {
        if !self.wants(request, level) {
            return;
        }
        let note = LoggingMessageNotificationParam::new(level, data).with_logger("nextcloud-mcp");
        let _ = request.peer.notify_logging_message(note).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_ordered_as_the_protocol_lists_them() {
        let all = [
            LoggingLevel::Debug,
            LoggingLevel::Info,
            LoggingLevel::Notice,
            LoggingLevel::Warning,
            LoggingLevel::Error,
            LoggingLevel::Critical,
            LoggingLevel::Alert,
            LoggingLevel::Emergency,
        ];
        for pair in all.windows(2) {
            assert!(rank(pair[0]) < rank(pair[1]));
        }
    }
}
