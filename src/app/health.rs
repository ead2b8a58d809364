//! `nextcloud-mcp health`: asks a running server's `/healthz`, for container
//! health checks in an image that has no curl.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use crate::app::config::parse_listen;

/// The URL to ask: `--url` when given, else `/healthz` on the listen address,
/// with a wildcard address (0.0.0.0, ::) replaced by loopback.
pub fn target(url: Option<&str>, listen: &str) -> Result<String, String> {
    if let Some(url) = url {
        return Ok(url.to_string());
    }
    let mut address: SocketAddr = parse_listen(listen).map_err(|e| e.to_string())?;
    if address.ip().is_unspecified() {
        address.set_ip(match address.ip() {
            IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::LOCALHOST),
        });
    }
    Ok(format!("http://{address}/healthz"))
}

/// Ok with a one-line summary when the server answers 200, else the reason.
pub async fn check(url: &str) -> Result<String, String> {
    crate::adapters::tls::install_crypto_provider();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .map_err(|e| format!("cannot build an HTTP client: {e}"))?;
    let response = client
        .get(url)
        .send()
        .await
        .map_err(|e| format!("{url} did not answer: {e}"))?;
    let status = response.status();
    if status == reqwest::StatusCode::OK {
        Ok(format!("{url}: healthy"))
    } else {
        Err(format!("{url} answered {status}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_target_is_healthz_on_the_listen_address_over_loopback() {
        assert_eq!(
            target(None, "0.0.0.0:8080").unwrap(),
            "http://127.0.0.1:8080/healthz"
        );
        assert_eq!(
            target(None, "[::]:8000").unwrap(),
            "http://[::1]:8000/healthz"
        );
        assert_eq!(
            target(None, "10.0.0.5:8000").unwrap(),
            "http://10.0.0.5:8000/healthz"
        );
        assert_eq!(
            target(Some("http://x/healthz"), "nope").unwrap(),
            "http://x/healthz"
        );
        assert!(target(None, "nope").is_err());
    }
}
