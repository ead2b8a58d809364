//! Contract bodies about pending consents, concurrency, restarts, the audit
//! trail and webhook registrations.

use std::collections::HashSet;
use std::sync::Arc;

use nextcloud_mcp::domain::audit::{AuditEvent, AuditKind};
use nextcloud_mcp::domain::consent::{PendingConsent, Redeemed, open_callback};
use nextcloud_mcp::domain::time::UnixTime;
use nextcloud_mcp::ports::store::{StoreError, WebhookRegistration, WebhookStatus};
use secrecy::ExposeSecret;

use super::fixtures::*;
use super::harness::{Harness, keyring};

/// A callback for `state`, signed in as `subject`, checked as the service does.
fn redeem_taken(
    taken: Option<PendingConsent>,
    subject: &str,
    provider: &str,
    state: &str,
    now: UnixTime,
) -> Result<Redeemed, nextcloud_mcp::domain::consent::ConsentRefusal> {
    open_callback(taken, provider, state, now)?.redeem(subject, provider, state, now)
}

pub async fn pending_is_single_use_and_bound(h: &Harness) {
    let store = h.open(Some(keyring(1, &key()))).await;
    let now = UnixTime(1_000);
    store
        .save_pending(&pending("alice", "s-1", 2_000))
        .await
        .unwrap();
    let dup = store
        .save_pending(&pending("bob", "s-1", 2_000))
        .await
        .unwrap_err();
    assert!(matches!(dup, StoreError::Conflict(_)), "{dup:?}");
    assert!(!dup.to_string().contains("s-1"), "state value in an error");

    // Bound to the subject that started it: bob cannot redeem alice's state.
    let taken = store.take_pending("s-1").await.unwrap();
    assert!(taken.is_some());
    let p = taken.clone().unwrap();
    assert_eq!((p.subject.as_str(), p.provider.as_str()), ("alice", KC));
    assert_eq!(
        p.pkce_verifier.expose_secret(),
        "pkce-verifier-s-1-0f9e8d7c6b5a"
    );
    assert!(redeem_taken(taken.clone(), "bob", KC, "s-1", now).is_err());
    assert!(redeem_taken(taken, "alice", KC, "s-1", now).is_ok());
    // Single use: a second take finds nothing.
    assert!(store.take_pending("s-1").await.unwrap().is_none());
    assert!(redeem_taken(None, "alice", KC, "s-1", now).is_err());

    // Of many concurrent takers, exactly one wins.
    store
        .save_pending(&pending("alice", "s-race", 2_000))
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let store = Arc::clone(&store);
        tasks.push(tokio::spawn(
            async move { store.take_pending("s-race").await },
        ));
    }
    let mut wins = 0;
    for t in tasks {
        wins += usize::from(t.await.unwrap().unwrap().is_some());
    }
    assert_eq!(wins, 1);

    // Expiry: purge removes only expired ones (two people: a new link of
    // the same person would replace the old one anyway).
    store
        .save_pending(&pending("alice", "s-old", 900))
        .await
        .unwrap();
    store
        .save_pending(&pending("carol", "s-new", 5_000))
        .await
        .unwrap();
    assert_eq!(store.purge_expired_pending(now).await.unwrap(), 1);
    assert!(store.take_pending("s-old").await.unwrap().is_none());
    assert!(store.take_pending("s-new").await.unwrap().is_some());
}

pub async fn a_new_link_replaces_the_earlier_ones(h: &Harness) {
    let store = h.open(Some(keyring(1, &key()))).await;
    for state in ["s-first", "s-second"] {
        store
            .save_pending(&pending("alice", state, i64::MAX))
            .await
            .unwrap();
    }
    store
        .save_pending(&pending("bob", "s-bob", i64::MAX))
        .await
        .unwrap();
    store
        .save_pending(&pending("alice", "s-third", i64::MAX))
        .await
        .unwrap();
    // Only alice's newest link works; bob's is untouched.
    assert!(store.take_pending("s-first").await.unwrap().is_none());
    assert!(store.take_pending("s-second").await.unwrap().is_none());
    assert!(store.take_pending("s-bob").await.unwrap().is_some());
    let newest = store.take_pending("s-third").await.unwrap().unwrap();
    assert_eq!(newest.subject, "alice");
}

pub async fn concurrent_writers(h: &Harness) {
    let store = h.open(Some(keyring(1, &key()))).await;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let store = Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            let s = format!("user-{i}");
            store.put_grant(&grant(&s, &token_for(&s))).await?;
            store
                .put_grant(&grant("shared", &format!("rt.shared.{i}")))
                .await?;
            store
                .append_audit(&AuditEvent::success(AuditKind::Refreshed, s, UnixTime(i)))
                .await
        }));
    }
    for t in tasks {
        t.await.unwrap().expect("concurrent write");
    }
    for i in 0..20 {
        let s = format!("user-{i}");
        assert_eq!(get_token(&*store, &s).await.unwrap(), token_for(&s));
    }
    let shared = get_token(&*store, "shared").await.unwrap();
    let allowed: HashSet<String> = (0..20).map(|i| format!("rt.shared.{i}")).collect();
    assert!(allowed.contains(&shared), "shared row holds {shared:?}");
    assert_eq!(store.list_provisioned().await.unwrap().len(), 21);
    assert_eq!(store.recent_audit(None, 100).await.unwrap().len(), 20);
}

pub async fn restart_keeps_data(h: &Harness) {
    let k = key();
    {
        let store = h.open(Some(keyring(1, &k))).await;
        store
            .put_grant(&grant("alice", &token_for("alice")))
            .await
            .unwrap();
        store
            .save_pending(&pending("alice", "s-keep", i64::MAX))
            .await
            .unwrap();
        store
            .append_audit(&AuditEvent::success(
                AuditKind::Provisioned,
                "alice",
                UnixTime(7),
            ))
            .await
            .unwrap();
        store
            .insert_webhook(&webhook("NodeCreatedEvent"))
            .await
            .unwrap();
    }
    let store = h.open(Some(keyring(1, &k))).await;
    assert_eq!(
        get_token(&*store, "alice").await.unwrap(),
        token_for("alice")
    );
    assert!(store.take_pending("s-keep").await.unwrap().is_some());
    assert_eq!(store.recent_audit(None, 10).await.unwrap().len(), 1);
    assert_eq!(store.list_webhooks().await.unwrap().len(), 1);
}

pub async fn audit_newest_first(h: &Harness) {
    let store = h.open(Some(keyring(1, &key()))).await;
    let events = [
        AuditEvent::success(AuditKind::Provisioned, "alice", UnixTime(10)).with_client("claude"),
        AuditEvent::success(AuditKind::Refreshed, "bob", UnixTime(20)),
        AuditEvent::failure(
            AuditKind::RefreshFailed,
            "alice",
            UnixTime(30),
            "invalid_grant",
        ),
        AuditEvent::success(AuditKind::Revoked, "alice", UnixTime(30)),
        AuditEvent::success(AuditKind::Exchanged, "bob", UnixTime(5)),
    ];
    for e in &events {
        store.append_audit(e).await.unwrap();
    }
    let got = store.recent_audit(None, 3).await.unwrap();
    // Same time: the later insert comes first.
    assert_eq!(
        got,
        vec![events[3].clone(), events[2].clone(), events[1].clone()]
    );
    let alice = store.recent_audit(Some("alice".into()), 10).await.unwrap();
    assert_eq!(
        alice,
        vec![events[3].clone(), events[2].clone(), events[0].clone()]
    );
    assert!(
        store
            .recent_audit(Some("nobody".into()), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.recent_audit(None, 0).await.unwrap().is_empty());
}

pub async fn webhooks_crud(h: &Harness) {
    let store = h.open(None).await;
    let a = store
        .insert_webhook(&webhook("NodeCreatedEvent"))
        .await
        .unwrap();
    let b = store
        .insert_webhook(&webhook("NodeDeletedEvent"))
        .await
        .unwrap();
    assert_ne!(a.id, b.id);
    assert_eq!((a.status, a.nextcloud_id), (WebhookStatus::Pending, None));
    store
        .update_webhook(a.id, WebhookStatus::Active, Some(42))
        .await
        .unwrap();
    store
        .update_webhook(b.id, WebhookStatus::Failed, None)
        .await
        .unwrap();
    let list = store.list_webhooks().await.unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(
        (list[0].id, list[0].status, list[0].nextcloud_id),
        (a.id, WebhookStatus::Active, Some(42))
    );
    assert_eq!(list[0].filter, webhook("x").filter);
    assert_eq!(
        (list[0].event.as_str(), list[0].created_at),
        ("NodeCreatedEvent", UnixTime(1_700_000_123))
    );
    assert_eq!(list[1].status, WebhookStatus::Failed);
    let missing = store
        .update_webhook(9_999, WebhookStatus::Active, None)
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound(_))));
    store.delete_webhook(a.id).await.unwrap();
    assert!(matches!(
        store.delete_webhook(a.id).await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(
        store.list_webhooks().await.unwrap(),
        vec![WebhookRegistration {
            status: WebhookStatus::Failed,
            ..b
        }]
    );
}
