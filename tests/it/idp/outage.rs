//! An IdP outage after the discovery and JWKS TTLs: one refresh is tried,
//! the failure is remembered, and every other request is served from the
//! stale document and keys at once.

use std::time::{Duration, Instant};

use crate::support::idp::*;
use nextcloud_mcp::adapters::idp::OidcProvider;
use nextcloud_mcp::ports::identity::IdentityProvider;
use wiremock::matchers::any;
use wiremock::{Mock, ResponseTemplate};

#[tokio::test]
async fn a_failed_refresh_backs_off_and_serves_the_stale_keys() {
    let key = TestKey::rsa("rsa-a.pem", "a");
    let idp = FakeIdp::start().await;
    idp.serve_jwks(&[&key]).await;
    let mut config = idp.config();
    // Everything is due for a refresh on every use.
    config.discovery_ttl = Duration::ZERO;
    config.jwks_max_age = Duration::ZERO;
    config.http_timeout = Duration::from_millis(500);
    let provider = OidcProvider::new(&config).unwrap();
    let token = key.sign(&idp.claims());
    provider.verify_access_token(&token).await.expect("IdP up");

    // The IdP stops answering in time.
    idp.server.reset().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&idp.server)
        .await;
    let started = Instant::now();
    for _ in 0..8 {
        provider
            .verify_access_token(&token)
            .await
            .expect("served from the stale document and keys");
    }
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_secs(2),
        "8 requests took {elapsed:?}: each waited for the IdP"
    );
    let asked = idp
        .server
        .received_requests()
        .await
        .unwrap_or_default()
        .len();
    assert!(asked <= 2, "{asked} requests reached the down IdP");
}
