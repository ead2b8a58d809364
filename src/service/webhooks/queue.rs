//! The bounded queue between the receiver and the worker. The receiver only
//! ever `try_send`s, so a slow handler fills the queue instead of holding a
//! delivery; a full queue drops the event and counts it.

use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TrySendError;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::domain::webhooks::WebhookEvent;
use crate::ports::webhooks::{
    EventHandler, EventIntake, HandlerError, Offered, QueueGauge, WebhookCounters,
};

pub struct WebhookQueue {
    sender: mpsc::Sender<WebhookEvent>,
    counters: Arc<WebhookCounters>,
}

/// The worker's end of a queue, before it runs: the queue can be handed to
/// the receiver first and the worker started when serving starts.
pub struct QueueWorker {
    receiver: mpsc::Receiver<WebhookEvent>,
    counters: Arc<WebhookCounters>,
}

impl WebhookQueue {
    /// A queue holding at most `capacity` events, and its worker's end.
    pub fn new(capacity: usize) -> (Arc<Self>, QueueWorker) {
        let (sender, receiver) = mpsc::channel(capacity.max(1));
        let counters = Arc::new(WebhookCounters::default());
        let worker = QueueWorker {
            receiver,
            counters: counters.clone(),
        };
        (Arc::new(Self { sender, counters }), worker)
    }

    /// A queue and its running worker, which stops once every handle on the
    /// queue is dropped.
    pub fn start(capacity: usize, handler: Arc<dyn EventHandler>) -> (Arc<Self>, JoinHandle<()>) {
        let (queue, worker) = Self::new(capacity);
        (queue, worker.spawn(handler, CancellationToken::new()))
    }
}

impl QueueWorker {
    /// Calls `handler` for each event in order until `stop` is cancelled or
    /// every handle on the queue is dropped; either way the events already
    /// queued are handled before it ends.
    pub fn spawn(self, handler: Arc<dyn EventHandler>, stop: CancellationToken) -> JoinHandle<()> {
        tokio::spawn(run(self.receiver, handler, self.counters, stop))
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
    stop: CancellationToken,
) {
    loop {
        let next = tokio::select! {
            next = receiver.recv() => next,
            () = stop.cancelled() => {
                // No new events from here on; what is queued still runs.
                receiver.close();
                receiver.recv().await
            }
        };
        let Some(event) = next else { break };
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
            // Sender-controlled: Debug quoting escapes newlines and escapes.
            user = ?event.user.as_deref().unwrap_or(""),
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

    struct Slow(Arc<std::sync::atomic::AtomicU64>);

    #[async_trait]
    impl EventHandler for Slow {
        async fn handle(&self, _: &WebhookEvent) -> Result<(), HandlerError> {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok(())
        }
    }

    #[tokio::test]
    async fn a_stopped_worker_finishes_what_is_queued_and_takes_no_more() {
        let handled = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let (queue, worker) = WebhookQueue::new(8);
        for _ in 0..3 {
            assert_eq!(queue.offer(event()), Offered::Queued);
        }
        let stop = CancellationToken::new();
        stop.cancel();
        // Stopped while the queue still has a live handle: it ends anyway.
        worker
            .spawn(Arc::new(Slow(handled.clone())), stop)
            .await
            .unwrap();
        assert_eq!(handled.load(std::sync::atomic::Ordering::SeqCst), 3);
        assert_eq!(queue.offer(event()), Offered::Closed);
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
