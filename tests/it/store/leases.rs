//! Contract bodies about replicas sharing one store: grant refresh leases,
//! compare-and-set rotation, grants needing new consent, one wanted row per
//! webhook, and job leases. "Replicas" are separate store handles (separate
//! connection pools) on one database; for SQLite, on one file.

use std::sync::Arc;

use nextcloud_mcp::adapters::store::Keyring;
use nextcloud_mcp::domain::time::UnixTime;
use nextcloud_mcp::ports::store::{ClaimTerms, Store, StoreError, WebhookStatus};
use secrecy::{ExposeSecret, SecretString};

use super::fixtures::*;
use super::harness::{Harness, keyring};

const NOW: i64 = 2_000_000_000;

fn terms(now: i64, refreshed_before: i64) -> ClaimTerms {
    ClaimTerms {
        now: UnixTime(now),
        lease_until: UnixTime(now + 60),
        refreshed_before: UnixTime(refreshed_before),
    }
}

async fn replicas(h: &Harness, keys: &Keyring, n: usize) -> Vec<Arc<dyn Store>> {
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(h.open(Some(keys.clone())).await);
    }
    out
}

pub async fn one_refresher_per_grant(h: &Harness) {
    let keys = keyring(1, &key());
    let stores = replicas(h, &keys, 3).await;
    stores[0]
        .put_grant(&grant("alice", &token_for("alice")))
        .await
        .unwrap();

    // Thirty claims at once from three replicas: one wins.
    let mut tasks = Vec::new();
    for i in 0..30 {
        let store = Arc::clone(&stores[i % 3]);
        tasks.push(tokio::spawn(async move {
            store.claim_refresh("alice", KC, terms(NOW, NOW)).await
        }));
    }
    let mut winners = Vec::new();
    for t in tasks {
        if let Some(claimed) = t.await.unwrap().expect("claim") {
            winners.push(claimed);
        }
    }
    assert_eq!(winners.len(), 1, "exactly one claimer");
    let claimed = winners.pop().unwrap();
    assert_eq!(
        claimed.grant.refresh_token.expose_secret(),
        token_for("alice")
    );

    // Held: nobody else, until the lease runs out (a refresher that died).
    assert!(
        stores[1]
            .claim_refresh("alice", KC, terms(NOW + 59, NOW + 59))
            .await
            .unwrap()
            .is_none()
    );
    let state = stores[1].grant_state("alice", KC).await.unwrap().unwrap();
    assert_eq!(state.lease_until, UnixTime(NOW + 60));
    let late = stores[2]
        .claim_refresh("alice", KC, terms(NOW + 60, NOW + 60))
        .await
        .unwrap()
        .expect("an expired lease is claimable");
    assert_eq!(late.version, claimed.version);

    // Released after a failure without an answer: claimable at once.
    stores[2]
        .release_refresh("alice", KC, late.version)
        .await
        .unwrap();
    assert!(
        stores[0]
            .claim_refresh("alice", KC, terms(NOW + 61, NOW + 61))
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        stores[0]
            .claim_refresh("nobody", KC, terms(NOW, NOW))
            .await
            .unwrap()
            .is_none()
    );
    assert!(stores[0].grant_state("nobody", KC).await.unwrap().is_none());
}

pub async fn rotation_is_compare_and_set(h: &Harness) {
    let keys = keyring(1, &key());
    let stores = replicas(h, &keys, 2).await;
    let (a, b) = (&stores[0], &stores[1]);
    a.put_grant(&grant("alice", "rt.first")).await.unwrap();
    let granted = a.grant_state("alice", KC).await.unwrap().unwrap();
    assert_eq!(
        granted.refreshed_at,
        UnixTime(1_700_000_000),
        "a consent counts as a refresh"
    );

    let claimed = a
        .claim_refresh("alice", KC, terms(NOW, NOW))
        .await
        .unwrap()
        .unwrap();
    let rotated = Some(SecretString::from("rt.second"));
    assert!(
        a.finish_refresh("alice", KC, claimed.version, rotated, UnixTime(NOW + 1))
            .await
            .unwrap()
    );
    assert_eq!(get_token(&**b, "alice").await.unwrap(), "rt.second");
    let state = b.grant_state("alice", KC).await.unwrap().unwrap();
    assert_eq!(state.version, claimed.version + 1);
    assert_eq!(state.refreshed_at, UnixTime(NOW + 1));
    assert_eq!(state.lease_until, UnixTime(0), "the lease is freed");

    // Refreshed recently: a replica asking for grants older than that skips it.
    assert!(
        b.claim_refresh("alice", KC, terms(NOW + 2, NOW))
            .await
            .unwrap()
            .is_none()
    );
    // A stale version writes nothing.
    assert!(
        !b.finish_refresh(
            "alice",
            KC,
            claimed.version,
            Some(SecretString::from("rt.stale")),
            UnixTime(NOW + 3)
        )
        .await
        .unwrap()
    );
    assert_eq!(get_token(&**a, "alice").await.unwrap(), "rt.second");

    // A new consent during a refresh wins over the refresher's write.
    let claimed = b
        .claim_refresh("alice", KC, terms(NOW + 10, NOW + 10))
        .await
        .unwrap()
        .unwrap();
    a.put_grant(&grant("alice", "rt.consented-again"))
        .await
        .unwrap();
    assert!(
        !b.finish_refresh(
            "alice",
            KC,
            claimed.version,
            Some(SecretString::from("rt.from-old")),
            UnixTime(NOW + 11)
        )
        .await
        .unwrap()
    );
    assert_eq!(
        get_token(&**b, "alice").await.unwrap(),
        "rt.consented-again"
    );

    // Without rotation the token stays, the refresh time moves.
    let claimed = a
        .claim_refresh("alice", KC, terms(NOW + 20, NOW + 20))
        .await
        .unwrap()
        .unwrap();
    assert!(
        a.finish_refresh("alice", KC, claimed.version, None, UnixTime(NOW + 21))
            .await
            .unwrap()
    );
    let state = a.grant_state("alice", KC).await.unwrap().unwrap();
    assert_eq!(
        (state.version, state.refreshed_at),
        (claimed.version, UnixTime(NOW + 21))
    );
    assert_eq!(
        get_token(&**a, "alice").await.unwrap(),
        "rt.consented-again"
    );
}

pub async fn refused_grant_needs_consent(h: &Harness) {
    let keys = keyring(1, &key());
    let stores = replicas(h, &keys, 2).await;
    let (a, b) = (&stores[0], &stores[1]);
    a.put_grant(&grant("alice", "rt.one")).await.unwrap();
    let claimed = a
        .claim_refresh("alice", KC, terms(NOW, NOW))
        .await
        .unwrap()
        .unwrap();

    // Another replica rotated meanwhile: marking from the old version fails.
    b.finish_refresh(
        "alice",
        KC,
        claimed.version,
        Some(SecretString::from("rt.two")),
        UnixTime(NOW + 1),
    )
    .await
    .unwrap();
    assert!(
        !a.mark_needs_consent("alice", KC, claimed.version, UnixTime(NOW + 2))
            .await
            .unwrap()
    );
    assert!(
        a.list_provisioned().await.unwrap()[0]
            .needs_consent_since
            .is_none()
    );

    let current = a.grant_state("alice", KC).await.unwrap().unwrap();
    assert!(
        a.mark_needs_consent("alice", KC, current.version, UnixTime(NOW + 3))
            .await
            .unwrap()
    );
    let users = b.list_provisioned().await.unwrap();
    assert_eq!(users[0].needs_consent_since, Some(UnixTime(NOW + 3)));
    assert_eq!(users[0].refreshed_at, UnixTime(NOW + 1));
    // Nobody refreshes a dead grant, however long ago it was refreshed.
    assert!(
        b.claim_refresh("alice", KC, terms(NOW + 9999, NOW + 9999))
            .await
            .unwrap()
            .is_none()
    );

    // Consenting again brings it back.
    b.put_grant(&grant("alice", "rt.fresh")).await.unwrap();
    let state = a.grant_state("alice", KC).await.unwrap().unwrap();
    assert_eq!(state.needs_consent_since, None);
    assert!(
        a.claim_refresh("alice", KC, terms(NOW + 10_000, NOW + 10_000))
            .await
            .unwrap()
            .is_some()
    );
}

pub async fn one_wanted_row_per_webhook(h: &Harness) {
    let stores = replicas(h, &keyring(1, &key()), 3).await;

    // Three replicas record the same webhook at once: one row.
    let mut tasks = Vec::new();
    for store in &stores {
        let store = Arc::clone(store);
        tasks.push(tokio::spawn(async move {
            store.insert_webhook(&webhook("E")).await
        }));
    }
    let mut rows = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            Ok(row) => rows.push(row),
            Err(StoreError::Conflict(_)) => {}
            Err(e) => panic!("unexpected {e}"),
        }
    }
    assert_eq!(rows.len(), 1);
    let row = rows.pop().unwrap();
    assert_eq!(stores[0].list_webhooks().await.unwrap().len(), 1);

    // Another filter or URI is another webhook.
    let mut other = webhook("E");
    other.uri = "https://elsewhere.example/webhooks/nextcloud".into();
    stores[1].insert_webhook(&other).await.unwrap();
    let mut other = webhook("E");
    other.filter = serde_json::json!({});
    stores[1].insert_webhook(&other).await.unwrap();

    // Only one replica gets to register it at Nextcloud.
    let mut tasks = Vec::new();
    for store in &stores {
        let store = Arc::clone(store);
        let id = row.id;
        tasks.push(tokio::spawn(async move {
            store
                .claim_webhook(id, UnixTime(NOW), UnixTime(NOW + 60))
                .await
        }));
    }
    let mut won = 0;
    for t in tasks {
        won += usize::from(t.await.unwrap().unwrap());
    }
    assert_eq!(won, 1);
    // A failed registration frees it for the next try ...
    stores[0]
        .update_webhook(row.id, WebhookStatus::Failed, None)
        .await
        .unwrap();
    assert!(
        stores[1]
            .claim_webhook(row.id, UnixTime(NOW + 1), UnixTime(NOW + 61))
            .await
            .unwrap()
    );
    // ... an active one is nobody's to register again.
    stores[1]
        .update_webhook(row.id, WebhookStatus::Active, Some(7))
        .await
        .unwrap();
    assert!(
        !stores[2]
            .claim_webhook(row.id, UnixTime(NOW + 999), UnixTime(NOW + 1059))
            .await
            .unwrap()
    );

    // Once disabled, the same webhook may be recorded anew.
    assert!(matches!(
        stores[2].insert_webhook(&webhook("E")).await,
        Err(StoreError::Conflict(_))
    ));
    stores[2]
        .update_webhook(row.id, WebhookStatus::Disabled, Some(7))
        .await
        .unwrap();
    let again = stores[2].insert_webhook(&webhook("E")).await.unwrap();
    assert_ne!(again.id, row.id);
}

pub async fn job_lease_has_one_holder(h: &Harness) {
    let stores = replicas(h, &keyring(1, &key()), 3).await;
    let job = "webhooks.reconcile";

    let mut tasks = Vec::new();
    for (i, store) in stores.iter().enumerate() {
        let store = Arc::clone(store);
        tasks.push(tokio::spawn(async move {
            store
                .try_lease(job, &format!("r{i}"), UnixTime(NOW), UnixTime(NOW + 300))
                .await
        }));
    }
    let mut taken = Vec::new();
    for (i, t) in tasks.into_iter().enumerate() {
        if t.await.unwrap().unwrap() {
            taken.push(format!("r{i}"));
        }
    }
    assert_eq!(taken.len(), 1, "one holder: {taken:?}");
    let holder = taken.pop().unwrap();
    let other = if holder == "r0" { "r1" } else { "r0" };
    let s = &stores[0];

    assert!(
        s.try_lease(job, &holder, UnixTime(NOW + 1), UnixTime(NOW + 301))
            .await
            .unwrap(),
        "the holder renews"
    );
    assert!(
        !s.try_lease(job, other, UnixTime(NOW + 2), UnixTime(NOW + 302))
            .await
            .unwrap()
    );
    // Releasing someone else's lease does nothing.
    s.release_lease(job, other).await.unwrap();
    assert!(
        !s.try_lease(job, other, UnixTime(NOW + 3), UnixTime(NOW + 303))
            .await
            .unwrap()
    );
    // Expired (the holder died): free for others.
    assert!(
        s.try_lease(job, other, UnixTime(NOW + 301), UnixTime(NOW + 601))
            .await
            .unwrap()
    );
    s.release_lease(job, other).await.unwrap();
    assert!(
        s.try_lease(job, &holder, UnixTime(NOW + 302), UnixTime(NOW + 602))
            .await
            .unwrap()
    );
    assert!(
        s.try_lease(
            "another.job",
            other,
            UnixTime(NOW + 302),
            UnixTime(NOW + 602)
        )
        .await
        .unwrap(),
        "leases are per job"
    );
}
