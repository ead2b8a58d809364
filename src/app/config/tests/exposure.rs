//! What the HTTP edge may expose: limits, origins, and basic modes beyond
//! loopback.

use super::*;

#[test]
fn edge_limits_and_origins_are_validated() {
    let edge = EdgeSettings::from_args(EdgeArgs {
        header_timeout: Some("3".into()),
        max_connections: Some("64".into()),
        allowed_origins: vec!["https://App.example/".into()],
        ..EdgeArgs::default()
    })
    .unwrap();
    assert_eq!(edge.limits.header_read_timeout, Duration::from_secs(3));
    assert_eq!(edge.limits.max_connections, 64);
    assert_eq!(edge.allowed_origins, vec!["https://app.example"]);
    for (args, needle) in [
        (
            EdgeArgs {
                header_timeout: Some("0".into()),
                ..EdgeArgs::default()
            },
            "NEXTCLOUD_MCP_HEADER_TIMEOUT is invalid",
        ),
        (
            EdgeArgs {
                request_deadline: Some("soon".into()),
                ..EdgeArgs::default()
            },
            "NEXTCLOUD_MCP_REQUEST_DEADLINE is invalid",
        ),
        (
            EdgeArgs {
                max_connections: Some("0".into()),
                ..EdgeArgs::default()
            },
            "NEXTCLOUD_MCP_MAX_CONNECTIONS is invalid",
        ),
        (
            EdgeArgs {
                allowed_origins: vec!["https://app.example/path".into()],
                ..EdgeArgs::default()
            },
            "NEXTCLOUD_MCP_ALLOWED_ORIGINS is invalid",
        ),
        (
            EdgeArgs {
                basic_token: Some("short".into()),
                ..EdgeArgs::default()
            },
            "NEXTCLOUD_MCP_BASIC_TOKEN is invalid",
        ),
    ] {
        let message = EdgeSettings::from_args(args).unwrap_err().to_string();
        assert!(
            message.contains(needle) && !message.contains('\n'),
            "{message}"
        );
    }
}

/// A listener every interface reaches, and one only this machine reaches.
const REMOTE: &str = "0.0.0.0:8000";
const LOOPBACK: &str = "127.0.0.1:8000";

/// Edge settings with only the basic modes' exposure settings given.
fn basic_edge(allow_remote: Option<&str>, token: Option<&str>) -> EdgeSettings {
    EdgeSettings::from_args(EdgeArgs {
        basic_allow_remote: allow_remote.map(Into::into),
        basic_token: token.map(Into::into),
        ..EdgeArgs::default()
    })
    .unwrap()
}

#[test]
fn basic_mode_beyond_loopback_needs_the_setting_and_a_token() {
    const TOKEN: &str = "0123456789abcdef0123456789abcdef-token";
    let mode = Config::from_args(args(), Transport::Http).unwrap().mode;
    let (remote, loopback) = (REMOTE.parse().unwrap(), LOOPBACK.parse().unwrap());
    assert!(
        basic_edge(None, None)
            .basic_bearer(&mode, loopback)
            .unwrap()
            .is_none()
    );
    let open = basic_edge(None, None)
        .basic_bearer(&mode, remote)
        .unwrap_err();
    assert!(
        open.to_string()
            .contains("NEXTCLOUD_MCP_BASIC_ALLOW_REMOTE"),
        "{open}"
    );
    let token_alone = basic_edge(None, Some(TOKEN)).basic_bearer(&mode, remote);
    assert!(token_alone.is_err(), "the explicit setting is needed too");
    let no_token = basic_edge(Some("true"), None)
        .basic_bearer(&mode, remote)
        .unwrap_err();
    assert!(
        no_token
            .to_string()
            .starts_with("NEXTCLOUD_MCP_BASIC_TOKEN is missing")
    );
    let both = basic_edge(Some("true"), Some(TOKEN));
    assert!(both.basic_bearer(&mode, remote).unwrap().is_some());
    assert!(!format!("{both:?}").contains(TOKEN));
}

#[test]
fn multi_user_basic_beyond_loopback_must_be_asked_for_and_has_no_static_token() {
    let mode = AuthMode::MultiUserBasic;
    let (remote, loopback) = (REMOTE.parse().unwrap(), LOOPBACK.parse().unwrap());
    assert!(
        basic_edge(None, None)
            .basic_bearer(&mode, loopback)
            .unwrap()
            .is_none()
    );
    let open = basic_edge(None, None)
        .basic_bearer(&mode, remote)
        .unwrap_err()
        .to_string();
    assert!(
        open.starts_with("NEXTCLOUD_MCP_LISTEN is invalid"),
        "{open}"
    );
    assert!(
        open.contains("NEXTCLOUD_MCP_BASIC_ALLOW_REMOTE=true") && open.contains("TLS"),
        "{open}"
    );
    assert!(
        basic_edge(Some("true"), None)
            .basic_bearer(&mode, remote)
            .unwrap()
            .is_none()
    );
    let token = basic_edge(None, Some("0123456789abcdef0123456789abcdef-token"))
        .basic_bearer(&mode, loopback)
        .unwrap_err()
        .to_string();
    assert!(
        token.starts_with("NEXTCLOUD_MCP_BASIC_TOKEN is invalid"),
        "{token}"
    );
}

#[test]
fn stdio_refuses_multi_user_basic_and_says_why() {
    let mut a = with_mode(args(), "multi-user-basic");
    a.nextcloud_username = None;
    a.nextcloud_password = None;
    let err = refused_with(a, Transport::Stdio, "NEXTCLOUD_MCP_AUTH_MODE is invalid");
    assert!(
        err.contains("multi-user-basic needs HTTP") && err.contains("stdio"),
        "{err}"
    );
}
