//! Names a failed host-name lookup as such. "cannot connect" sends an
//! operator to firewalls and ports when the name in a setting is what is
//! wrong (a typo, an internal name used from outside, a missing DNS entry).

/// The host whose name did not resolve, when that is why `error` happened.
pub fn unresolved_host(error: &reqwest::Error) -> Option<String> {
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        // hyper-util's connector has no public error type; it names the
        // lookup step "dns error" (a test pins this down offline).
        if cause.to_string() == "dns error" {
            let host = error
                .url()
                .and_then(|u| u.host_str())
                .unwrap_or("of the request");
            return Some(host.to_owned());
        }
        source = cause.source();
    }
    None
}

/// Whether `host` names nothing: asked only after a connection failed, so a
/// working setting costs no lookup.
pub async fn does_not_resolve(host: &str, port: u16) -> bool {
    tokio::net::lookup_host((host, port)).await.is_err()
}

#[cfg(test)]
mod tests {
    use super::*;

    // `.invalid` never resolves (RFC 6761), with or without a network.
    #[tokio::test]
    async fn a_name_that_does_not_resolve_is_named() {
        crate::adapters::tls::install_crypto_provider();
        let error = reqwest::Client::new()
            .get("http://nonexistent.invalid/status.php")
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            unresolved_host(&error).as_deref(),
            Some("nonexistent.invalid")
        );
        assert!(does_not_resolve("nonexistent.invalid", 443).await);
    }

    #[tokio::test]
    async fn a_refused_connection_is_not_a_lookup_failure() {
        // A port nobody listens on: bind, note the port, close.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        crate::adapters::tls::install_crypto_provider();
        let error = reqwest::Client::new()
            .get(format!("http://127.0.0.1:{port}/"))
            .send()
            .await
            .unwrap_err();
        assert!(error.is_connect());
        assert_eq!(unresolved_host(&error), None);
        assert!(!does_not_resolve("127.0.0.1", port).await);
    }
}
