//! Contract bodies about sealed refresh tokens.

use nextcloud_mcp::adapters::store::Keyring;
use nextcloud_mcp::domain::audit::{AuditEvent, AuditKind};
use nextcloud_mcp::domain::time::UnixTime;
use nextcloud_mcp::ports::store::StoreError;
use secrecy::ExposeSecret;

use super::fixtures::*;
use super::harness::{Harness, keyring};

pub async fn round_trip(h: &Harness) {
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

pub async fn nothing_in_clear(h: &Harness) {
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

pub async fn tamper_fails(h: &Harness) {
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

pub async fn row_of_other_user_fails(h: &Harness) {
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

pub async fn reseal_under_new_key(h: &Harness) {
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

pub async fn without_key_tokens_refuse(h: &Harness) {
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
