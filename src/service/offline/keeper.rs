//! The grant keeper: refreshes every stored grant on a timer (and once by
//! hand), so rotating refresh tokens stay alive and revoked ones are found
//! before a job needs them.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::{BackgroundJob, OfflineAccess, OfflineError, RefreshReport};

/// Runs `refresh_all` every `interval` until `stop` is cancelled.
pub fn spawn_grant_keeper(
    offline: Arc<OfflineAccess>,
    interval: Duration,
    stop: CancellationToken,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let job = BackgroundJob { _private: () };
        let mut ticker = tokio::time::interval(interval);
        ticker.tick().await;
        loop {
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = ticker.tick() => {
                    if let Err(error) = offline.purge_expired_consents().await {
                        crate::telemetry::record::store_error("consents");
                        tracing::warn!(%error, "purging expired consent links failed");
                    }
                    // Half an interval: with replicas ticking at different
                    // moments, each grant is still refreshed once per interval.
                    match offline.refresh_all(&job, interval / 2).await {
                        Ok(report) => {
                            crate::telemetry::record::grants_refreshed(report.refreshed, report.failed);
                            tracing::info!(
                                refreshed = report.refreshed,
                                skipped = report.skipped,
                                failed = report.failed,
                                needs_consent = report.needs_consent,
                                "offline grants refreshed"
                            )
                        }
                        Err(error) => {
                            crate::telemetry::record::store_error("grants");
                            tracing::warn!(%error, "offline grant refresh failed")
                        }
                    }
                }
            }
        }
    })
}

/// One pass of the grant keeper, by hand (operators' CLI, tests): every grant
/// not being refreshed right now, however recently it was. It yields a
/// report, never a token.
pub async fn run_once(offline: &OfflineAccess) -> Result<RefreshReport, OfflineError> {
    offline
        .refresh_all(&BackgroundJob { _private: () }, Duration::ZERO)
        .await
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::*;
    use crate::ports::identity::MockIdentityProvider;
    use crate::ports::store::MockTokenStore;

    /// A consent link nobody finished stays in the store until someone
    /// deletes it: the keeper does, on every tick, with the current time.
    #[tokio::test]
    async fn the_keeper_purges_expired_consent_links_on_every_tick() {
        let purges = Arc::new(AtomicU64::new(0));
        let mut store = MockTokenStore::new();
        let counted = Arc::clone(&purges);
        store.expect_purge_expired_pending().returning(move |at| {
            assert!(at.0 > 1_700_000_000, "purged with a real clock reading");
            counted.fetch_add(1, Ordering::SeqCst);
            Ok(2)
        });
        store.expect_list_provisioned().returning(|| Ok(Vec::new()));
        let offline = Arc::new(OfflineAccess::new(
            Arc::new(store),
            Arc::new(MockIdentityProvider::new()),
            "https://idp.example".into(),
        ));
        let stop = CancellationToken::new();
        let keeper = spawn_grant_keeper(offline, Duration::from_millis(20), stop.clone());
        // Several ticks, however slow the machine: wait for them, bounded.
        let waited = tokio::time::timeout(Duration::from_secs(30), async {
            while purges.load(Ordering::SeqCst) < 3 {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await;
        stop.cancel();
        keeper.await.unwrap();
        assert!(waited.is_ok(), "the keeper never purged three times");
    }
}
