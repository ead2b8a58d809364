//! Contract bodies about login-flow mode's connected accounts and pending
//! flows: sealed per (subject, provider), never in clear, compare-and-set.

use nextcloud_mcp::domain::login_flow::{ConnectedAccount, ExpectedLogin, PendingLoginFlow};
use nextcloud_mcp::domain::time::UnixTime;
use nextcloud_mcp::ports::store::StoreError;
use secrecy::{ExposeSecret, SecretString};

use super::fixtures::*;
use super::harness::{Harness, keyring};

fn password_for(subject: &str) -> String {
    format!("ap-{subject}-Zq8RkW2xN5vT7yB1mC4dF6gH9jK3lP0sQ-72chars")
}

fn account(subject: &str, password: &str) -> ConnectedAccount {
    ConnectedAccount {
        subject: subject.into(),
        provider: KC.into(),
        login_name: format!("{subject}-login"),
        user_id: subject.into(),
        app_password: SecretString::from(password.to_string()),
        connected_at: UnixTime(1_700_000_000),
    }
}

fn flow(subject: &str, expires_at: i64) -> PendingLoginFlow {
    PendingLoginFlow {
        subject: subject.into(),
        provider: KC.into(),
        poll_token: SecretString::from(format!("poll-token-of-{subject}-9f8e7d6c5b4a")),
        expected: ExpectedLogin {
            login: subject.into(),
            source: "your preferred_username claim".into(),
        },
        expires_at: UnixTime(expires_at),
    }
}

async fn password_of(store: &dyn nextcloud_mcp::ports::store::Store, subject: &str) -> String {
    let (account, _) = store.get_account(subject, KC).await.unwrap().unwrap();
    account.app_password.expose_secret().to_string()
}

pub async fn accounts_round_trip_sealed_per_user(h: &Harness) {
    let store = h.open(Some(keyring(1, &key()))).await;
    assert!(store.get_account("alice", KC).await.unwrap().is_none());
    for s in ["alice", "bob"] {
        store
            .put_account(&account(s, &password_for(s)))
            .await
            .unwrap();
    }
    assert_eq!(password_of(&*store, "alice").await, password_for("alice"));
    assert_eq!(password_of(&*store, "bob").await, password_for("bob"));
    assert!(
        store
            .get_account("alice", "other-idp")
            .await
            .unwrap()
            .is_none()
    );
    let (alice, since) = store.get_account("alice", KC).await.unwrap().unwrap();
    assert_eq!((alice.login_name.as_str(), since), ("alice-login", None));

    // A reconnect replaces the row.
    store
        .put_account(&account("alice", "ap-newer"))
        .await
        .unwrap();
    assert_eq!(password_of(&*store, "alice").await, "ap-newer");
    let listed = store.list_accounts().await.unwrap();
    let names: Vec<_> = listed.iter().map(|a| a.subject.as_str()).collect();
    assert_eq!(names, vec!["alice", "bob"]);
    assert!(
        !format!("{listed:?}").contains("ap-"),
        "no password in listings"
    );

    assert!(store.delete_account("alice", KC).await.unwrap());
    assert!(!store.delete_account("alice", KC).await.unwrap());
    assert_eq!(store.list_accounts().await.unwrap().len(), 1);

    // Without a key nothing is stored in clear: it refuses instead.
    let keyless = h.open(None).await;
    let err = keyless
        .put_account(&account("carol", "ap-carol"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::KeyMissing), "{err:?}");
}

pub async fn no_app_password_or_poll_token_in_clear(h: &Harness) {
    let store = h.open(Some(keyring(1, &key()))).await;
    for s in ["alice", "bob", "carol"] {
        store
            .put_account(&account(s, &password_for(s)))
            .await
            .unwrap();
        store.save_flow(&flow(s, i64::MAX)).await.unwrap();
    }
    let dump = h.raw_dump().await;
    assert!(
        contains(&dump, "carol-login"),
        "dump does not show the rows"
    );
    for s in ["alice", "bob", "carol"] {
        assert!(
            !contains(&dump, &password_for(s)),
            "app password of {s} in clear"
        );
        assert!(
            !contains(&dump, &format!("poll-token-of-{s}")),
            "poll token of {s} in clear"
        );
    }
}

pub async fn a_sealed_password_opens_only_in_its_row(h: &Harness) {
    let ring = keyring(1, &key());
    let store = h.open(Some(ring.clone())).await;
    store
        .put_account(&account("alice", &password_for("alice")))
        .await
        .unwrap();
    store
        .put_account(&account("bob", &password_for("bob")))
        .await
        .unwrap();
    // Moving alice's sealed bytes into bob's row does not give bob alice's password.
    let alice_sealed = h
        .raw_query_bytes(
            "SELECT sealed FROM app_passwords WHERE subject = $1",
            "alice",
        )
        .await;
    h.raw_exec(
        "UPDATE app_passwords SET sealed = $1 WHERE subject = $2",
        Some(&alice_sealed),
        &["bob"],
    )
    .await;
    let err = store
        .get_account("bob", KC)
        .await
        .expect_err("must not open");
    assert!(
        matches!(
            err,
            StoreError::CannotOpen {
                what: "app password",
                ..
            }
        ),
        "{err:?}"
    );
    // Another key opens nothing either.
    let other = h.open(Some(keyring(1, &key()))).await;
    assert!(other.get_account("alice", KC).await.is_err());
}

pub async fn reconnect_mark_and_rotation_are_compare_and_set(h: &Harness) {
    let store = h.open(Some(keyring(1, &key()))).await;
    store
        .put_account(&account("alice", "ap-one"))
        .await
        .unwrap();
    let one = SecretString::from("ap-one");
    let two = SecretString::from("ap-two");
    // A stale password neither marks nor rotates.
    assert!(
        !store
            .mark_needs_reconnect("alice", KC, &two, UnixTime(5))
            .await
            .unwrap()
    );
    assert!(
        !store
            .rotate_account("alice", KC, &two, &one, UnixTime(5))
            .await
            .unwrap()
    );
    assert!(
        store
            .rotate_account("alice", KC, &one, &two, UnixTime(6))
            .await
            .unwrap()
    );
    assert_eq!(password_of(&*store, "alice").await, "ap-two");
    let listed = store.list_accounts().await.unwrap();
    assert_eq!(listed[0].rotated_at, UnixTime(6));
    assert!(
        store
            .mark_needs_reconnect("alice", KC, &two, UnixTime(7))
            .await
            .unwrap()
    );
    let (_, since) = store.get_account("alice", KC).await.unwrap().unwrap();
    assert_eq!(since, Some(UnixTime(7)));
    // Connecting again clears the mark.
    store
        .put_account(&account("alice", "ap-three"))
        .await
        .unwrap();
    let (_, since) = store.get_account("alice", KC).await.unwrap().unwrap();
    assert_eq!(since, None);
    assert!(
        !store
            .mark_needs_reconnect("nobody", KC, &two, UnixTime(8))
            .await
            .unwrap()
    );
}

pub async fn pending_flows_any_replica_can_finish(h: &Harness) {
    let ring = keyring(1, &key());
    let first = h.open(Some(ring.clone())).await;
    let second = h.open(Some(ring)).await;
    first.save_flow(&flow("alice", 2_000)).await.unwrap();
    first.save_flow(&flow("bob", 900)).await.unwrap();
    // Another replica sees the flow with its poll token.
    let seen = second.get_flow("alice", KC).await.unwrap().unwrap();
    assert_eq!(
        seen.poll_token.expose_secret(),
        "poll-token-of-alice-9f8e7d6c5b4a"
    );
    assert_eq!(seen.expected.login, "alice");
    let open: Vec<_> = second
        .open_flows(UnixTime(1_000))
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.subject)
        .collect();
    assert_eq!(open, vec!["alice"]);
    // A newer flow of the same user replaces the old one; finishing the old
    // one then leaves the newer.
    first.save_flow(&flow("alice", 3_000)).await.unwrap();
    assert!(
        !second
            .finish_flow("alice", KC, UnixTime(2_000))
            .await
            .unwrap()
    );
    assert!(
        second
            .finish_flow("alice", KC, UnixTime(3_000))
            .await
            .unwrap()
    );
    assert!(
        !first
            .finish_flow("alice", KC, UnixTime(3_000))
            .await
            .unwrap()
    );
    assert!(first.get_flow("alice", KC).await.unwrap().is_none());
    assert_eq!(first.purge_expired_flows(UnixTime(1_000)).await.unwrap(), 1);
    assert!(first.get_flow("bob", KC).await.unwrap().is_none());
}

/// `admin reseal` after a key rotation covers app passwords and poll tokens:
/// with the old key removed both still open, and the old key alone opens
/// neither.
pub async fn reseal_covers_accounts_and_pending_flows(h: &Harness) {
    use nextcloud_mcp::adapters::store::Keyring;
    let (k1, k2) = (key(), key());
    {
        let store = h.open(Some(keyring(1, &k1))).await;
        store
            .put_account(&account("alice", &password_for("alice")))
            .await
            .unwrap();
        store.save_flow(&flow("bob", i64::MAX)).await.unwrap();
    }
    let both = Keyring::new(2, k2.clone())
        .with_previous(1, k1.clone())
        .unwrap();
    {
        let store = h.open(Some(both)).await;
        let report = store.reseal_all().await.unwrap();
        assert_eq!((report.resealed, report.unreadable), (2, 0));
        assert_eq!(store.reseal_all().await.unwrap().resealed, 0);
        let listed = store.list_accounts().await.unwrap();
        assert!(listed.iter().all(|a| a.key_version == 2), "{listed:?}");
    }
    let new_only = h.open(Some(keyring(2, &k2))).await;
    assert_eq!(
        password_of(&*new_only, "alice").await,
        password_for("alice")
    );
    let flow = new_only.get_flow("bob", KC).await.unwrap().unwrap();
    assert_eq!(
        flow.poll_token.expose_secret(),
        "poll-token-of-bob-9f8e7d6c5b4a"
    );
    let old_only = h.open(Some(keyring(1, &k1))).await;
    assert!(old_only.get_account("alice", KC).await.is_err());
    assert!(old_only.get_flow("bob", KC).await.is_err());
}
