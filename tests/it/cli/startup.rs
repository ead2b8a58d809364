//! Start-up fails fast, with one line that names the setting, when the store
//! cannot be opened.

use std::process::Command;

fn serve_with(store_env: (&str, &str)) -> (Option<i32>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_nextcloud-mcp"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env_clear()
        .env("NEXTCLOUD_HOST", "http://127.0.0.1:9")
        .env("NEXTCLOUD_USERNAME", "admin")
        .env("NEXTCLOUD_PASSWORD", "app-pass")
        .env(store_env.0, store_env.1)
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn an_unwritable_sqlite_path_stops_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("not-a-dir");
    std::fs::write(&blocker, b"a file where a folder should be").unwrap();
    let path = blocker.join("store.db");
    let (code, stderr) = serve_with(("TOKEN_STORAGE_DB", path.to_str().unwrap()));
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("TOKEN_STORAGE_DB"), "{stderr}");
}

#[test]
fn an_unreachable_postgres_stops_start_up_without_showing_its_password() {
    let (code, stderr) = serve_with((
        "DATABASE_URL",
        "postgres://mcp:hunter2-pg-pass@127.0.0.1:1/mcp",
    ));
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("DATABASE_URL"), "{stderr}");
    assert!(!stderr.contains("hunter2-pg-pass"), "{stderr}");
    // Said in words, not as the driver's "I/O error ... (os error 111)".
    assert!(stderr.contains("the connection was refused"), "{stderr}");
    assert!(!stderr.contains("os error"), "{stderr}");
    assert!(!stderr.contains("is invalid"), "{stderr}");
}
