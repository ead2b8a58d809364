//! `notifications/progress` for a long tool call, sent only when the client
//! asked for them with a `progressToken` in the request's `_meta`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rmcp::RoleServer;
use rmcp::model::{ProgressNotificationParam, ProgressToken};
use rmcp::service::{Peer, RequestContext};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::ports::nextcloud::TransferProgress;

/// A transfer is reported once per this many bytes (and at its end): often
/// enough to watch, rarely enough not to flood the client.
const BYTE_STEP: u64 = 256 * 1024;

/// Longest a result waits for byte counts still on their way to the client.
const FLUSH: Duration = Duration::from_secs(2);

/// Where one call's progress goes; absent when the client sent no token.
#[derive(Clone)]
pub struct Progress {
    peer: Peer<RoleServer>,
    token: ProgressToken,
}

/// Byte counts of one transfer on their way to the client.
pub struct ByteProgress {
    callback: TransferProgress,
    sender: JoinHandle<()>,
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

    /// A callback for a transfer's byte counts ("1048576 of 2097152 bytes
    /// `verb`", or "1048576 bytes `verb`" when the size is not known). The transfer calls it from inside an HTTP body stream, which
    /// must not wait on the client, so the counts go through a channel to a
    /// task that sends them; a slow client only delays its own notifications.
    pub fn bytes(self, verb: &'static str) -> ByteProgress {
        let (to_sender, mut counts) = mpsc::unbounded_channel::<(u64, Option<u64>)>();
        let sender = tokio::spawn(async move {
            while let Some((done, total)) = counts.recv().await {
                let message = match total {
                    Some(total) => format!("{done} of {total} bytes {verb}"),
                    None => format!("{done} bytes {verb}"),
                };
                self.report(done, total, message).await;
            }
        });
        let next = AtomicU64::new(0);
        let callback: TransferProgress = Arc::new(move |done, total| {
            let at_end = total.is_some_and(|total| done >= total);
            if at_end || done >= next.load(Ordering::Relaxed) {
                next.store(done.saturating_add(BYTE_STEP), Ordering::Relaxed);
                let _ = to_sender.send((done, total));
            }
        });
        ByteProgress { callback, sender }
    }
}

impl ByteProgress {
    /// What the transfer calls; the sending ends when every copy is dropped.
    pub fn callback(&self) -> TransferProgress {
        self.callback.clone()
    }

    /// Waits (briefly) until the counts are sent: once the result is sent,
    /// the client stops listening for this request. Call after the transfer
    /// has dropped its copy of the callback.
    pub async fn flush(self) {
        drop(self.callback);
        let _ = tokio::time::timeout(FLUSH, self.sender).await;
    }
}
