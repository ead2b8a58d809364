//! Webhook settings: validated, and off over stdio.

use super::*;

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
        refused_with(a, Transport::Http, needle);
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
    refused_with(a, Transport::Http, "NEXTCLOUD_MCP_SERVER_URL is invalid");
    // OAuth modes put the receiver next to the /mcp endpoint by default.
    let config = Config::from_args(oauth_args("true"), Transport::Http).unwrap();
    assert_eq!(
        config.webhooks.receiver_url.unwrap().as_str(),
        "https://mcp.example.com/webhooks/nextcloud"
    );
}
