//! `notifications/progress` for a long tool call, sent only when the client
//! asked for them with a `progressToken` in the request's `_meta`.

use rmcp::RoleServer;
use rmcp::model::{ProgressNotificationParam, ProgressToken};
use rmcp::service::{Peer, RequestContext};

/// Where one call's progress goes; absent when the client sent no token.
#[derive(Clone)]
pub struct Progress {
    peer: Peer<RoleServer>,
    token: ProgressToken,
}

impl Progress {
    /// The reporter for this request, if the client asked for progress.
    pub fn of(request: &RequestContext<RoleServer>) -> Option<Self> {
        request.meta.get_progress_token().map(|token| Self {
            peer: request.peer.clone(),
            token,
        })
    }

    /// `done` of `total` steps, with a line a person can read. A client that
    /// went away only loses its notifications; the call goes on.
    pub async fn report(&self, done: u64, total: Option<u64>, message: impl Into<String>) {
        let mut note = ProgressNotificationParam::new(self.token.clone(), done as f64);
        note.total = total.map(|t| t as f64);
        note.message = Some(message.into());
        let _ = self.peer.notify_progress(note).await;
    }
}
