//! Configuration: validation and the one-line errors, one file per topic.

use super::*;

mod basic;
mod exposure;
mod help;
mod modes;
mod oauth;
mod webhooks;

pub(super) fn args() -> CommonArgs {
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

pub(super) fn oauth_args(exchange: &str) -> CommonArgs {
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

pub(super) const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

pub(super) fn with_mode(mut a: CommonArgs, mode: &str) -> CommonArgs {
    a.mode.auth_mode = Some(mode.into());
    a
}

/// The one-line error the settings are refused with; the test fails if they
/// are accepted.
pub(super) fn refusal(a: CommonArgs, transport: Transport) -> String {
    Config::from_args(a, transport).unwrap_err().to_string()
}

/// Asserts the settings are refused with an error that starts with `prefix`
/// ("SETTING is missing", "SETTING is invalid"); returns it for further checks.
pub(super) fn refused_with(a: CommonArgs, transport: Transport, prefix: &str) -> String {
    let err = refusal(a, transport);
    assert!(err.starts_with(prefix), "{err}");
    err
}

/// The name of the credential mode the settings choose.
pub(super) fn mode_name(a: CommonArgs, transport: Transport) -> &'static str {
    Config::from_args(a, transport).unwrap().mode.name()
}
