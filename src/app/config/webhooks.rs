//! Webhook settings: the receiver's secret and URL, reconcile, queue size.

use clap::Args;
use secrecy::SecretString;
use url::Url;

use super::{ConfigError, Transport, parse_absolute_url, parse_bool};

/// Events the queue holds for the worker unless NEXTCLOUD_MCP_WEBHOOK_QUEUE_SIZE says otherwise.
pub const DEFAULT_QUEUE_CAPACITY: usize = 1024;

/// Nextcloud webhooks (HTTP transport only); off unless WEBHOOK_SECRET is set.
#[derive(Args, Debug, Default)]
pub struct WebhookArgs {
    /// Shared secret Nextcloud sends with each delivery; setting it mounts the receiver at /webhooks/nextcloud.
    #[arg(long, env = "WEBHOOK_SECRET", hide_env_values = true)]
    pub webhook_secret: Option<String>,
    /// Public URL of this server's receiver as Nextcloud reaches it, e.g. https://mcp.example.com/webhooks/nextcloud.
    #[arg(long, env = "NEXTCLOUD_MCP_WEBHOOK_URL")]
    pub webhook_url: Option<String>,
    /// Compare registrations with Nextcloud at start and repair both ways (basic mode).
    #[arg(long, env = "NEXTCLOUD_MCP_WEBHOOK_RECONCILE_ON_START")]
    pub webhook_reconcile_on_start: Option<String>,
    /// Events waiting for the worker before deliveries are refused with 503.
    #[arg(long, env = "NEXTCLOUD_MCP_WEBHOOK_QUEUE_SIZE")]
    pub webhook_queue_size: Option<String>,
}

/// Webhook settings; `secret` is `None` when webhooks are off.
#[derive(Clone)]
pub struct WebhookConfig {
    pub secret: Option<SecretString>,
    pub receiver_url: Option<Url>,
    pub reconcile_on_start: bool,
    pub queue_capacity: usize,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        Self {
            secret: None,
            receiver_url: None,
            reconcile_on_start: false,
            queue_capacity: DEFAULT_QUEUE_CAPACITY,
        }
    }
}

impl std::fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("enabled", &self.secret.is_some())
            .field("receiver_url", &self.receiver_url.as_ref().map(Url::as_str))
            .field("reconcile_on_start", &self.reconcile_on_start)
            .field("queue_capacity", &self.queue_capacity)
            .finish()
    }
}

/// Off over stdio (no receiver can be mounted). The URL defaults to
/// /webhooks/nextcloud next to NEXTCLOUD_MCP_SERVER_URL when that is set.
pub(super) fn webhook_settings(
    args: WebhookArgs,
    transport: Transport,
    server_url: Option<&Url>,
) -> Result<WebhookConfig, ConfigError> {
    let invalid = |setting, reason: String| ConfigError::Invalid { setting, reason };
    let secret = args.webhook_secret.filter(|s| !s.trim().is_empty());
    if let Some(secret) = &secret
        && (secret.len() < 16 || !secret.bytes().all(|b| b.is_ascii_graphic()))
    {
        return Err(invalid(
            "WEBHOOK_SECRET",
            "use at least 16 visible ASCII characters without spaces (e.g. openssl rand -hex 32)"
                .into(),
        ));
    }
    let receiver_url = match args.webhook_url.filter(|u| !u.trim().is_empty()) {
        Some(raw) => Some(parse_absolute_url(&raw, "NEXTCLOUD_MCP_WEBHOOK_URL")?),
        None => server_url.map(|server| {
            let mut url = server.clone();
            url.set_path("/webhooks/nextcloud");
            url.set_query(None);
            url
        }),
    };
    let reconcile_on_start = match args.webhook_reconcile_on_start {
        Some(raw) => parse_bool(&raw, "NEXTCLOUD_MCP_WEBHOOK_RECONCILE_ON_START")?,
        None => false,
    };
    let queue_capacity = match args.webhook_queue_size.filter(|q| !q.trim().is_empty()) {
        Some(raw) => match raw.trim().parse::<usize>() {
            Ok(n) if (1..=1_000_000).contains(&n) => n,
            _ => {
                return Err(invalid(
                    "NEXTCLOUD_MCP_WEBHOOK_QUEUE_SIZE",
                    format!("'{raw}' is not a whole number between 1 and 1000000"),
                ));
            }
        },
        None => DEFAULT_QUEUE_CAPACITY,
    };
    Ok(WebhookConfig {
        secret: (transport == Transport::Http)
            .then_some(secret)
            .flatten()
            .map(SecretString::from),
        receiver_url,
        reconcile_on_start,
        queue_capacity,
    })
}
