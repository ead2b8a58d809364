//! Webhooks end to end: the real server in-process on 127.0.0.1, rmcp's own
//! client calling the nc_webhooks_* tools, a fake webhook_listeners API
//! behind them, and deliveries POSTed to the mounted receiver.

use std::time::Duration;

use crate::support::e2e::*;
use crate::support::fixtures::load;
use crate::support::webhooks::{API, FakeNextcloud, received};
use nextcloud_mcp::adapters::store::open_store;
use nextcloud_mcp::app::config::WebhookConfig;
use nextcloud_mcp::domain::time::UnixTime;
use nextcloud_mcp::ports::store::NewWebhook;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

const SECRET: &str = "e2e-webhook-secret-0123456789";
const RECEIVER: &str = "http://mcp.test/webhooks/nextcloud";
const NODE_CREATED: &str = "OCP\\Files\\Events\\Node\\NodeCreatedEvent";
const CALENDAR_CREATED: &str = "OCP\\Calendar\\Events\\CalendarObjectCreatedEvent";

const WEBHOOK_TOOLS: [&str; 8] = [
    "nc_webhooks_list_event_types",
    "nc_webhooks_register",
    "nc_webhooks_list",
    "nc_webhooks_delete",
    "nc_webhooks_enable_preset",
    "nc_webhooks_disable_preset",
    "nc_webhooks_reconcile",
    "nc_webhooks_status",
];

fn webhooks_on(reconcile_on_start: bool) -> WebhookConfig {
    WebhookConfig {
        secret: Some(SecretString::from(SECRET)),
        receiver_url: Some(url::Url::parse(RECEIVER).unwrap()),
        reconcile_on_start,
        queue_capacity: 16,
    }
}

fn ours(nc: &FakeNextcloud) -> Vec<Value> {
    nc.hooks()
        .into_values()
        .filter(|w| w["uri"] == RECEIVER)
        .collect()
}

async fn deliver(server: &RunningServer, auth: &str, body: Vec<u8>) -> u16 {
    nextcloud_mcp::adapters::nextcloud::http::install_crypto_provider();
    reqwest::Client::new()
        .post(format!("{}/webhooks/nextcloud", server.base_url))
        .header("Authorization", auth)
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Polls `done` until it holds; a generous guard against a hang, not a timing assertion.
async fn wait_until(what: &str, mut done: impl AsyncFnMut() -> bool) {
    for _ in 0..6000 {
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("gave up waiting for {what}");
}

/// The counters, read with the webhook secret (they are not public).
async fn metrics(server: &RunningServer) -> Value {
    let url = format!("{}/webhooks/metrics", server.base_url);
    let anonymous = reqwest::get(&url).await.unwrap();
    assert_eq!(anonymous.status(), 401, "the metrics are not public");
    reqwest::Client::new()
        .get(&url)
        .bearer_auth(SECRET)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn admin_tools_and_the_receiver_work_together() {
    let nc = FakeNextcloud::start().await;
    let mut config = basic_config(&nc.uri(), Duration::from_secs(5));
    config.webhooks = webhooks_on(false);
    let server = start_server(config).await;
    let client = connect(&server).await;

    let tools = client.list_all_tools().await.unwrap();
    for name in WEBHOOK_TOOLS {
        assert!(tools.iter().any(|t| t.name == name), "{name} listed");
    }
    let types = assert_ok(
        "list_event_types",
        &call(&client, "nc_webhooks_list_event_types", json!({})).await,
    );
    assert!(types["event_types"].as_array().unwrap().len() > 10);

    let on = assert_ok(
        "enable_preset",
        &call(
            &client,
            "nc_webhooks_enable_preset",
            json!({"preset": "notes_sync"}),
        )
        .await,
    );
    assert_eq!(on["changed"], 3);
    assert_eq!(ours(&nc).len(), 3);
    assert!(
        ours(&nc)
            .iter()
            .all(|w| w["eventFilter"]["event.node.path"] == "/^\\/admin\\/files\\/Notes\\//")
    );

    let glob = call(
        &client,
        "nc_webhooks_register",
        json!({"event": NODE_CREATED, "event_filter": {"event.node.path": "/admin/files/*.md"}}),
    )
    .await;
    assert_tool_error("register", &glob, "globs match nothing");
    let unknown = call(
        &client,
        "nc_webhooks_register",
        json!({"event": "Not\\An\\Event"}),
    )
    .await;
    assert_tool_error("register", &unknown, "unknown event class");
    assert_tool_error(
        "enable_preset",
        &call(
            &client,
            "nc_webhooks_enable_preset",
            json!({"preset": "mail_sync"}),
        )
        .await,
        "notes_sync, calendar_sync",
    );
    let calendar = assert_ok(
        "register",
        &call(
            &client,
            "nc_webhooks_register",
            json!({"event": CALENDAR_CREATED}),
        )
        .await,
    );
    let calendar_id = calendar["nextcloud_id"].as_i64().unwrap();

    let listed = assert_ok("list", &call(&client, "nc_webhooks_list", json!({})).await);
    let listed = listed["webhooks"].as_array().unwrap();
    assert_eq!(listed.len(), 4);
    assert!(
        listed
            .iter()
            .all(|w| w["ours"] == true && w["local_id"].is_i64())
    );

    // A real delivery, with the secret we registered, reaches the worker.
    let body = received("12-delivered-node-created").body;
    assert_eq!(
        deliver(&server, &format!("Bearer {SECRET}"), body.clone()).await,
        202
    );
    assert_eq!(deliver(&server, "Bearer not-the-secret", body).await, 401);
    wait_until("the worker", async || {
        metrics(&server).await["counters"]["processed"] == 1
    })
    .await;
    let status = assert_ok(
        "status",
        &call(&client, "nc_webhooks_status", json!({})).await,
    );
    assert_eq!(status["registrations"].as_array().unwrap().len(), 4);
    assert_eq!(status["presets"][0]["preset"], "notes_sync");
    assert_eq!(status["counters"]["rejected_auth"], 1);

    // Nextcloud loses one: reconcile registers it again.
    nc.lose(calendar_id);
    let fixed = assert_ok(
        "reconcile",
        &call(&client, "nc_webhooks_reconcile", json!({})).await,
    );
    assert_eq!(
        (fixed["kept"].as_i64(), fixed["reregistered"].as_i64()),
        (Some(3), Some(1))
    );
    let calendar_now = ours(&nc)
        .into_iter()
        .find(|w| w["event"] == CALENDAR_CREATED)
        .unwrap();
    let deleted = assert_ok(
        "delete",
        &call(
            &client,
            "nc_webhooks_delete",
            json!({"webhook_id": calendar_now["id"]}),
        )
        .await,
    );
    assert_eq!(deleted["existed_at_nextcloud"], true);
    let off = assert_ok(
        "disable_preset",
        &call(
            &client,
            "nc_webhooks_disable_preset",
            json!({"preset": "notes_sync"}),
        )
        .await,
    );
    assert_eq!(off["changed"], 3);
    assert!(ours(&nc).is_empty());

    // A non-admin credential gets a clear message.
    nc.refuse_after(0);
    let refused = call(
        &client,
        "nc_webhooks_register",
        json!({"event": NODE_CREATED}),
    )
    .await;
    assert_tool_error("register", &refused, "needs a Nextcloud admin account");
    client.cancel().await.unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn without_a_secret_the_receiver_is_absent_and_the_tools_say_why() {
    let nc = FakeNextcloud::start().await;
    let server = start_server(basic_config(&nc.uri(), Duration::from_secs(5))).await;
    let client = connect(&server).await;
    for (tool, args) in [
        ("nc_webhooks_status", json!({})),
        ("nc_webhooks_list_event_types", json!({})),
        ("nc_webhooks_enable_preset", json!({"preset": "files_sync"})),
        ("nc_webhooks_reconcile", json!({})),
    ] {
        assert_tool_error(
            tool,
            &call(&client, tool, args).await,
            "WEBHOOK_SECRET is not set",
        );
    }
    let body = received("12-delivered-node-created").body;
    assert_eq!(
        deliver(&server, &format!("Bearer {SECRET}"), body).await,
        404
    );
    let asked = nc.server.received_requests().await.unwrap_or_default();
    assert!(
        asked.iter().all(|r| !r.url.path().starts_with(API)),
        "no webhook call reached Nextcloud"
    );
    client.cancel().await.unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn reconcile_runs_at_start_when_enabled() {
    let nc = FakeNextcloud::start().await;
    let stray = nc.seed(RECEIVER, NODE_CREATED, json!({"user.uid": "gone"}));
    let mut config = basic_config(&nc.uri(), Duration::from_secs(5));
    config.webhooks = webhooks_on(true);
    // A registration recorded by an earlier run that Nextcloud does not have.
    let store = open_store(config.store.location.expose_secret(), None)
        .await
        .unwrap();
    store
        .insert_webhook(&NewWebhook {
            event: CALENDAR_CREATED.into(),
            filter: json!({}),
            uri: RECEIVER.into(),
            created_at: UnixTime(1_700_000_000),
        })
        .await
        .unwrap();
    drop(store);

    let server = start_server(config).await;
    wait_until("the start-up reconcile", async || {
        ours(&nc).len() == 1 && !nc.hooks().contains_key(&stray)
    })
    .await;
    let restored = &ours(&nc)[0];
    assert_eq!(restored["event"], CALENDAR_CREATED);
    let id = restored["id"].as_i64().unwrap();
    assert_eq!(
        nc.auth_data(id).unwrap(),
        json!({"Authorization": format!("Bearer {SECRET}")})
    );
    server.shutdown().await;
}

#[tokio::test]
async fn admin_tools_are_listed_only_to_admins_with_webhooks_on() {
    // Webhooks off: not listed, whoever asks.
    let nc = FakeNextcloud::start().await;
    let server = start_server(basic_config(&nc.uri(), Duration::from_secs(5))).await;
    let client = connect(&server).await;
    let tools = client.list_all_tools().await.unwrap();
    assert!(tools.iter().all(|t| !t.name.starts_with("nc_webhooks_")));
    assert!(tools.iter().any(|t| t.name == "nc_notes_get_note"));
    client.cancel().await.unwrap();
    server.shutdown().await;

    // Webhooks on, but the user is in no admin group: not listed.
    let nc = FakeNextcloud::start().await;
    let mut user = load("ocs-capabilities", "06-current-user-v2")
        .response
        .body_json();
    user["ocs"]["data"]["groups"] = json!(["staff"]);
    wiremock::Mock::given(wiremock::matchers::path("/ocs/v2.php/cloud/user"))
        .respond_with(wiremock::ResponseTemplate::new(200).set_body_json(user))
        .with_priority(1)
        .mount(&nc.server)
        .await;
    let mut config = basic_config(&nc.uri(), Duration::from_secs(5));
    config.webhooks = webhooks_on(false);
    let server = start_server(config).await;
    let client = connect(&server).await;
    let tools = client.list_all_tools().await.unwrap();
    assert!(tools.iter().all(|t| !t.name.starts_with("nc_webhooks_")));
    // Asked once, then kept.
    client.list_all_tools().await.unwrap();
    let asked = requests_to(&nc.server, |p| p == "/ocs/v2.php/cloud/user").await;
    assert_eq!(asked, 1);
    client.cancel().await.unwrap();
    server.shutdown().await;
}
