//! Choosing the credential mode, contradictions between settings, and Login
//! Flow's own settings.

use super::*;

#[test]
fn auth_mode_names_the_mode_and_agrees_with_older_settings() {
    // Without the setting, the older ones decide as before.
    assert_eq!(mode_name(args(), Transport::Http), "basic");
    // Named explicitly, each mode comes out as named.
    let mut a = with_mode(oauth_args("false"), "exchange");
    a.oauth.enable_token_exchange = None;
    assert_eq!(mode_name(a, Transport::Http), "token-exchange");
    let mut a = with_mode(oauth_args("false"), "pass-through");
    a.oauth.enable_token_exchange = None;
    assert_eq!(mode_name(a, Transport::Http), "pass-through");
    assert_eq!(
        mode_name(with_mode(args(), "basic"), Transport::Stdio),
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
    let login_flow_with_consent = {
        let mut a = with_mode(oauth_args("false"), "login-flow");
        a.oauth.enable_token_exchange = None;
        a.store.enable_progressive_consent = Some("true".into());
        a
    };
    let multi_user_basic_with_idp = {
        let mut a = with_mode(oauth_args("false"), "multi-user-basic");
        a.oauth.enable_token_exchange = None;
        a
    };
    for (a, transport, needle) in [
        (
            with_mode(oauth_args("true"), "basic"),
            Transport::Http,
            "ENABLE_TOKEN_EXCHANGE=true",
        ),
        (
            with_mode(oauth_args("false"), "basic"),
            Transport::Http,
            "NEXTCLOUD_OIDC_CLIENT_ID",
        ),
        (
            with_mode(oauth_args("true"), "pass-through"),
            Transport::Http,
            "ENABLE_TOKEN_EXCHANGE=true",
        ),
        (
            with_mode(oauth_args("false"), "exchange"),
            Transport::Http,
            "ENABLE_TOKEN_EXCHANGE=false",
        ),
        (
            with_mode(oauth_args("true"), "login-flow"),
            Transport::Http,
            "ENABLE_TOKEN_EXCHANGE=true",
        ),
        (
            login_flow_with_consent,
            Transport::Http,
            "ENABLE_PROGRESSIVE_CONSENT=true",
        ),
        (
            with_mode(args(), "multi-user-basic"),
            Transport::Http,
            "NEXTCLOUD_USERNAME",
        ),
        (
            multi_user_basic_with_idp,
            Transport::Http,
            "identity provider",
        ),
        (
            with_mode(oauth_args("false"), "login-flow"),
            Transport::Stdio,
            "stdio",
        ),
        (
            with_mode(args(), "kerberos"),
            Transport::Http,
            "'kerberos' is not",
        ),
    ] {
        let err = refused_with(a, transport, "NEXTCLOUD_MCP_AUTH_MODE is invalid");
        assert!(err.contains(needle), "{err}");
    }
    // A mode that needs the IdP says which setting is missing.
    refused_with(
        with_mode(args(), "exchange"),
        Transport::Http,
        "NEXTCLOUD_OIDC_CLIENT_ID is missing",
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
    refused_with(a, Transport::Http, "TOKEN_ENCRYPTION_KEY is missing");
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
        refused_with(a, Transport::Http, needle);
    }
    let mut a = base();
    a.mode.app_password_rotation = Some("86400".into());
    let AuthMode::LoginFlow(policy) = Config::from_args(a, Transport::Http).unwrap().mode else {
        panic!("login-flow expected")
    };
    assert_eq!(policy.rotate_every, Some(Duration::from_secs(86400)));
    assert_eq!(policy.poll_every, Duration::from_secs(5));
}
