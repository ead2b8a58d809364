//! One contract for every `Store` adapter: each body below runs against a
//! SQLite file and against a real PostgreSQL (see scripts/live/postgres.sh).
//!
//! PostgreSQL comes from NEXTCLOUD_MCP_TEST_POSTGRES_URL; without it the
//! postgres tests are skipped, unless NEXTCLOUD_MCP_LIVE_TESTS=1 (CI), where
//! they fail.

#[path = "store_contract/harness.rs"]
mod harness;

use std::collections::HashSet;
use std::sync::Arc;

use harness::{Harness, keyring};
use nextcloud_mcp::adapters::store::{Keyring, SealingKey, open_store};
use nextcloud_mcp::domain::audit::{AuditEvent, AuditKind};
use nextcloud_mcp::domain::consent::{PendingConsent, UnixTime, redeem_taken};
use nextcloud_mcp::ports::store::{
    NewWebhook, RefreshGrant, Store, StoreError, WebhookRegistration, WebhookStatus,
};
use secrecy::{ExposeSecret, SecretString};

const KC: &str = "keycloak";

fn token_for(subject: &str) -> String {
    format!("rt.{subject}.7b1f0c9e4d2a48e6a1c3f5e7d9b0a2c4")
}

fn grant(subject: &str, token: &str) -> RefreshGrant {
    RefreshGrant {
        subject: subject.into(),
        provider: KC.into(),
        refresh_token: SecretString::from(token),
        scopes: vec!["offline_access".into(), "notes:read".into()],
        granted_at: UnixTime(1_700_000_000),
    }
}

fn pending(subject: &str, state: &str, expires_at: i64) -> PendingConsent {
    PendingConsent {
        subject: subject.into(),
        provider: KC.into(),
        state: state.into(),
        pkce_verifier: SecretString::from(format!("pkce-verifier-{state}-0f9e8d7c6b5a")),
        scopes: vec!["offline_access".into()],
        expires_at: UnixTime(expires_at),
    }
}

fn key() -> SealingKey {
    SealingKey::generate().unwrap()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

async fn get_token(store: &dyn Store, subject: &str) -> Result<String, StoreError> {
    let g = store.get_grant(subject, KC).await?.expect("grant present");
    Ok(g.refresh_token.expose_secret().to_owned())
}

async fn round_trip(h: &Harness) {
    let store = h.open(Some(keyring(1, &key()))).await;
    assert!(store.get_grant("alice", KC).await.unwrap().is_none());
    store
        .put_grant(&grant("alice", &token_for("alice")))
        .await
        .unwrap();
    let got = store.get_grant("alice", KC).await.unwrap().unwrap();
    assert_eq!(got.refresh_token.expose_secret(), token_for("alice"));
    assert_eq!(got.scopes, vec!["offline_access", "notes:read"]);
    assert_eq!(got.granted_at, UnixTime(1_700_000_000));
    assert!(
        store
            .get_grant("alice", "other-idp")
            .await
            .unwrap()
            .is_none()
    );

    // Replacing keeps one row per (subject, provider).
    let mut newer = grant("alice", "rt.rotated.0000");
    newer.granted_at = UnixTime(1_800_000_000);
    store.put_grant(&newer).await.unwrap();
    assert_eq!(
        get_token(&*store, "alice").await.unwrap(),
        "rt.rotated.0000"
    );
    store
        .put_grant(&grant("bob", &token_for("bob")))
        .await
        .unwrap();
    let users = store.list_provisioned().await.unwrap();
    let names: Vec<_> = users
        .iter()
        .map(|u| (u.subject.as_str(), u.granted_at.0))
        .collect();
    assert_eq!(
        names,
        vec![("alice", 1_800_000_000), ("bob", 1_700_000_000)]
    );
    assert!(
        format!("{users:?}").find("rt.").is_none(),
        "no token in the listing"
    );

    assert!(store.delete_grant("alice", KC).await.unwrap());
    assert!(!store.delete_grant("alice", KC).await.unwrap());
    assert_eq!(store.list_provisioned().await.unwrap().len(), 1);
}

async fn nothing_in_clear(h: &Harness) {
    let store = h.open(Some(keyring(1, &key()))).await;
    for s in ["alice", "bob", "carol"] {
        store.put_grant(&grant(s, &token_for(s))).await.unwrap();
    }
    store
        .save_pending(&pending("alice", "state-in-clear-ok", i64::MAX))
        .await
        .unwrap();
    let dump = h.raw_dump().await;
    // The dump is real: the subject, stored in clear, is in it.
    assert!(
        contains(&dump, "carol"),
        "dump does not show the stored rows"
    );
    for s in ["alice", "bob", "carol"] {
        assert!(
            !contains(&dump, &token_for(s)),
            "refresh token of {s} in clear"
        );
        assert!(
            !contains(&dump, "7b1f0c9e4d2a48e6"),
            "token fragment in clear"
        );
    }
    assert!(!contains(&dump, "pkce-verifier-"), "PKCE verifier in clear");
}

async fn tamper_fails(h: &Harness) {
    let store = h.open(Some(keyring(1, &key()))).await;
    store
        .put_grant(&grant("alice", &token_for("alice")))
        .await
        .unwrap();
    let original = h.raw_sealed("alice", KC).await;
    // Format byte, nonce, ciphertext, tag.
    for i in [0, 1, 12, 13, original.len() / 2, original.len() - 1] {
        let mut bytes = original.clone();
        bytes[i] ^= 0x20;
        h.raw_set_sealed("alice", KC, &bytes).await;
        let err = store.get_grant("alice", KC).await.unwrap_err();
        assert!(
            matches!(err, StoreError::CannotOpen { .. }),
            "byte {i}: {err:?}"
        );
        assert!(!err.to_string().contains(&token_for("alice")));
    }
    h.raw_set_sealed("alice", KC, &original[..10]).await;
    assert!(matches!(
        store.get_grant("alice", KC).await,
        Err(StoreError::CannotOpen { .. })
    ));
    h.raw_set_sealed("alice", KC, &original).await;
    assert_eq!(
        get_token(&*store, "alice").await.unwrap(),
        token_for("alice")
    );
}

async fn row_of_other_user_fails(h: &Harness) {
    let store = h.open(Some(keyring(1, &key()))).await;
    store
        .put_grant(&grant("alice", &token_for("alice")))
        .await
        .unwrap();
    store
        .put_grant(&grant("bob", &token_for("bob")))
        .await
        .unwrap();
    let alices = h.raw_sealed("alice", KC).await;
    h.raw_set_sealed("bob", KC, &alices).await;
    let err = store.get_grant("bob", KC).await.unwrap_err();
    assert!(matches!(err, StoreError::CannotOpen { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("\"bob\"") && !msg.contains("rt."), "{msg}");
    assert_eq!(
        get_token(&*store, "alice").await.unwrap(),
        token_for("alice")
    );
}

async fn pending_is_single_use_and_bound(h: &Harness) {
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

    // Expiry: purge removes only expired ones.
    store
        .save_pending(&pending("alice", "s-old", 900))
        .await
        .unwrap();
    store
        .save_pending(&pending("alice", "s-new", 5_000))
        .await
        .unwrap();
    assert_eq!(store.purge_expired_pending(now).await.unwrap(), 1);
    assert!(store.take_pending("s-old").await.unwrap().is_none());
    assert!(store.take_pending("s-new").await.unwrap().is_some());
}

async fn concurrent_writers(h: &Harness) {
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

async fn restart_keeps_data(h: &Harness) {
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

async fn reseal_under_new_key(h: &Harness) {
    let (k1, k2) = (key(), key());
    {
        let store = h.open(Some(keyring(1, &k1))).await;
        for s in ["alice", "bob"] {
            store.put_grant(&grant(s, &token_for(s))).await.unwrap();
        }
        store
            .save_pending(&pending("alice", "s-rot", i64::MAX))
            .await
            .unwrap();
    }
    let both = Keyring::new(2, k2.clone())
        .with_previous(1, k1.clone())
        .unwrap();
    {
        let store = h.open(Some(both.clone())).await;
        // Old rows still open before the reseal.
        assert_eq!(get_token(&*store, "bob").await.unwrap(), token_for("bob"));
        let report = store.reseal_all().await.unwrap();
        assert_eq!((report.resealed, report.unreadable), (3, 0));
        assert_eq!(store.reseal_all().await.unwrap().resealed, 0);
        let users = store.list_provisioned().await.unwrap();
        assert!(users.iter().all(|u| u.key_version == 2), "{users:?}");
    }
    let new_only = h.open(Some(keyring(2, &k2))).await;
    assert_eq!(
        get_token(&*new_only, "alice").await.unwrap(),
        token_for("alice")
    );
    let old_only = h.open(Some(keyring(1, &k1))).await;
    let err = get_token(&*old_only, "alice").await.unwrap_err();
    assert!(matches!(err, StoreError::CannotOpen { .. }), "{err:?}");
    assert!(
        old_only.take_pending("s-rot").await.is_err(),
        "verifier resealed too"
    );
    // A key under the right version number but with the wrong bytes fails too.
    let wrong = h.open(Some(keyring(2, &key()))).await;
    assert!(get_token(&*wrong, "bob").await.is_err());
}

async fn audit_newest_first(h: &Harness) {
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

fn webhook(event: &str) -> NewWebhook {
    NewWebhook {
        event: event.into(),
        filter: serde_json::json!({"event.node.path": {"$regex": "^/alice/files/Notes/"}}),
        uri: "https://mcp.example/webhooks/nextcloud".into(),
        created_at: UnixTime(1_700_000_123),
    }
}

async fn webhooks_crud(h: &Harness) {
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

async fn without_key_tokens_refuse(h: &Harness) {
    let store = h.open(None).await;
    let err = store.put_grant(&grant("alice", "rt.x")).await.unwrap_err();
    assert!(matches!(err, StoreError::KeyMissing), "{err:?}");
    assert!(err.to_string().contains("TOKEN_ENCRYPTION_KEY"));
    assert!(matches!(
        store.reseal_all().await,
        Err(StoreError::KeyMissing)
    ));
    store
        .append_audit(&AuditEvent::success(
            AuditKind::Exchanged,
            "alice",
            UnixTime(1),
        ))
        .await
        .unwrap();
    assert!(store.list_provisioned().await.unwrap().is_empty());
}

macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let h = super::Harness::sqlite();
                    super::$name(&h).await;
                    h.cleanup().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let Some(h) = super::Harness::postgres().await else { return };
                    super::$name(&h).await;
                    h.cleanup().await;
                }
            )*
        }
    };
}

contract!(
    round_trip,
    nothing_in_clear,
    tamper_fails,
    row_of_other_user_fails,
    pending_is_single_use_and_bound,
    concurrent_writers,
    restart_keeps_data,
    reseal_under_new_key,
    audit_newest_first,
    webhooks_crud,
    without_key_tokens_refuse,
);

#[tokio::test]
async fn sqlite_url_form_and_clear_open_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("via-url.db");
    let store = open_store(&format!("sqlite://{}", path.display()), None)
        .await
        .unwrap();
    store.insert_webhook(&webhook("E")).await.unwrap();
    assert!(path.exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "a new database file is private");
    }

    // A path below a regular file cannot be created.
    let blocker = dir.path().join("not-a-dir");
    std::fs::write(&blocker, b"x").unwrap();
    let bad = blocker.join("state.db");
    let err = open_store(bad.to_str().unwrap(), None)
        .await
        .err()
        .expect("must fail");
    let msg = err.to_string();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
    assert!(
        msg.contains("cannot open the SQLite database") && msg.contains("not-a-dir"),
        "{msg}"
    );

    // A file that is not a database fails clearly too.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, vec![0x55u8; 8192]).unwrap();
    let err = open_store(junk.to_str().unwrap(), None)
        .await
        .err()
        .expect("must fail");
    assert!(err.to_string().contains("junk.db"), "{err}");

    let err = open_store("mysql://h/db", None)
        .await
        .err()
        .expect("must fail");
    assert!(
        err.to_string().contains("unsupported store scheme"),
        "{err}"
    );
}

#[tokio::test]
async fn postgres_unreachable_is_a_clear_error_without_password() {
    // Port 1 on loopback: nothing listens there.
    let err = open_store("postgres://mcp:s3cr3t-pw@127.0.0.1:1/mcp", None)
        .await
        .err()
        .expect("must fail");
    let msg = err.to_string();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
    assert!(
        msg.contains("127.0.0.1:1/mcp") && !msg.contains("s3cr3t-pw"),
        "{msg}"
    );
}
