//! Once running, an identity provider outage shows in `/readyz`: 503 naming
//! the identity provider while its discovery fails, 200 again once it
//! answers. The server caches the discovery document, so only a check that
//! asks the IdP again can see the outage.

use std::time::Duration;

use nextcloud_mcp::service::readiness::ANSWER_FRESH_FOR;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::support::e2e::requests_to;
use crate::support::idp::REALM_PATH;
use crate::support::oauth::{OAuthWorld, pass_through};

/// Waits out the answer the last probe left, so the next one asks again.
async fn after_the_last_answer() {
    tokio::time::sleep(ANSWER_FRESH_FOR + Duration::from_millis(100)).await;
}

#[tokio::test]
async fn an_idp_outage_after_start_shows_in_readyz_and_clears_when_it_answers() {
    let world = OAuthWorld::start(pass_through()).await;
    world.nextcloud_answers_status().await;
    let (status, body) = world.readyz().await;
    assert_eq!(status, 200, "{body}");
    // The start fetched the discovery document and the server keeps it:
    // only a check that asks the IdP again can see what follows.

    // The IdP goes down for one request (the next readiness check): its
    // discovery answers 503 ahead of the normal mock, then answers again.
    Mock::given(method("GET"))
        .and(path(format!(
            "{REALM_PATH}/.well-known/openid-configuration"
        )))
        .respond_with(ResponseTemplate::new(503))
        .with_priority(1)
        .up_to_n_times(1)
        .mount(&world.idp.server)
        .await;
    after_the_last_answer().await;
    let (status, body) = world.readyz().await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], "not ready", "{body}");
    let reason = body["reason"].as_str().unwrap();
    assert!(reason.contains("identity provider"), "{reason}");
    assert!(reason.contains("503"), "{reason}");

    // It answers again: readiness follows without a restart.
    after_the_last_answer().await;
    let (status, body) = world.readyz().await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "ready", "{body}");
}

#[tokio::test]
async fn probes_that_arrive_together_make_one_check() {
    let world = OAuthWorld::start(pass_through()).await;
    world.nextcloud_answers_status().await;
    let discoveries = || {
        requests_to(&world.idp.server, |p| {
            p.ends_with("/.well-known/openid-configuration")
        })
    };
    let status_checks = || requests_to(&world.nextcloud, |p| p == "/status.php");
    let (idp_before, nc_before) = (discoveries().await, status_checks().await);

    // /readyz needs no credential: twenty probes at once must not become
    // twenty requests to the IdP and twenty to Nextcloud.
    let answers = futures::future::join_all((0..20).map(|_| world.readyz())).await;
    for (status, body) in answers {
        assert_eq!(status, 200, "{body}");
    }
    assert_eq!(discoveries().await - idp_before, 1);
    assert_eq!(status_checks().await - nc_before, 1);

    // Once the answer is older than that, a probe asks again.
    after_the_last_answer().await;
    let (status, body) = world.readyz().await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(discoveries().await - idp_before, 2);
}
