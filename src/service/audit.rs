//! Appending to the audit trail from a use case.

use crate::domain::audit::AuditEvent;
use crate::ports::store::AuditLog;

/// Appends `event`. The audit trail must not make the user's action fail, so
/// an event that cannot be stored is logged and the action goes on.
pub async fn record(log: &(impl AuditLog + ?Sized), event: &AuditEvent) {
    if let Err(error) = log.record(event).await {
        tracing::warn!(%error, kind = event.kind.as_str(), "audit event not stored");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit::AuditKind;
    use crate::domain::time::UnixTime;
    use crate::ports::store::{MockTokenStore, StoreError};

    #[tokio::test]
    async fn a_store_failure_does_not_fail_the_action() {
        let mut store = MockTokenStore::new();
        store
            .expect_append_audit()
            .times(1)
            .returning(|_| Err(StoreError::Unavailable("disk full".into())));
        let event = AuditEvent::success(AuditKind::Refreshed, "alice", UnixTime(1));
        record(&store, &event).await;
    }
}
