//! Configuration: validation and the one-line errors.

use super::*;

fn args() -> CommonArgs {
    CommonArgs {
        nextcloud_host: Some("https://cloud.example.com".into()),
        nextcloud_username: Some("admin".into()),
        nextcloud_password: Some("app-pass".into()),
        log_level: "info".into(),
        request_timeout: "30".into(),
        mode: ModeArgs::default(),
        oauth: OAuthArgs::default(),
        store: StoreArgs {
            grant_refresh_interval: "3600".into(),
            ..StoreArgs::default()
        },
        webhooks: WebhookArgs::default(),
        sync: Default::default(),
    }
}

#[test]
fn webhook_settings_are_validated_and_off_over_stdio() {
    let config = Config::from_args(args(), Transport::Http).unwrap();
    assert!(config.webhooks.secret.is_none() && config.webhooks.receiver_url.is_none());
    let mut a = args();
    a.webhooks.webhook_secret = Some("0123456789abcdef-secret".into());
    a.webhooks.webhook_queue_size = Some("8".into());
    a.webhooks.webhook_reconcile_on_start = Some("true".into());
    let config = Config::from_args(a, Transport::Http).unwrap();
    assert!(config.webhooks.secret.is_some() && config.webhooks.reconcile_on_start);
    assert_eq!(config.webhooks.queue_capacity, 8);
    assert!(!format!("{config:?}").contains("0123456789abcdef"));
    let mut a = args();
    a.webhooks.webhook_secret = Some("0123456789abcdef-secret".into());
    let stdio = Config::from_args(a, Transport::Stdio).unwrap();
    assert!(stdio.webhooks.secret.is_none());
    let invalid_secret = "WEBHOOK_SECRET is invalid";
    let invalid_queue = "NEXTCLOUD_MCP_WEBHOOK_QUEUE_SIZE is invalid";
    for (secret, queue, needle) in [
        ("short", "1", invalid_secret),
        ("with spaces in the secret", "1", invalid_secret),
        ("0123456789abcdef", "0", invalid_queue),
    ] {
        let mut a = args();
        a.webhooks.webhook_secret = Some(secret.into());
        a.webhooks.webhook_queue_size = Some(queue.into());
        let err = Config::from_args(a, Transport::Http).unwrap_err();
        let err = err.to_string();
        assert!(err.starts_with(needle), "{err}");
    }
    // Basic mode too, when NEXTCLOUD_MCP_SERVER_URL is set.
    let mut a = args();
    a.oauth.server_url = Some("https://mcp.example.com/mcp".into());
    let basic = Config::from_args(a, Transport::Http).unwrap();
    assert!(matches!(basic.mode, AuthMode::Basic { .. }));
    assert_eq!(
        basic.webhooks.receiver_url.unwrap().as_str(),
        "https://mcp.example.com/webhooks/nextcloud"
    );
    let mut a = args();
    a.oauth.server_url = Some("not a url".into());
    let err = Config::from_args(a, Transport::Http)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("NEXTCLOUD_MCP_SERVER_URL is invalid"),
        "{err}"
    );
    // OAuth modes put the receiver next to the /mcp endpoint by default.
    let config = Config::from_args(oauth_args("true"), Transport::Http).unwrap();
    assert_eq!(
        config.webhooks.receiver_url.unwrap().as_str(),
        "https://mcp.example.com/webhooks/nextcloud"
    );
}

fn oauth_args(exchange: &str) -> CommonArgs {
    let mut a = args();
    a.nextcloud_username = None;
    a.nextcloud_password = None;
    a.oauth = OAuthArgs {
        oidc_client_id: Some("nextcloud-mcp-server".into()),
        oidc_client_secret: Some("client-secret".into()),
        server_url: Some("https://mcp.example.com/mcp".into()),
        enable_token_exchange: Some(exchange.into()),
        idp_kind: "auto".into(),
        opaque_tokens: "auto".into(),
        exchange_cache_ttl: "0".into(),
        ..OAuthArgs::default()
    };
    a.store.enable_progressive_consent = Some("false".into());
    a
}

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
    let err = Config::from_args(oauth_args("true"), Transport::Stdio).unwrap_err();
    assert!(
        err.to_string().starts_with("NEXTCLOUD_USERNAME is missing"),
        "{err}"
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
    let err = Config::from_args(a, Transport::Http).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("TOKEN_ENCRYPTION_KEY is missing"),
        "{err}"
    );
    let mut a = oauth_args("false");
    a.store.enable_progressive_consent = None;
    a.store.token_encryption_key = Some("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=".into());
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
    assert!(
        Config::from_args(a, Transport::Http)
            .unwrap_err()
            .to_string()
            .starts_with("TOKEN_ENCRYPTION_KEY is invalid")
    );
    // A good key with a bad older key: the older keys are named.
    let mut a = oauth_args("false");
    a.store.enable_progressive_consent = Some("false".into());
    a.store.token_encryption_key = Some("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=".into());
    a.store.token_encryption_previous_keys = Some("1:too-short".into());
    let error = Config::from_args(a, Transport::Http)
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("TOKEN_ENCRYPTION_PREVIOUS_KEYS is invalid"),
        "{error}"
    );
}

#[test]
fn oauth_settings_are_validated() {
    let mut a = oauth_args("true");
    a.oauth.oidc_client_secret = None;
    assert!(
        Config::from_args(a, Transport::Http)
            .unwrap_err()
            .to_string()
            .starts_with("NEXTCLOUD_OIDC_CLIENT_SECRET is missing")
    );
    let mut a = oauth_args("false");
    a.oauth.server_url = None;
    assert!(
        Config::from_args(a, Transport::Http)
            .unwrap_err()
            .to_string()
            .starts_with("NEXTCLOUD_MCP_SERVER_URL is missing")
    );
    let a = oauth_args("maybe");
    assert!(
        Config::from_args(a, Transport::Http)
            .unwrap_err()
            .to_string()
            .starts_with("ENABLE_TOKEN_EXCHANGE is invalid")
    );
    let mut a = oauth_args("false");
    a.oauth.idp_kind = "okta".into();
    assert!(
        Config::from_args(a, Transport::Http)
            .unwrap_err()
            .to_string()
            .starts_with("NEXTCLOUD_MCP_IDP_KIND is invalid")
    );
    let mut a = oauth_args("false");
    a.oauth.oidc_client_secret = Some("client-secret".into());
    let shown = format!("{:?}", Config::from_args(a, Transport::Http).unwrap());
    assert!(!shown.contains("client-secret"), "{shown}");
}

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
    assert!(
        Config::from_args(a, Transport::Stdio)
            .unwrap_err()
            .to_string()
            .starts_with("NEXTCLOUD_HOST is missing")
    );
    let mut a = args();
    a.nextcloud_username = Some("  ".into());
    assert!(
        Config::from_args(a, Transport::Stdio)
            .unwrap_err()
            .to_string()
            .starts_with("NEXTCLOUD_USERNAME is missing")
    );
    let mut a = args();
    a.nextcloud_password = None;
    assert!(
        Config::from_args(a, Transport::Stdio)
            .unwrap_err()
            .to_string()
            .starts_with("NEXTCLOUD_PASSWORD is missing")
    );
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
        let err = Config::from_args(a, Transport::Stdio)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("NEXTCLOUD_HOST is invalid") && err.contains(needle),
            "{err}"
        );
    }
    let mut a = args();
    a.request_timeout = "0".into();
    assert!(
        Config::from_args(a, Transport::Stdio)
            .unwrap_err()
            .to_string()
            .contains("NEXTCLOUD_MCP_REQUEST_TIMEOUT")
    );
    let mut a = args();
    a.log_level = "[[[".into();
    assert!(
        Config::from_args(a, Transport::Stdio)
            .unwrap_err()
            .to_string()
            .contains("NEXTCLOUD_MCP_LOG_LEVEL")
    );
    // A word the filter syntax would take for a target name and log nothing.
    let mut a = args();
    a.log_level = "verbose".into();
    let error = Config::from_args(a, Transport::Stdio)
        .unwrap_err()
        .to_string();
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

#[test]
fn basic_mode_beyond_loopback_needs_the_setting_and_a_token() {
    const TOKEN: &str = "0123456789abcdef0123456789abcdef-token";
    let mode = Config::from_args(args(), Transport::Http).unwrap().mode;
    let remote: std::net::SocketAddr = "0.0.0.0:8000".parse().unwrap();
    let loopback: std::net::SocketAddr = "127.0.0.1:8000".parse().unwrap();
    let settings = |allow: Option<&str>, token: Option<&str>| {
        EdgeSettings::from_args(EdgeArgs {
            basic_allow_remote: allow.map(Into::into),
            basic_token: token.map(Into::into),
            ..EdgeArgs::default()
        })
        .unwrap()
    };
    assert!(
        settings(None, None)
            .basic_bearer(&mode, loopback)
            .unwrap()
            .is_none()
    );
    let open = settings(None, None)
        .basic_bearer(&mode, remote)
        .unwrap_err();
    assert!(
        open.to_string()
            .contains("NEXTCLOUD_MCP_BASIC_ALLOW_REMOTE"),
        "{open}"
    );
    let token_alone = settings(None, Some(TOKEN)).basic_bearer(&mode, remote);
    assert!(token_alone.is_err(), "the explicit setting is needed too");
    let no_token = settings(Some("true"), None)
        .basic_bearer(&mode, remote)
        .unwrap_err();
    assert!(
        no_token
            .to_string()
            .starts_with("NEXTCLOUD_MCP_BASIC_TOKEN is missing")
    );
    let both = settings(Some("true"), Some(TOKEN));
    assert!(both.basic_bearer(&mode, remote).unwrap().is_some());
    assert!(!format!("{both:?}").contains(TOKEN));
}

#[test]
fn multi_user_basic_beyond_loopback_must_be_asked_for_and_has_no_static_token() {
    let mode = AuthMode::MultiUserBasic;
    let remote: std::net::SocketAddr = "0.0.0.0:8000".parse().unwrap();
    let loopback: std::net::SocketAddr = "127.0.0.1:8000".parse().unwrap();
    let settings = |allow: Option<&str>, token: Option<&str>| {
        EdgeSettings::from_args(EdgeArgs {
            basic_allow_remote: allow.map(Into::into),
            basic_token: token.map(Into::into),
            ..EdgeArgs::default()
        })
        .unwrap()
    };
    assert!(
        settings(None, None)
            .basic_bearer(&mode, loopback)
            .unwrap()
            .is_none()
    );
    let open = settings(None, None)
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
        settings(Some("true"), None)
            .basic_bearer(&mode, remote)
            .unwrap()
            .is_none()
    );
    let token = settings(None, Some("0123456789abcdef0123456789abcdef-token"))
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
    let err = Config::from_args(a, Transport::Stdio)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("NEXTCLOUD_MCP_AUTH_MODE is invalid"),
        "{err}"
    );
    assert!(
        err.contains("multi-user-basic needs HTTP") && err.contains("stdio"),
        "{err}"
    );
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

const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

fn with_mode(mut a: CommonArgs, mode: &str) -> CommonArgs {
    a.mode.auth_mode = Some(mode.into());
    a
}

#[test]
fn auth_mode_names_the_mode_and_agrees_with_older_settings() {
    // Without the setting, the older ones decide as before.
    assert_eq!(
        Config::from_args(args(), Transport::Http)
            .unwrap()
            .mode
            .name(),
        "basic"
    );
    // Named explicitly, each mode comes out as named.
    let mut a = with_mode(oauth_args("false"), "exchange");
    a.oauth.enable_token_exchange = None;
    assert_eq!(
        Config::from_args(a, Transport::Http).unwrap().mode.name(),
        "token-exchange"
    );
    let mut a = with_mode(oauth_args("false"), "pass-through");
    a.oauth.enable_token_exchange = None;
    assert_eq!(
        Config::from_args(a, Transport::Http).unwrap().mode.name(),
        "pass-through"
    );
    assert_eq!(
        Config::from_args(with_mode(args(), "basic"), Transport::Stdio)
            .unwrap()
            .mode
            .name(),
        "basic"
    );
    let mut a = with_mode(oauth_args("false"), "login-flow");
    a.store.enable_progressive_consent = None;
    a.store.token_encryption_key = Some(KEY.into());
    a.mode.login_flow_owner_claim = Some("email".into());
    a.mode.login_flow_user_map = vec!["sub-1=alice".into()];
    let config = Config::from_args(a, Transport::Http).unwrap();
    let AuthMode::LoginFlow(policy) = &config.mode else {
        panic!("{:?}", config.mode)
    };
    assert_eq!(
        policy.owner.claim,
        crate::domain::login_flow::OwnerClaim::Email
    );
    assert_eq!(
        policy.owner.mapping.get("sub-1").map(String::as_str),
        Some("alice")
    );
    assert!(config.oauth.is_some() && !config.store.progressive_consent);
    let mut a = with_mode(args(), "multi-user-basic");
    a.nextcloud_username = None;
    a.nextcloud_password = None;
    let config = Config::from_args(a, Transport::Http).unwrap();
    assert!(matches!(config.mode, AuthMode::MultiUserBasic) && config.oauth.is_none());
}

#[test]
fn a_contradiction_between_settings_stops_the_start() {
    let contradiction = |a: CommonArgs, transport: Transport, needle: &str| {
        let err = Config::from_args(a, transport).unwrap_err().to_string();
        assert!(
            err.starts_with("NEXTCLOUD_MCP_AUTH_MODE is invalid"),
            "{err}"
        );
        assert!(err.contains(needle), "{err}");
    };
    contradiction(
        with_mode(oauth_args("true"), "basic"),
        Transport::Http,
        "ENABLE_TOKEN_EXCHANGE=true",
    );
    contradiction(
        with_mode(oauth_args("false"), "basic"),
        Transport::Http,
        "NEXTCLOUD_OIDC_CLIENT_ID",
    );
    contradiction(
        with_mode(oauth_args("true"), "pass-through"),
        Transport::Http,
        "ENABLE_TOKEN_EXCHANGE=true",
    );
    contradiction(
        with_mode(oauth_args("false"), "exchange"),
        Transport::Http,
        "ENABLE_TOKEN_EXCHANGE=false",
    );
    contradiction(
        with_mode(oauth_args("true"), "login-flow"),
        Transport::Http,
        "ENABLE_TOKEN_EXCHANGE=true",
    );
    let mut a = with_mode(oauth_args("false"), "login-flow");
    a.oauth.enable_token_exchange = None;
    a.store.enable_progressive_consent = Some("true".into());
    contradiction(a, Transport::Http, "ENABLE_PROGRESSIVE_CONSENT=true");
    contradiction(
        with_mode(args(), "multi-user-basic"),
        Transport::Http,
        "NEXTCLOUD_USERNAME",
    );
    let mut a = with_mode(oauth_args("false"), "multi-user-basic");
    a.oauth.enable_token_exchange = None;
    contradiction(a, Transport::Http, "identity provider");
    contradiction(
        with_mode(oauth_args("false"), "login-flow"),
        Transport::Stdio,
        "stdio",
    );
    contradiction(
        with_mode(args(), "kerberos"),
        Transport::Http,
        "'kerberos' is not",
    );
    // A mode that needs the IdP says which setting is missing.
    let err = Config::from_args(with_mode(args(), "exchange"), Transport::Http)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("NEXTCLOUD_OIDC_CLIENT_ID is missing"),
        "{err}"
    );
}

#[test]
fn login_flow_needs_a_key_and_valid_own_settings() {
    let base = || {
        let mut a = with_mode(oauth_args("false"), "login-flow");
        a.oauth.enable_token_exchange = None;
        a.store.enable_progressive_consent = None;
        a.store.token_encryption_key = Some(KEY.into());
        a
    };
    let mut a = base();
    a.store.token_encryption_key = None;
    let err = Config::from_args(a, Transport::Http)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("TOKEN_ENCRYPTION_KEY is missing"), "{err}");
    for (patch, needle) in [
        (
            (|a: &mut CommonArgs| a.mode.login_flow_owner_claim = Some("sub".into()))
                as fn(&mut CommonArgs),
            "NEXTCLOUD_MCP_LOGIN_FLOW_OWNER_CLAIM is invalid",
        ),
        (
            |a: &mut CommonArgs| a.mode.login_flow_user_map = vec!["no-equals".into()],
            "NEXTCLOUD_MCP_LOGIN_FLOW_USER_MAP is invalid",
        ),
        (
            |a: &mut CommonArgs| a.mode.login_flow_user_map = vec!["s=a".into(), "s=b".into()],
            "NEXTCLOUD_MCP_LOGIN_FLOW_USER_MAP is invalid",
        ),
        (
            |a: &mut CommonArgs| a.mode.login_flow_poll_interval = Some("0".into()),
            "NEXTCLOUD_MCP_LOGIN_FLOW_POLL_INTERVAL is invalid",
        ),
        (
            |a: &mut CommonArgs| a.mode.app_password_rotation = Some("30".into()),
            "NEXTCLOUD_MCP_APP_PASSWORD_ROTATION is invalid",
        ),
    ] {
        let mut a = base();
        patch(&mut a);
        let err = Config::from_args(a, Transport::Http)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with(needle), "{err}");
    }
    let mut a = base();
    a.mode.app_password_rotation = Some("86400".into());
    let AuthMode::LoginFlow(policy) = Config::from_args(a, Transport::Http).unwrap().mode else {
        panic!("login-flow expected")
    };
    assert_eq!(policy.rotate_every, Some(Duration::from_secs(86400)));
    assert_eq!(policy.poll_every, Duration::from_secs(5));
}

/// Every flag of every subcommand says what it is for in `--help`.
#[test]
fn every_argument_of_every_subcommand_has_help_text() {
    use clap::CommandFactory;
    fn walk(command: &clap::Command, path: &str, missing: &mut Vec<String>) {
        for arg in command.get_arguments() {
            let id = arg.get_id().as_str();
            if id != "help" && id != "version" && arg.get_help().is_none() {
                missing.push(format!("{path} {id}"));
            }
        }
        for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
            let path = format!("{path} {}", sub.get_name());
            if sub.get_about().is_none() {
                missing.push(format!("{path} (no description)"));
            }
            walk(sub, &path, missing);
        }
    }
    let mut command = Cli::command();
    command.build();
    let mut missing = Vec::new();
    walk(&command, "nextcloud-mcp", &mut missing);
    assert!(missing.is_empty(), "without help text: {missing:#?}");
}
