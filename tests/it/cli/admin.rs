//! The operators' CLI, run as the real binary against a real SQLite store.

use std::process::Command;

use nextcloud_mcp::adapters::store::crypto::Keyring;
use nextcloud_mcp::adapters::store::open_store;
use nextcloud_mcp::domain::audit::{AuditEvent, AuditKind};
use nextcloud_mcp::domain::index::{DocApp, IndexQuery, IndexedDocument, search_terms};
use nextcloud_mcp::domain::time::UnixTime;
use nextcloud_mcp::ports::store::RefreshGrant;
use secrecy::{ExposeSecret, SecretString};

const TOKEN: &str = "very-secret-refresh-token";

fn admin(db: &str, key: &str, previous: Option<&str>, args: &[&str]) -> (bool, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_nextcloud-mcp"));
    command
        .arg("admin")
        .args(args)
        .env_clear()
        .env("TOKEN_STORAGE_DB", db)
        .env("TOKEN_ENCRYPTION_KEY", key);
    if let Some(previous) = previous {
        command.env("TOKEN_ENCRYPTION_PREVIOUS_KEYS", previous);
    }
    let output = command.output().unwrap();
    (
        output.status.success(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn generated_key(version: u32) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_nextcloud-mcp"))
        .args(["admin", "generate-key", "--version", &version.to_string()])
        .env_clear()
        .output()
        .unwrap();
    assert!(output.status.success());
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

#[tokio::test]
async fn users_audit_reseal_and_revoke() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db").to_string_lossy().into_owned();
    let old_key = generated_key(1);
    let new_key = generated_key(2);
    assert!(old_key.starts_with("1:") && new_key.starts_with("2:"));
    assert_ne!(old_key, new_key);

    {
        let store = open_store(&db, Some(Keyring::parse(&old_key, None).unwrap()))
            .await
            .unwrap();
        store
            .put_grant(&RefreshGrant {
                subject: "alice".into(),
                provider: "https://idp.example/realms/r".into(),
                refresh_token: SecretString::from(TOKEN),
                scopes: vec!["openid".into(), "offline_access".into()],
                granted_at: UnixTime(1_800_000_000),
            })
            .await
            .unwrap();
        store
            .append_audit(&AuditEvent::success(
                AuditKind::Provisioned,
                "alice",
                UnixTime(1_800_000_000),
            ))
            .await
            .unwrap();
        // Indexed text of alice and of bob: revoking alice takes only hers.
        for owner in ["alice", "bob"] {
            store
                .upsert_documents(
                    owner,
                    &[IndexedDocument {
                        app: DocApp::Notes,
                        doc_id: "1".into(),
                        title: format!("Budget of {owner}"),
                        body: "Travel budget".into(),
                        path: String::new(),
                        link: String::new(),
                        modified: 1_800_000_000,
                        version: "e1".into(),
                    }],
                )
                .await
                .unwrap();
        }
    }

    let (ok, users, _) = admin(&db, &old_key, None, &["users"]);
    assert!(ok);
    assert!(users.starts_with("1 provisioned"), "{users}");
    assert!(
        users.contains("alice") && users.contains("key_version=1"),
        "{users}"
    );
    assert!(!users.contains(TOKEN));

    let (ok, audit, _) = admin(&db, &old_key, None, &["audit", "--subject", "alice"]);
    assert!(ok && audit.contains("provisioned\talice"), "{audit}");

    // Rotation: the new key is current, the old one still opens rows until re-sealed.
    let (ok, resealed, err) = admin(&db, &new_key, Some(&old_key), &["reseal"]);
    assert!(ok, "{err}");
    assert_eq!(resealed.trim(), "resealed=1 unreadable=0");
    let only_new = open_store(&db, Some(Keyring::parse(&new_key, None).unwrap()))
        .await
        .unwrap();
    let grant = only_new
        .get_grant("alice", "https://idp.example/realms/r")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(grant.refresh_token.expose_secret(), TOKEN);
    let only_old = open_store(&db, Some(Keyring::parse(&old_key, None).unwrap()))
        .await
        .unwrap();
    assert!(
        only_old
            .get_grant("alice", "https://idp.example/realms/r")
            .await
            .is_err(),
        "the old key alone no longer opens it"
    );

    let (ok, revoked, _) = admin(&db, &new_key, None, &["revoke", "--subject", "alice"]);
    assert!(ok, "{revoked}");
    assert!(revoked.contains("deleted=true"), "{revoked}");
    assert!(
        revoked.contains("index documents removed=1: alice"),
        "{revoked}"
    );
    let store = open_store(&db, Some(Keyring::parse(&new_key, None).unwrap()))
        .await
        .unwrap();
    assert_eq!(store.owners().await.unwrap(), ["bob"]);
    let budget = IndexQuery {
        terms: search_terms("budget"),
        limit: 10,
        ..IndexQuery::default()
    };
    assert!(store.search("alice", &budget).await.unwrap().is_empty());
    assert_eq!(store.search("bob", &budget).await.unwrap().len(), 1);
    drop(store);
    let (_, users, _) = admin(&db, &new_key, None, &["users"]);
    assert!(users.starts_with("0 provisioned"), "{users}");
    let (ok, _, err) = admin(&db, &new_key, None, &["revoke", "--subject", "alice"]);
    assert!(!ok && err.contains("no stored grant"), "{err}");
}

#[test]
fn a_bad_key_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db").to_string_lossy().into_owned();
    let (ok, _, err) = admin(&db, "short", None, &["users"]);
    assert!(!ok);
    assert!(err.contains("TOKEN_ENCRYPTION_KEY is invalid"), "{err}");
}

/// `admin` opens the store `serve` opens with the same settings: with none
/// set, the SQLite file in the user's data folder.
#[test]
fn admin_users_with_defaults_uses_the_default_store() {
    let data = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_nextcloud-mcp"))
        .args(["admin", "users"])
        .env_clear()
        .env("XDG_DATA_HOME", data.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.starts_with("0 provisioned"), "{stdout}");
    assert!(
        data.path().join("nextcloud-mcp").join("store.db").exists(),
        "the default store was created where serve keeps it"
    );
}

/// Login-flow accounts: listed without their password, revoked at Nextcloud
/// (`--nextcloud-host`) and here, audited.
#[tokio::test]
async fn users_and_revoke_cover_connected_accounts() {
    use nextcloud_mcp::domain::login_flow::ConnectedAccount;
    const APP_PASSWORD: &str = "connected-app-password-never-printed";
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db").to_string_lossy().into_owned();
    let key = generated_key(1);
    {
        let store = open_store(&db, Some(Keyring::parse(&key, None).unwrap()))
            .await
            .unwrap();
        store
            .put_account(&ConnectedAccount {
                subject: "bob-sub".into(),
                provider: "https://idp.example/realms/r".into(),
                login_name: "bob".into(),
                user_id: "bob".into(),
                app_password: SecretString::from(APP_PASSWORD),
                connected_at: UnixTime(1_800_000_000),
            })
            .await
            .unwrap();
    }
    let (ok, users, err) = admin(&db, &key, None, &["users"]);
    assert!(ok, "{err}");
    assert!(users.contains("1 connected Nextcloud accounts"), "{users}");
    assert!(
        users.contains("bob-sub") && users.contains("login=bob"),
        "{users}"
    );
    assert!(!users.contains(APP_PASSWORD));

    let nextcloud = wiremock::MockServer::start().await;
    crate::support::fixtures::load("login-flow", "13-delete-new-app-password")
        .mount(&nextcloud)
        .await;
    let host = nextcloud.uri();
    let (ok, revoked, err) = admin(
        &db,
        &key,
        None,
        &["revoke", "--subject", "bob-sub", "--nextcloud-host", &host],
    );
    assert!(ok, "{err}");
    assert!(
        revoked.contains("app password deleted at Nextcloud"),
        "{revoked}"
    );
    assert!(
        revoked.contains("connected account deleted=true"),
        "{revoked}"
    );
    let sent = nextcloud.received_requests().await.unwrap();
    use base64::Engine as _;
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("bob:{APP_PASSWORD}"))
    );
    assert_eq!(
        sent[0]
            .headers
            .get("authorization")
            .unwrap()
            .to_str()
            .unwrap(),
        expected
    );
    let (_, users, _) = admin(&db, &key, None, &["users"]);
    assert!(!users.contains("bob-sub"), "{users}");
    let (_, audit, _) = admin(&db, &key, None, &["audit", "--subject", "bob-sub"]);
    assert!(
        audit.contains("revoked\tbob-sub\tclient=admin-cli\tsuccess"),
        "{audit}"
    );
}
