//! Progressive consent end to end: the sign-in token on every request, offline-access tools
//! and callback against a wiremock IdP, refresh tokens sealed in a real SQLite
//! store, the background job refreshing with rotation, and the client registry.

use std::time::Duration;

use crate::support::e2e::*;
use crate::support::idp::*;
use crate::support::oauth::{OAuthWorld, Options, param, pass_through};
use nextcloud_mcp::app::wiring;
use nextcloud_mcp::domain::audit::AuditKind;
use nextcloud_mcp::domain::credential::AuthMode;
use nextcloud_mcp::service::offline::{AccessCheck, check_nextcloud_access, run_once};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use url::Url;
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, ResponseTemplate};

/// A world with a sealed store, and progressive consent in pass-through.
async fn world(mode: AuthMode, allowed_clients: Vec<String>) -> OAuthWorld {
    let options = Options {
        consent: true,
        allowed_clients,
        ..Options::default()
    };
    OAuthWorld::start_with(mode, options).await
}

#[tokio::test]
async fn flow_two_grants_stores_sealed_and_revokes() {
    let world = world(pass_through(), vec![]).await;
    world
        .idp_redeems_codes(ALICE, "flow2-access", "refresh-token-one")
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{REALM_PATH}/revoke")))
        .respond_with(ResponseTemplate::new(200))
        .mount(&world.idp.server)
        .await;
    let client = connect_with(&world.server, Some(&world.token(json!({})))).await;

    let status = assert_ok(
        "status",
        &call(&client, "check_provisioning_status", json!({})).await,
    );
    assert_eq!(status["provisioned"], false);

    let link = world.provision_link(&client).await;
    assert_eq!(param(&link, "code_challenge_method"), "S256");
    assert_eq!(param(&link, "code_challenge").len(), 43);
    assert_eq!(
        param(&link, "redirect_uri"),
        "https://mcp.example.test/oauth/callback"
    );
    assert!(
        param(&link, "scope")
            .split(' ')
            .any(|s| s == "offline_access")
    );
    assert!(
        !link.as_str().contains("code_verifier"),
        "the PKCE verifier never leaves the server"
    );
    let state = param(&link, "state");

    let wrong = world.callback("code=the-code&state=not-the-state").await;
    assert_eq!(wrong.status(), 400);
    let granted = world
        .callback(&format!("code=the-code&state={state}"))
        .await;
    assert_eq!(granted.status(), 200, "{}", granted.text().await.unwrap());
    let replay = world
        .callback(&format!("code=the-code&state={state}"))
        .await;
    assert_eq!(replay.status(), 400, "a state is single use");

    let status = assert_ok(
        "status",
        &call(&client, "check_provisioning_status", json!({})).await,
    );
    assert_eq!(status["provisioned"], true);
    let store = world.store().await;
    let grant = store
        .get_grant(ALICE, &world.idp.issuer)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(grant.refresh_token.expose_secret(), "refresh-token-one");
    let raw = std::fs::read(&world.store_path).unwrap();
    assert!(
        !raw.windows(17).any(|w| w == b"refresh-token-one"),
        "sealed at rest"
    );

    assert_ok(
        "revoke",
        &call(&client, "revoke_nextcloud_access", json!({})).await,
    );
    let revocations: Vec<_> = world
        .idp
        .server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path().ends_with("/revoke"))
        .collect();
    assert_eq!(revocations.len(), 1);
    let form = form_of(&revocations[0].body);
    assert_eq!(field(&form, "token"), Some("refresh-token-one"));
    assert_eq!(field(&form, "token_type_hint"), Some("refresh_token"));
    assert!(
        store
            .get_grant(ALICE, &world.idp.issuer)
            .await
            .unwrap()
            .is_none()
    );
    let again = call(&client, "revoke_nextcloud_access", json!({})).await;
    assert_tool_error("revoke", &again, "not provisioned");

    let kinds: Vec<AuditKind> = store
        .recent_audit(Some(ALICE.into()), 10)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    for kind in [
        AuditKind::ConsentStarted,
        AuditKind::Provisioned,
        AuditKind::Revoked,
    ] {
        assert!(kinds.contains(&kind), "{kinds:?}");
    }
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn a_consent_completed_by_another_user_stores_nothing() {
    let world = world(pass_through(), vec![]).await;
    world
        .idp_redeems_codes("someone-else", "flow2-access", "bobs-refresh-token")
        .await;
    let client = connect_with(&world.server, Some(&world.token(json!({})))).await;
    let state = param(&world.provision_link(&client).await, "state");
    let refused = world.callback(&format!("code=c&state={state}")).await;
    assert_eq!(refused.status(), 400);
    assert!(refused.text().await.unwrap().contains("another user"));
    let store = world.store().await;
    assert!(store.list_provisioned().await.unwrap().is_empty());
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn the_background_job_refreshes_and_stores_the_rotated_token() {
    let world = world(pass_through(), vec![]).await;
    world
        .idp_redeems_codes(ALICE, "flow2-access", "refresh-token-one")
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{REALM_PATH}/token")))
        .and(body_string_contains("grant_type=refresh_token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "job-access", "token_type": "Bearer", "expires_in": 300,
            "refresh_token": "refresh-token-two"
        })))
        .mount(&world.idp.server)
        .await;
    let client = connect_with(&world.server, Some(&world.token(json!({})))).await;
    let state = param(&world.provision_link(&client).await, "state");
    assert_eq!(
        world
            .callback(&format!("code=c&state={state}"))
            .await
            .status(),
        200
    );

    // The job runs on its own wiring of the same store, as a replica would.
    let wired = wiring::wire(&world.replica_config()).await.unwrap();
    let report = run_once(wired.offline.as_ref().unwrap()).await.unwrap();
    assert_eq!((report.refreshed, report.failed), (1, 0));

    let refreshes: Vec<_> = world
        .idp
        .server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| String::from_utf8_lossy(&r.body).contains("grant_type=refresh_token"))
        .collect();
    assert_eq!(
        field(&form_of(&refreshes[0].body), "refresh_token"),
        Some("refresh-token-one")
    );
    let store = world.store().await;
    let grant = store
        .get_grant(ALICE, &world.idp.issuer)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        grant.refresh_token.expose_secret(),
        "refresh-token-two",
        "rotation is stored"
    );
    let kinds: Vec<AuditKind> = store
        .recent_audit(Some(ALICE.into()), 10)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert!(kinds.contains(&AuditKind::Refreshed), "{kinds:?}");

    // A job reaches Nextcloud with the refreshed access token, not the stored one.
    Mock::given(method("GET"))
        .and(path("/ocs/v2.php/cloud/user"))
        .and(wiremock::matchers::header(
            "Authorization",
            "Bearer job-access",
        ))
        .respond_with(
            crate::support::fixtures::load("ocs-capabilities", "06-current-user-v2")
                .response
                .template(),
        )
        .mount(&world.nextcloud)
        .await;
    let connector = nextcloud_mcp::adapters::nextcloud::HttpNextcloud::new(
        Url::parse(&world.nextcloud.uri()).unwrap(),
        Duration::from_secs(5),
    )
    .unwrap();
    let offline = wired.offline.as_ref().unwrap();
    assert_eq!(
        check_nextcloud_access(offline, &connector, ALICE).await,
        AccessCheck::Works {
            nextcloud_user: "admin".into()
        }
    );

    // After revocation the job fails cleanly, saying why.
    Mock::given(method("POST"))
        .and(path(format!("{REALM_PATH}/revoke")))
        .respond_with(ResponseTemplate::new(200))
        .mount(&world.idp.server)
        .await;
    assert_ok(
        "revoke",
        &call(&client, "revoke_nextcloud_access", json!({})).await,
    );
    match check_nextcloud_access(offline, &connector, ALICE).await {
        AccessCheck::Failed { reason } => assert!(
            reason.contains("has not granted offline access"),
            "{reason}"
        ),
        other => panic!("expected a failure, got {other:?}"),
    }
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn provisioning_tools_exist_only_in_pass_through_with_consent() {
    let world_pt = world(pass_through(), vec![]).await;
    let client = connect_with(&world_pt.server, Some(&world_pt.token(json!({})))).await;
    let names: Vec<String> = client
        .list_all_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name.to_string())
        .collect();
    assert!(
        names.contains(&"provision_nextcloud_access".to_string()),
        "{names:?}"
    );
    client.cancel().await.unwrap();

    let world_ex = world(
        AuthMode::Exchange {
            nextcloud_audience: "nextcloud".into(),
        },
        vec![],
    )
    .await;
    let client = connect_with(&world_ex.server, Some(&world_ex.token(json!({})))).await;
    let names: Vec<String> = client
        .list_all_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name.to_string())
        .collect();
    assert!(!names.iter().any(|n| n.contains("provision")), "{names:?}");
    client.cancel().await.unwrap();
    let callback = reqwest::get(format!(
        "{}/oauth/callback?code=c&state=s",
        world_ex.server.base_url
    ))
    .await
    .unwrap();
    assert_eq!(callback.status(), 404, "no callback route without consent");
}

#[tokio::test]
async fn only_registered_clients_may_call() {
    let world = world(pass_through(), vec!["claude-desktop".into()]).await;
    let registered = world.token(json!({}));
    let client = connect_with(&world.server, Some(&registered)).await;
    assert!(!client.list_all_tools().await.unwrap().is_empty());
    client.cancel().await.unwrap();

    let stranger = world.token(json!({"azp": "unknown-agent"}));
    let refused = reqwest::Client::new()
        .post(world.server.mcp_url())
        .bearer_auth(&stranger)
        .header("Accept", "application/json, text/event-stream")
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    let challenge = refused.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(challenge.contains("ALLOWED_MCP_CLIENTS"), "{challenge}");
}

#[tokio::test]
async fn misuse_of_the_callback_is_refused_and_stores_nothing() {
    use nextcloud_mcp::domain::consent::PendingConsent;
    use nextcloud_mcp::domain::time::UnixTime;
    let world = world(pass_through(), vec![]).await;
    // The IdP refuses the code, as it does when the PKCE verifier does not match.
    Mock::given(method("POST"))
        .and(path(format!("{REALM_PATH}/token")))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": "invalid_grant", "error_description": "PKCE verification failed"
        })))
        .mount(&world.idp.server)
        .await;
    let store = world.store().await;

    let no_state = world.callback("code=c").await;
    assert_eq!(no_state.status(), 400);
    let no_code = world.callback("state=s").await;
    assert_eq!(no_code.status(), 400);
    let denied = world.callback("error=access_denied&state=s").await;
    assert_eq!(denied.status(), 400);
    assert!(denied.text().await.unwrap().contains("access_denied"));

    // An expired state is refused even though it exists, and is used up.
    store
        .save_pending(&PendingConsent {
            subject: ALICE.into(),
            provider: world.idp.issuer.clone(),
            state: "expired-state".into(),
            pkce_verifier: SecretString::from("verifier"),
            scopes: vec!["openid".into()],
            expires_at: UnixTime(1),
            client_id: None,
        })
        .await
        .unwrap();
    assert_eq!(
        world.callback("code=c&state=expired-state").await.status(),
        400
    );
    assert!(store.take_pending("expired-state").await.unwrap().is_none());

    // A wrong verifier: the IdP's refusal is shown, nothing is stored.
    let client = connect_with(&world.server, Some(&world.token(json!({})))).await;
    let state = param(&world.provision_link(&client).await, "state");
    let refused = world.callback(&format!("code=c&state={state}")).await;
    assert_eq!(refused.status(), 400);
    assert!(refused.text().await.unwrap().contains("invalid_grant"));
    assert!(store.list_provisioned().await.unwrap().is_empty());
    let redemptions = requests_to(&world.idp.server, |p| p.ends_with("/token")).await;
    assert_eq!(redemptions, 1, "only the live state reached the IdP");
    client.cancel().await.unwrap();
}
