//! `--help` per subcommand: stdio runs in basic mode over one pipe, so its
//! help lists no setting only `serve` reads, while `serve` still lists them.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_nextcloud-mcp");

/// Settings only `serve` reads: its listener and host checks, the OAuth
/// client and public URL, login-flow mode and the webhook receiver. Each by
/// flag and by environment variable, as the help shows both.
const SERVE_ONLY: &[(&str, &str)] = &[
    ("--listen", "NEXTCLOUD_MCP_LISTEN"),
    ("--allowed-hosts", "NEXTCLOUD_MCP_ALLOWED_HOSTS"),
    ("--allowed-origins", "NEXTCLOUD_MCP_ALLOWED_ORIGINS"),
    ("--oidc-client-id", "NEXTCLOUD_OIDC_CLIENT_ID"),
    ("--oidc-client-secret", "NEXTCLOUD_OIDC_CLIENT_SECRET"),
    ("--oidc-discovery-url", "OIDC_DISCOVERY_URL"),
    ("--server-url", "NEXTCLOUD_MCP_SERVER_URL"),
    ("--enable-token-exchange", "ENABLE_TOKEN_EXCHANGE"),
    (
        "--login-flow-owner-claim",
        "NEXTCLOUD_MCP_LOGIN_FLOW_OWNER_CLAIM",
    ),
    ("--webhook-secret", "WEBHOOK_SECRET"),
    ("--webhook-url", "NEXTCLOUD_MCP_WEBHOOK_URL"),
    ("--webhook-queue-size", "NEXTCLOUD_MCP_WEBHOOK_QUEUE_SIZE"),
];

/// What stdio reads, so the help must still show it.
const STDIO_READS: &[&str] = &[
    "--nextcloud-host",
    "--nextcloud-username",
    "--nextcloud-password",
    "--auth-mode",
    "--log-level",
    "--log-format",
    "--request-timeout",
];

fn help(subcommand: &str) -> String {
    let output = Command::new(BIN)
        .args([subcommand, "--help"])
        .env_clear()
        .output()
        .expect("the binary runs");
    assert!(output.status.success(), "{subcommand} --help failed");
    String::from_utf8(output.stdout).expect("help is UTF-8")
}

/// Whether `flag` appears as a whole flag (not the start of a longer one).
fn lists(help: &str, flag: &str) -> bool {
    help.match_indices(flag).any(|(at, _)| {
        help[at + flag.len()..]
            .chars()
            .next()
            .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
    })
}

#[test]
fn stdio_help_lists_no_serve_only_setting() {
    let stdio = help("stdio");
    for (flag, env) in SERVE_ONLY {
        assert!(!lists(&stdio, flag), "stdio --help lists {flag}:\n{stdio}");
        assert!(!lists(&stdio, env), "stdio --help lists {env}:\n{stdio}");
    }
    for flag in STDIO_READS {
        assert!(lists(&stdio, flag), "stdio --help misses {flag}:\n{stdio}");
    }
    // Group headings of hidden settings must not dangle with nothing under them.
    assert!(!stdio.contains("serve only"), "{stdio}");
}

#[test]
fn serve_help_still_lists_every_serve_setting() {
    let serve = help("serve");
    for (flag, env) in SERVE_ONLY.iter().copied() {
        assert!(lists(&serve, flag), "serve --help misses {flag}:\n{serve}");
        assert!(lists(&serve, env), "serve --help misses {env}:\n{serve}");
    }
    for flag in STDIO_READS {
        assert!(lists(&serve, flag), "serve --help misses {flag}:\n{serve}");
    }
}

#[test]
fn stdio_still_accepts_serve_settings_it_ignores() {
    // Hidden, not removed: one environment shared by `serve` and `stdio`
    // must not stop stdio. A missing NEXTCLOUD_HOST is the first complaint,
    // not an unknown flag.
    let output = Command::new(BIN)
        .args(["stdio", "--oidc-client-id", "x", "--webhook-secret", "y"])
        .env_clear()
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("NEXTCLOUD_HOST is missing"), "{stderr}");
}
