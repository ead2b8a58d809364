//! OAuth settings: when they turn OAuth on, the consent callback, the key
//! progressive consent needs, and the grant refresh pace.

use super::*;

#[test]
fn a_client_id_turns_on_oauth_over_http_only() {
    let config = Config::from_args(oauth_args("false"), Transport::Http).unwrap();
    assert_eq!(config.mode.name(), "pass-through");
    let oauth = config.oauth.unwrap();
    assert_eq!(
        oauth.idp.issuer_or_discovery_url.as_str(),
        "https://cloud.example.com/.well-known/openid-configuration"
    );
    // Tokens must name this resource; the client id alone is what ID tokens name.
    assert_eq!(
        oauth.idp.accepted_audiences(),
        vec!["https://mcp.example.com/mcp"]
    );
    let config = Config::from_args(oauth_args("true"), Transport::Http).unwrap();
    assert!(
        matches!(config.mode, AuthMode::Exchange { ref nextcloud_audience } if nextcloud_audience == "https://cloud.example.com")
    );
    // stdio has no bearer token: it needs the basic credentials.
    refused_with(
        oauth_args("true"),
        Transport::Stdio,
        "NEXTCLOUD_USERNAME is missing",
    );
}

#[test]
fn the_consent_callback_keeps_the_path_prefix_or_is_configured() {
    let callback = |server: &str, configured: Option<&str>| {
        let mut a = oauth_args("false");
        a.oauth.server_url = Some(server.into());
        a.oauth.oauth_callback_url = configured.map(str::to_string);
        Config::from_args(a, Transport::Http)
            .map(|c| c.oauth.unwrap().callback_url.to_string())
            .map_err(|e| e.to_string())
    };
    for (server, configured, want) in [
        (
            "https://mcp.example.com/mcp",
            None,
            "https://mcp.example.com/oauth/callback",
        ),
        (
            "https://cloud.example.com/ai/mcp",
            None,
            "https://cloud.example.com/ai/oauth/callback",
        ),
        (
            "https://cloud.example.com/ai/mcp/",
            None,
            "https://cloud.example.com/ai/oauth/callback",
        ),
        (
            "https://cloud.example.com/ai/mcp",
            Some("https://login.example.com/cb"),
            "https://login.example.com/cb",
        ),
    ] {
        assert_eq!(callback(server, configured).unwrap(), want, "{server}");
    }
    let err = callback("https://mcp.example.com/mcp", Some("relative/cb")).unwrap_err();
    assert!(
        err.starts_with("NEXTCLOUD_MCP_OAUTH_CALLBACK_URL is invalid"),
        "{err}"
    );
}

#[test]
fn progressive_consent_needs_a_key_and_only_runs_in_pass_through() {
    let mut a = oauth_args("false");
    a.store.enable_progressive_consent = None;
    refused_with(a, Transport::Http, "TOKEN_ENCRYPTION_KEY is missing");
    let mut a = oauth_args("false");
    a.store.enable_progressive_consent = None;
    a.store.token_encryption_key = Some(KEY.into());
    a.store.allowed_mcp_clients = vec![" claude ".into(), "".into()];
    let config = Config::from_args(a, Transport::Http).unwrap();
    assert!(config.store.progressive_consent);
    assert_eq!(config.store.allowed_clients, vec!["claude"]);
    // Exchange mode stores no grants: no key needed, no consent.
    let mut a = oauth_args("true");
    a.store.enable_progressive_consent = None;
    let config = Config::from_args(a, Transport::Http).unwrap();
    assert!(!config.store.progressive_consent && config.store.keyring.is_none());
    let mut a = oauth_args("false");
    a.store.enable_progressive_consent = Some("false".into());
    assert!(
        !Config::from_args(a, Transport::Http)
            .unwrap()
            .store
            .progressive_consent
    );
    let mut a = oauth_args("false");
    a.store.enable_progressive_consent = Some("false".into());
    a.store.token_encryption_key = Some("too-short".into());
    refused_with(a, Transport::Http, "TOKEN_ENCRYPTION_KEY is invalid");
    // A good key with a bad older key: the older keys are named.
    let mut a = oauth_args("false");
    a.store.enable_progressive_consent = Some("false".into());
    a.store.token_encryption_key = Some(KEY.into());
    a.store.token_encryption_previous_keys = Some("1:too-short".into());
    refused_with(
        a,
        Transport::Http,
        "TOKEN_ENCRYPTION_PREVIOUS_KEYS is invalid",
    );
}

#[test]
fn oauth_settings_are_validated() {
    let mut a = oauth_args("true");
    a.oauth.oidc_client_secret = None;
    refused_with(
        a,
        Transport::Http,
        "NEXTCLOUD_OIDC_CLIENT_SECRET is missing",
    );
    let mut a = oauth_args("false");
    a.oauth.server_url = None;
    refused_with(a, Transport::Http, "NEXTCLOUD_MCP_SERVER_URL is missing");
    let a = oauth_args("maybe");
    refused_with(a, Transport::Http, "ENABLE_TOKEN_EXCHANGE is invalid");
    let mut a = oauth_args("false");
    a.oauth.idp_kind = "okta".into();
    refused_with(a, Transport::Http, "NEXTCLOUD_MCP_IDP_KIND is invalid");
    let mut a = oauth_args("false");
    a.oauth.oidc_client_secret = Some("client-secret".into());
    let shown = format!("{:?}", Config::from_args(a, Transport::Http).unwrap());
    assert!(!shown.contains("client-secret"), "{shown}");
}

#[test]
fn grant_refresh_interval_allows_a_few_seconds() {
    let with = |secs: &str| {
        let mut a = args();
        a.store.grant_refresh_interval = secs.into();
        Config::from_args(a, Transport::Http).map(|c| c.store.grant_refresh_interval)
    };
    assert_eq!(with("2").unwrap(), std::time::Duration::from_secs(2));
    assert_eq!(with("3600").unwrap(), std::time::Duration::from_secs(3600));
    for bad in ["1", "0", "soon"] {
        let err = with(bad).unwrap_err().to_string();
        assert!(
            err.contains("NEXTCLOUD_MCP_GRANT_REFRESH_INTERVAL"),
            "{err}"
        );
    }
}
