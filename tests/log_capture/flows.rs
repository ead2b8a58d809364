//! The flows whose secrets the log must never show: basic mode with an app
//! password, OAuth pass-through, token exchange (successful and failed),
//! refused tokens, progressive consent, login-flow mode and multi-user basic
//! mode, each recording the secrets it handled.

use super::Secrets;
use std::time::Duration;

use crate::support::e2e::*;
use crate::support::idp::*;
use crate::support::oauth::{
    NEXTCLOUD_AUDIENCE, OAuthWorld, Options, exchange, mcp_request, param, pass_through, tool_call,
};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use nextcloud_mcp::app::wiring;
use nextcloud_mcp::domain::credential::AuthMode;
use nextcloud_mcp::service::offline::run_once;
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const APP_PASSWORD: &str = "app-pass-SECRET-1";
const EXCHANGED: &str = "exchanged-SECRET-2";
const CODE: &str = "code-SECRET-3";
const REFRESH: &str = "refresh-SECRET-4";
const FLOW2_ACCESS: &str = "flow2-access-SECRET-5";
const OPAQUE: &str = "opaque-SECRET-6";
const JOB_ACCESS: &str = "job-access-SECRET-7";
const ROTATED_REFRESH: &str = "refresh-rotated-SECRET-8";
const BAD_CODE: &str = "badcode-SECRET-9";
const NOTES: &str = "^/index.php/apps/notes/api/v1/notes";

pub(super) async fn basic_mode(secrets: &mut Secrets) {
    secrets.add("app password", APP_PASSWORD);
    secrets.add(
        "Basic auth header value",
        STANDARD.encode(format!("admin:{APP_PASSWORD}")),
    );
    let nc = MockServer::start().await;
    serve_capture(&nc, "GET", &format!("{NOTES}/213$"), "notes", "07-get").await;
    serve_capture(
        &nc,
        "GET",
        &format!("{NOTES}/999999$"),
        "notes",
        "20-get-missing-404",
    )
    .await;
    // Nextcloud rejects the credential for the list and for WebDAV.
    serve_capture(
        &nc,
        "GET",
        &format!("{NOTES}$"),
        "errors",
        "09-notes-bad-credentials",
    )
    .await;
    serve_capture(
        &nc,
        "PROPFIND",
        "^/remote.php/dav/",
        "errors",
        "05-dav-bad-credentials",
    )
    .await;
    serve_capture(
        &nc,
        "GET",
        "^/ocs/v2.php/cloud/user$",
        "ocs-capabilities",
        "06-current-user-v2",
    )
    .await;
    catch_all(&nc).await;

    let mut config = basic_config(&nc.uri(), Duration::from_secs(5));
    config.mode = AuthMode::Basic {
        username: "admin".into(),
        app_password: SecretString::from(APP_PASSWORD),
    };
    let server = start_server(config).await;
    let client = connect(&server).await;
    let note = call(&client, "nc_notes_get_note", json!({"note_id": 213})).await;
    assert_eq!(assert_ok("get", &note)["title"], "Groceries");
    let missing = call(&client, "nc_notes_get_note", json!({"note_id": 999999})).await;
    assert_tool_error("get missing", &missing, "does not exist");
    let rejected = call(&client, "nc_notes_list_notes", json!({})).await;
    assert_tool_error("list", &rejected, "rejected the credential");
    let rejected = call(&client, "nc_webdav_list_directory", json!({"path": "/"})).await;
    assert_tool_error("ls", &rejected, "rejected the credential");
    let ready = reqwest::get(format!("{}/readyz", server.base_url))
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    client.cancel().await.unwrap();
    server.shutdown().await;
    let sent = nc.received_requests().await.unwrap();
    assert!(
        sent.iter()
            .any(|r| r.headers.get("authorization").is_some()),
        "the app password was really used"
    );
}

impl OAuthWorld {
    /// A token of the shared world, recorded as a secret under `name`.
    fn recorded_token(&self, secrets: &mut Secrets, name: &str, patch: Value) -> String {
        let token = self.token(patch);
        secrets.add_jwt(name, &token);
        token
    }
}

fn requests_to(requests: &[wiremock::Request], suffix: &str) -> usize {
    requests
        .iter()
        .filter(|r| r.url.path().ends_with(suffix))
        .count()
}

pub(super) async fn oauth_pass_through(secrets: &mut Secrets) {
    let world = OAuthWorld::start(pass_through()).await;
    world.idp_finds_every_opaque_token_inactive().await;

    let both = world.recorded_token(
        secrets,
        "pass-through token",
        json!({"aud": [CLIENT_ID, RESOURCE, NEXTCLOUD_AUDIENCE]}),
    );
    world.nextcloud_accepts(&both).await;
    let client = connect_with(&world.server, Some(&both)).await;
    let note = call(&client, "nc_notes_get_note", json!({"note_id": 213})).await;
    assert_eq!(assert_ok("get", &note)["title"], "Groceries");
    client.cancel().await.unwrap();
    let forwarded = world.nextcloud.received_requests().await.unwrap();
    assert!(
        requests_to(&forwarded, "/213") > 0,
        "the call was forwarded"
    );

    // A token for this server only: the tool refuses to forward it.
    let only_us = world.recorded_token(secrets, "token not naming Nextcloud", json!({}));
    let client = connect_with(&world.server, Some(&only_us)).await;
    let refused = call(&client, "nc_notes_get_note", json!({"note_id": 213})).await;
    assert_tool_error("get", &refused, "audience");
    client.cancel().await.unwrap();

    // Refused at the edge: wrong audience, missing scope, opaque and inactive.
    let foreign = world.recorded_token(
        secrets,
        "wrong-audience token",
        json!({"aud": ["some-other-service"]}),
    );
    let response = world
        .post_mcp(
            Some(&foreign),
            tool_call("nc_notes_get_note", json!({"note_id": 213})),
        )
        .await;
    assert_eq!(response.status(), 401);
    let response = world
        .post_mcp(
            Some(&both),
            tool_call("nc_notes_delete_note", json!({"note_id": 213})),
        )
        .await;
    assert_eq!(response.status(), 403);
    secrets.add("opaque token", OPAQUE);
    let response = world
        .post_mcp(
            Some(OPAQUE),
            tool_call("nc_notes_get_note", json!({"note_id": 213})),
        )
        .await;
    assert_eq!(response.status(), 401);
    let asked = world.idp.server.received_requests().await.unwrap();
    assert_eq!(requests_to(&asked, "/introspect"), 1);
}

pub(super) async fn oauth_exchange(secrets: &mut Secrets) {
    secrets.add("exchanged token", EXCHANGED);
    let world = OAuthWorld::start(exchange()).await;
    Mock::given(method("POST"))
        .and(path(format!("{REALM_PATH}/token")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": EXCHANGED,
            "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
            "token_type": "Bearer",
            "expires_in": 300
        })))
        .mount(&world.idp.server)
        .await;
    world.nextcloud_accepts(EXCHANGED).await;
    let subject = world.recorded_token(secrets, "exchange subject token", json!({}));
    let client = connect_with(&world.server, Some(&subject)).await;
    let note = call(&client, "nc_notes_get_note", json!({"note_id": 213})).await;
    assert_eq!(assert_ok("get", &note)["title"], "Groceries");
    client.cancel().await.unwrap();
    let asked = world.idp.server.received_requests().await.unwrap();
    assert_eq!(requests_to(&asked, "/token"), 1, "one exchange");

    // A failed exchange.
    let world = OAuthWorld::start(exchange()).await;
    Mock::given(method("POST"))
        .and(path(format!("{REALM_PATH}/token")))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": "access_denied",
            "error_description": "Client not allowed to exchange"
        })))
        .mount(&world.idp.server)
        .await;
    let subject = world.recorded_token(
        secrets,
        "failed-exchange subject token",
        json!({"aud": [CLIENT_ID, RESOURCE, NEXTCLOUD_AUDIENCE]}),
    );
    let client = connect_with(&world.server, Some(&subject)).await;
    let result = call(&client, "nc_notes_get_note", json!({"note_id": 213})).await;
    assert_tool_error("get", &result, "access_denied");
    client.cancel().await.unwrap();
}

pub(super) async fn progressive_consent(secrets: &mut Secrets) {
    for (name, value) in [
        ("authorization code", CODE),
        ("refused authorization code", BAD_CODE),
        ("refresh token", REFRESH),
        ("rotated refresh token", ROTATED_REFRESH),
        ("offline-access access token", FLOW2_ACCESS),
        ("background job access token", JOB_ACCESS),
    ] {
        secrets.add(name, value);
    }
    let options = Options {
        consent: true,
        ..Options::default()
    };
    let world = OAuthWorld::start_with(pass_through(), options).await;
    Mock::given(method("POST"))
        .and(path(format!("{REALM_PATH}/token")))
        .and(body_string_contains("grant_type=authorization_code"))
        .and(body_string_contains(format!("code={BAD_CODE}")))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": "invalid_grant", "error_description": "Code not valid"
        })))
        .with_priority(1)
        .mount(&world.idp.server)
        .await;
    let id_token = world.idp_redeems_codes(ALICE, FLOW2_ACCESS, REFRESH).await;
    secrets.add_jwt("ID token from code redemption", &id_token);
    Mock::given(method("POST"))
        .and(path(format!("{REALM_PATH}/token")))
        .and(body_string_contains("grant_type=refresh_token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": JOB_ACCESS, "token_type": "Bearer", "expires_in": 300,
            "refresh_token": ROTATED_REFRESH
        })))
        .mount(&world.idp.server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{REALM_PATH}/revoke")))
        .respond_with(ResponseTemplate::new(200))
        .mount(&world.idp.server)
        .await;

    let flow1 = world.recorded_token(secrets, "sign-in token", json!({}));
    let client = connect_with(&world.server, Some(&flow1)).await;

    // A callback with a state nobody issued, then one the IdP refuses.
    let wrong = world
        .callback(&format!("code={CODE}&state=not-the-state"))
        .await;
    assert_eq!(wrong.status(), 400);
    let state = param(&world.provision_link(&client).await, "state");
    let refused = world
        .callback(&format!("code={BAD_CODE}&state={state}"))
        .await;
    assert_eq!(refused.status(), 400);

    // The real grant.
    let state = param(&world.provision_link(&client).await, "state");
    let granted = world.callback(&format!("code={CODE}&state={state}")).await;
    assert_eq!(granted.status(), 200, "{}", granted.text().await.unwrap());
    let status = assert_ok(
        "status",
        &call(&client, "check_provisioning_status", json!({})).await,
    );
    assert_eq!(status["provisioned"], true);

    // The PKCE verifiers never left the server except to the token endpoint:
    // take them from what the IdP received.
    let asked = world.idp.server.received_requests().await.unwrap();
    let redemptions: Vec<_> = asked
        .iter()
        .filter(|r| String::from_utf8_lossy(&r.body).contains("grant_type=authorization_code"))
        .collect();
    assert_eq!(redemptions.len(), 2);
    for (i, redemption) in redemptions.iter().enumerate() {
        let form = form_of(&redemption.body);
        let verifier = field(&form, "code_verifier").expect("a PKCE verifier");
        assert!(verifier.len() >= 43);
        secrets.add(format!("PKCE verifier #{}", i + 1), verifier);
    }

    // The background job refreshes (rotating the refresh token) on its own wiring.
    let wired = wiring::wire(&world.replica_config()).await.unwrap();
    let report = run_once(wired.offline.as_ref().unwrap()).await.unwrap();
    assert_eq!((report.refreshed, report.failed), (1, 0));

    assert_ok(
        "revoke",
        &call(&client, "revoke_nextcloud_access", json!({})).await,
    );
    let asked = world.idp.server.received_requests().await.unwrap();
    assert_eq!(requests_to(&asked, "/revoke"), 1);
    client.cancel().await.unwrap();
}

/// Login-flow mode: connect (flow start, polls, the granted app password),
/// use, a refused account of someone else, revocation at Nextcloud, revoke.
pub(super) async fn login_flow_mode(secrets: &mut Secrets) {
    use nextcloud_mcp::domain::credential::LoginFlowPolicy;
    use nextcloud_mcp::domain::login_flow::OwnershipRule;
    let mode = AuthMode::LoginFlow(LoginFlowPolicy {
        owner: OwnershipRule::default(),
        rotate_every: None,
        poll_every: Duration::from_secs(1),
    });
    let options = Options {
        consent: true,
        ..Options::default()
    };
    let world = OAuthWorld::start_with(mode, options).await;
    let standin = crate::support::login_flow::LoginFlowStandIn::mount(&world.nextcloud).await;
    let alice = world.recorded_token(secrets, "login-flow caller token", json!({}));
    let client = connect_with(&world.server, Some(&alice)).await;
    for (login, approved_as) in [("alice", "mallory"), ("alice", "alice")] {
        let link = assert_ok(
            "provision",
            &call(&client, "provision_nextcloud_access", json!({})).await,
        );
        standin.approve(link["authorization_url"].as_str().unwrap(), approved_as);
        let want = if login == approved_as {
            "connected"
        } else {
            "refused"
        };
        let mut done = false;
        for _ in 0..50 {
            let status = assert_ok(
                "status",
                &call(&client, "check_provisioning_status", json!({})).await,
            );
            if status[want] == true {
                done = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(
            done,
            "the flow approved as {approved_as} did not end as {want}"
        );
    }
    let note = call(&client, "nc_notes_get_note", json!({"note_id": 213})).await;
    assert_eq!(assert_ok("get", &note)["title"], "note of alice");
    standin.revoke_all_of("alice");
    let refused = call(&client, "nc_notes_get_note", json!({"note_id": 213})).await;
    assert_tool_error("get", &refused, "401");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let link = assert_ok(
        "provision",
        &call(&client, "provision_nextcloud_access", json!({})).await,
    );
    standin.approve(link["authorization_url"].as_str().unwrap(), "alice");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_ok(
        "revoke",
        &call(&client, "revoke_nextcloud_access", json!({})).await,
    );
    for (i, secret) in standin.every_secret().into_iter().enumerate() {
        secrets.add(
            format!("login-flow app password or poll token #{}", i + 1),
            secret,
        );
    }
    client.cancel().await.unwrap();
}

/// Multi-user basic: two users' Basic credentials checked and used, a wrong
/// password refused, a revoked one refused at Nextcloud.
pub(super) async fn multi_user_basic_mode(secrets: &mut Secrets) {
    let nc = MockServer::start().await;
    let standin = crate::support::login_flow::LoginFlowStandIn::mount(&nc).await;
    let mut config = basic_config(&nc.uri(), Duration::from_secs(5));
    config.mode = AuthMode::MultiUserBasic;
    let server = start_server(config).await;
    let wrong = "wrong-basic-SECRET-10";
    secrets.add("multi-user-basic wrong password", wrong);
    secrets.add(
        "multi-user-basic wrong Basic header value",
        STANDARD.encode(format!("carol:{wrong}")),
    );
    for login in ["carol", "dave"] {
        let password = standin.issue(login);
        secrets.add(
            format!("multi-user-basic app password of {login}"),
            password.clone(),
        );
        secrets.add(
            format!("multi-user-basic Basic header value of {login}"),
            STANDARD.encode(format!("{login}:{password}")),
        );
        let client = connect_basic(&server, login, &password).await;
        let note = call(&client, "nc_notes_get_note", json!({"note_id": 213})).await;
        assert_eq!(assert_ok("get", &note)["title"], format!("note of {login}"));
        standin.revoke_all_of(login);
        let refused = call(&client, "nc_notes_get_note", json!({"note_id": 213})).await;
        assert_tool_error("get after revocation", &refused, "401");
        client.cancel().await.unwrap();
    }
    let refused = mcp_request(
        &server.mcp_url(),
        &tool_call("nc_notes_get_note", json!({"note_id": 213})),
    )
    .basic_auth("carol", Some(wrong))
    .send()
    .await
    .unwrap();
    assert_eq!(refused.status(), 401);
}
