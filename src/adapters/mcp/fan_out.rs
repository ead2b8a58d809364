//! Independent Nextcloud requests (one per search provider, per calendar,
//! per address book) run together, a few at a time, so a tool waits about as
//! long as its slowest request instead of the sum of all of them.

use std::future::Future;

use futures::stream::{self, StreamExt};

use super::progress::Progress;

/// At most this many requests of one call are in flight at once: enough to
/// search every provider of a Nextcloud with the usual apps (twelve or
/// thirteen, a few more with extra apps) in one round, few enough not to
/// flood it. At twelve, a thirteenth provider waited for a second round and
/// the search took twice the slowest request.
pub const CONCURRENCY: usize = 16;

/// Runs `run` for every item, at most [`CONCURRENCY`] at a time, and answers
/// the outputs in the order of `items` (results keep a stable order however
/// the requests finish). With `progress`, reports each finished step in
/// that order, naming it with `label`.
pub async fn in_order<I, F, Fut>(
    items: I,
    run: F,
    progress: Option<(&Progress, &(dyn Fn(usize) -> String + Sync))>,
) -> Vec<Fut::Output>
where
    I: IntoIterator,
    F: FnMut(I::Item) -> Fut,
    Fut: Future,
{
    // Futures do nothing until polled, so making them all first starts no
    // request early; it keeps the caller's closure out of the stream, whose
    // type would otherwise stop the tool's future from being `Send`.
    let jobs: Vec<Fut> = items.into_iter().map(run).collect();
    let total = jobs.len();
    let mut outputs = Vec::with_capacity(total);
    let mut finished = stream::iter(jobs).buffered(CONCURRENCY);
    while let Some(output) = finished.next().await {
        outputs.push(output);
        if let Some((reporter, label)) = &progress {
            let done = outputs.len();
            reporter
                .report(done as u64, Some(total as u64), label(done - 1))
                .await;
        }
    }
    outputs
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn runs_together_bounded_and_answers_in_input_order() {
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let outputs = in_order(
            0..24u64,
            |i| {
                let running = running.clone();
                let peak = peak.clone();
                async move {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    // Later items finish first, so order comes from the helper.
                    tokio::time::sleep(Duration::from_millis(60 - 2 * i)).await;
                    running.fetch_sub(1, Ordering::SeqCst);
                    i
                }
            },
            None,
        )
        .await;
        assert_eq!(outputs, (0..24).collect::<Vec<_>>());
        // Sixteen ran at once (not one after another), and never more.
        assert_eq!(peak.load(Ordering::SeqCst), CONCURRENCY);
    }
}
