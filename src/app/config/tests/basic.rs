//! Basic mode: a valid set, each missing or bad value named, the password
//! kept out of debug output.

use super::*;

#[test]
fn valid_settings_make_a_basic_mode_config() {
    let config = Config::from_args(args(), Transport::Stdio).unwrap();
    assert_eq!(config.mode.name(), "basic");
    assert_eq!(config.request_timeout, Duration::from_secs(30));
    assert_eq!(config.nextcloud_url.as_str(), "https://cloud.example.com/");
}

#[test]
fn each_missing_setting_is_named() {
    let mut a = args();
    a.nextcloud_host = None;
    refused_with(a, Transport::Stdio, "NEXTCLOUD_HOST is missing");
    let mut a = args();
    a.nextcloud_username = Some("  ".into());
    refused_with(a, Transport::Stdio, "NEXTCLOUD_USERNAME is missing");
    let mut a = args();
    a.nextcloud_password = None;
    refused_with(a, Transport::Stdio, "NEXTCLOUD_PASSWORD is missing");
}

#[test]
fn bad_values_are_named_and_explained() {
    for (host, needle) in [
        ("ftp://x", "scheme"),
        ("not a url", "not a URL"),
        ("https://u:p@x", "credentials"),
    ] {
        let mut a = args();
        a.nextcloud_host = Some(host.into());
        let err = refused_with(a, Transport::Stdio, "NEXTCLOUD_HOST is invalid");
        assert!(err.contains(needle), "{err}");
    }
    let mut a = args();
    a.request_timeout = "0".into();
    let error = refusal(a, Transport::Stdio);
    assert!(error.contains("NEXTCLOUD_MCP_REQUEST_TIMEOUT"), "{error}");
    let mut a = args();
    a.log_level = "[[[".into();
    let error = refusal(a, Transport::Stdio);
    assert!(error.contains("NEXTCLOUD_MCP_LOG_LEVEL"), "{error}");
    // A word the filter syntax would take for a target name and log nothing.
    let mut a = args();
    a.log_level = "verbose".into();
    let error = refusal(a, Transport::Stdio);
    assert!(
        error.contains("NEXTCLOUD_MCP_LOG_LEVEL") && error.contains("verbose"),
        "{error}"
    );
    for accepted in ["DEBUG", "warn,nextcloud_mcp=debug", "off"] {
        let mut a = args();
        a.log_level = accepted.into();
        assert!(Config::from_args(a, Transport::Stdio).is_ok(), "{accepted}");
    }
    assert!(
        parse_listen("nope")
            .unwrap_err()
            .to_string()
            .contains("NEXTCLOUD_MCP_LISTEN")
    );
    assert!(parse_listen("127.0.0.1:0").is_ok());
}

#[test]
fn the_password_never_shows_in_debug_output() {
    let config = Config::from_args(args(), Transport::Stdio).unwrap();
    assert!(!format!("{config:?}").contains("app-pass"));
}
