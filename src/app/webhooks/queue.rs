//! The bounded queue between the receiver and the worker. The receiver only
//! ever `try_send`s, so a slow handler fills the queue instead of holding a
//! delivery; a full queue drops the event and counts it.

use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TrySendError;
use tokio::task::JoinHandle;

use crate::domain::webhooks::WebhookEvent;
use crate::ports::webhooks::{
    EventHandler, EventIntake, HandlerError, Offered, QueueGauge, WebhookCounters,
};

pub const DEFAULT_QUEUE_CAPACITY: usize = 1024;

pub struct WebhookQueue {
    sender: mpsc::Sender<WebhookEvent>,
    counters: Arc<WebhookCounters>,
}

impl WebhookQueue {
    /// A queue holding at most `capacity` events, and its worker, which calls
    /// `handler` for each event in order until every handle on the queue is
    /// dropped (then it finishes what is queued and ends).
    pub fn start(capacity: usize, handler: Arc<dyn EventHandler>) -> (Arc<Self>, JoinHandle<()>) {
        let (sender, receiver) = mpsc::channel(capacity.max(1));
        let counters = Arc::new(WebhookCounters::default());
        let worker = tokio::spawn(run(receiver, handler, counters.clone()));
        (Arc::new(Self { sender, counters }), worker)
    }
}

impl EventIntake for WebhookQueue {
    fn offer(&self, event: WebhookEvent) -> Offered {
        match self.sender.try_send(event) {
            Ok(()) => {
                WebhookCounters::bump(&self.counters.queued);
                Offered::Queued
            }
            Err(TrySendError::Full(_)) => {
                WebhookCounters::bump(&self.counters.dropped_full);
                Offered::Full
            }
            Err(TrySendError::Closed(_)) => {
                WebhookCounters::bump(&self.counters.dropped_full);
                Offered::Closed
            }
        }
    }

    fn counters(&self) -> &WebhookCounters {
        &self.counters
    }

    fn gauge(&self) -> QueueGauge {
        let capacity = self.sender.max_capacity();
        QueueGauge {
            depth: capacity - self.sender.capacity(),
            capacity,
        }
    }
}

/// Each event runs in its own task so a panicking handler is counted as a
/// failure instead of stopping the worker (which would leave the queue full).
async fn run(
    mut receiver: mpsc::Receiver<WebhookEvent>,
    handler: Arc<dyn EventHandler>,
    counters: Arc<WebhookCounters>,
) {
    while let Some(event) = receiver.recv().await {
        let class = event.short_class().to_string();
        let handler = handler.clone();
        let outcome = tokio::spawn(async move { handler.handle(&event).await }).await;
        match outcome {
            Ok(Ok(())) => WebhookCounters::bump(&counters.processed),
            Ok(Err(error)) => {
                WebhookCounters::bump(&counters.failed);
                tracing::warn!(event = %class, %error, "webhook event handler failed");
            }
            Err(_) => {
                WebhookCounters::bump(&counters.failed);
                tracing::error!(event = %class, "webhook event handler panicked");
            }
        }
    }
    tracing::debug!("webhook worker stopped");
}

/// The default handler: one structured log line per event.
pub struct LogEventHandler;

#[async_trait]
impl EventHandler for LogEventHandler {
    async fn handle(&self, event: &WebhookEvent) -> Result<(), HandlerError> {
        let subject = serde_json::to_string(&event.subject).unwrap_or_default();
        tracing::info!(
            event = event.short_class(),
            class = %event.class,
            app = event.app,
            user = event.user.as_deref().unwrap_or(""),
            time = event.time.unwrap_or_default(),
            subject = %subject,
            "nextcloud webhook event"
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::webhooks::EventSubject;

    fn event() -> WebhookEvent {
        WebhookEvent {
            class: "OCP\\Files\\Events\\Node\\NodeCreatedEvent".into(),
            app: "files",
            user: None,
            time: None,
            subject: EventSubject::Opaque,
        }
    }

    struct Panics;

    #[async_trait]
    impl EventHandler for Panics {
        async fn handle(&self, _: &WebhookEvent) -> Result<(), HandlerError> {
            panic!("handler bug")
        }
    }

    #[tokio::test]
    async fn a_panicking_handler_is_counted_and_the_worker_goes_on() {
        let (queue, worker) = WebhookQueue::start(4, Arc::new(Panics));
        assert_eq!(queue.offer(event()), Offered::Queued);
        assert_eq!(queue.offer(event()), Offered::Queued);
        let counters = queue.counters.clone();
        drop(queue);
        worker.await.unwrap();
        let seen = counters.snapshot();
        assert_eq!((seen.queued, seen.failed, seen.processed), (2, 2, 0));
    }

    #[tokio::test]
    async fn a_full_queue_drops_and_counts() {
        // Not started: build the sender side alone to fill it deterministically.
        let (sender, receiver) = mpsc::channel(2);
        let queue = WebhookQueue {
            sender,
            counters: Arc::default(),
        };
        let offered: Vec<Offered> = (0..3).map(|_| queue.offer(event())).collect();
        assert_eq!(offered, [Offered::Queued, Offered::Queued, Offered::Full]);
        assert_eq!(
            queue.gauge(),
            QueueGauge {
                depth: 2,
                capacity: 2
            }
        );
        assert_eq!(queue.counters.snapshot().dropped_full, 1);
        drop(receiver);
        assert_eq!(queue.offer(event()), Offered::Closed);
    }
}
