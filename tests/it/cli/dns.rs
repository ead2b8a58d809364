//! A host name that names nothing is said as such, with the setting to fix,
//! for each service the server talks to. `.invalid` never resolves
//! (RFC 6761), so these run offline.

use super::support::{command, first_notes_listing};

/// Runs a start that must fail; its single stderr line.
async fn failed_start(args: &[&str], env: &[(&str, &str)]) -> String {
    let output = command(args, "http://127.0.0.1:9", env)
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    stderr
}

#[tokio::test]
async fn a_nextcloud_host_that_does_not_resolve_is_named_in_the_tool_result() {
    let mut child = command(&["stdio"], "http://nonexistent.invalid", &[])
        .spawn()
        .unwrap();
    let result = first_notes_listing(&mut child).await;
    assert_eq!(result["result"]["isError"], true, "{result}");
    let text = result["result"]["content"][0]["text"].as_str().unwrap();
    assert!(
        text.contains("cannot resolve host nonexistent.invalid: check NEXTCLOUD_HOST"),
        "{text}"
    );
    assert!(!text.contains("cannot connect"), "{text}");
    child.kill().await.unwrap();
}

#[tokio::test]
async fn an_identity_provider_host_that_does_not_resolve_is_named() {
    let store = tempfile::tempdir().unwrap();
    let line = failed_start(
        &["serve", "--listen", "127.0.0.1:0"],
        &[
            ("NEXTCLOUD_OIDC_CLIENT_ID", "mcp"),
            ("NEXTCLOUD_OIDC_CLIENT_SECRET", "client-SECRET"),
            (
                "OIDC_DISCOVERY_URL",
                "http://nonexistent.invalid/.well-known/openid-configuration",
            ),
            ("NEXTCLOUD_MCP_SERVER_URL", "http://127.0.0.1:8000/mcp"),
            ("ENABLE_PROGRESSIVE_CONSENT", "false"),
            (
                "TOKEN_STORAGE_DB",
                store.path().join("s.db").to_str().unwrap(),
            ),
        ],
    )
    .await;
    assert!(
        line.contains("identity provider unreachable at http://nonexistent.invalid/"),
        "{line}"
    );
    assert!(line.contains("(OIDC_DISCOVERY_URL)"), "{line}");
    assert!(
        line.contains("cannot resolve host nonexistent.invalid"),
        "{line}"
    );
    assert!(!line.contains("cannot connect"), "{line}");
}

#[tokio::test]
async fn a_database_host_that_does_not_resolve_is_named_without_driver_text() {
    let line = failed_start(
        &["serve", "--listen", "127.0.0.1:0"],
        &[
            (
                "DATABASE_URL",
                "postgres://mcp:db-pass-SECRET@nonexistent.invalid/mcp",
            ),
            ("WEBHOOK_SECRET", "webhook-SECRET-0123456789abcdef"),
        ],
    )
    .await;
    assert!(
        line.contains("cannot connect to PostgreSQL at nonexistent.invalid:5432/mcp: cannot resolve host nonexistent.invalid"),
        "{line}"
    );
    assert!(
        line.contains("check TOKEN_STORAGE_DB/DATABASE_URL"),
        "{line}"
    );
    assert!(line.contains("needed for webhooks"), "{line}");
    for leaked in [
        "db-pass-SECRET",
        "webhook-SECRET",
        "I/O error",
        "os error",
        "lookup address",
        "is invalid",
    ] {
        assert!(!line.contains(leaked), "{leaked:?} in {line}");
    }
    assert_eq!(line.matches("unavailable").count(), 1, "{line}");
}
