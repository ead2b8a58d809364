//! The webhook_listeners adapter against real Nextcloud 34 captures
//! (tests/fixtures/nextcloud-34/webhooks): it must send what the real server
//! received and understand what it answered, errors included; and the two
//! real deliveries must parse as Nextcloud sent them.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::support::fixtures::{Exchange, assert_request_matches, load, only_request};
use crate::support::webhooks::received;
use nextcloud_mcp::adapters::nextcloud::{HttpNextcloud, NextcloudSession};
use nextcloud_mcp::domain::credential::{Credential, CredentialSecret};
use nextcloud_mcp::domain::webhooks::{
    Delivery, EventFilter, EventSubject, NODE_CREATED, NODE_WRITTEN, NodeRef, WebhookAuth,
    WebhookDraft, parse_delivery,
};
use nextcloud_mcp::ports::nextcloud::{NextcloudError, WebhooksApi};
use secrecy::SecretString;
use serde_json::{Value, json};
use url::Url;
use wiremock::MockServer;

async fn replay(name: &str) -> (MockServer, Exchange, NextcloudSession) {
    let server = MockServer::start().await;
    let exchange = load("webhooks", name);
    exchange.mount(&server).await;
    let session = HttpNextcloud::new(Url::parse(&server.uri()).unwrap(), Duration::from_secs(5))
        .unwrap()
        .session(Credential {
            user_id: "admin".into(),
            secret: CredentialSecret::AppPassword(SecretString::from("app-pass")),
        });
    (server, exchange, session)
}

/// Method, path, query, the OCS headers and the JSON body as captured.
async fn assert_sent_as_captured(server: &MockServer, exchange: &Exchange) {
    let received = only_request(server).await;
    assert_request_matches(
        &received,
        &exchange.request,
        &["ocs-apirequest", "accept", "content-type"],
    );
    if exchange.request.body.is_empty() {
        assert!(received.body.is_empty(), "unexpected body");
    } else {
        let sent: Value = serde_json::from_slice(&received.body).unwrap();
        let captured: Value = serde_json::from_slice(&exchange.request.body).unwrap();
        assert_eq!(sent, captured, "{}: body", exchange.name);
    }
}

fn draft(uri: &str, event: &str, filter: Value, auth: WebhookAuth) -> WebhookDraft {
    WebhookDraft {
        http_method: "POST".into(),
        uri: uri.into(),
        event: event.into(),
        filter: EventFilter::parse(filter).unwrap(),
        headers: BTreeMap::new(),
        auth,
    }
}

#[tokio::test]
async fn register_with_exact_filter_headers_and_auth_header() {
    let (server, exchange, nc) = replay("01-register").await;
    let mut d = draft(
        "http://127.0.0.1:8098/webhooks/node-created",
        NODE_CREATED,
        json!({"event.node.path": "/admin/files/Fixtures-hooks/incoming.txt"}),
        WebhookAuth::Headers(vec![(
            "Authorization".into(),
            SecretString::from("Bearer fixture-webhook-secret"),
        )]),
    );
    d.headers
        .insert("X-Fixture-Header".into(), "fixture-value".into());
    let hook = nc.register_webhook(&d).await.unwrap();
    assert_sent_as_captured(&server, &exchange).await;
    assert_eq!(hook.id, 19);
    assert_eq!(hook.user_id.as_deref(), Some("admin"));
    assert_eq!(hook.app_id, None);
    assert_eq!(hook.event, NODE_CREATED);
    assert_eq!(hook.uri, "http://127.0.0.1:8098/webhooks/node-created");
    assert_eq!(hook.auth_method, "header");
    assert_eq!(
        hook.headers.get("X-Fixture-Header").map(String::as_str),
        Some("fixture-value")
    );
    assert_eq!(
        hook.filter.to_value(),
        json!({"event.node.path": "/admin/files/Fixtures-hooks/incoming.txt"})
    );
}

#[tokio::test]
async fn register_with_a_regex_filter_and_no_auth() {
    let (server, exchange, nc) = replay("02-register-regex-filter").await;
    let filter = json!({"event.node.path": "/^\\/admin\\/files\\/Fixtures-hooks\\//"});
    let d = draft(
        "http://127.0.0.1:8098/webhooks/node-written",
        NODE_WRITTEN,
        filter.clone(),
        WebhookAuth::None,
    );
    let hook = nc.register_webhook(&d).await.unwrap();
    assert_sent_as_captured(&server, &exchange).await;
    assert_eq!((hook.id, hook.auth_method.as_str()), (20, "none"));
    assert!(hook.headers.is_empty(), "headers: null");
    assert_eq!(hook.filter.to_value(), filter);
}

#[tokio::test]
async fn list_all_and_by_uri() {
    let (server, exchange, nc) = replay("03-list").await;
    let hooks = nc.list_webhooks(None).await.unwrap();
    assert_sent_as_captured(&server, &exchange).await;
    let ids: Vec<i64> = hooks.iter().map(|h| h.id).collect();
    assert_eq!(ids, [19, 20]);
    assert_eq!(hooks[1].event, NODE_WRITTEN);

    let (server, exchange, nc) = replay("04-list-filter-uri").await;
    let hooks = nc
        .list_webhooks(Some("http://127.0.0.1:8098/webhooks/node-written".into()))
        .await
        .unwrap();
    assert_sent_as_captured(&server, &exchange).await;
    assert_eq!(hooks.len(), 1);
    assert_eq!(hooks[0].id, 20);
}

#[tokio::test]
async fn get_and_update() {
    let (server, exchange, nc) = replay("05-get").await;
    let hook = nc.get_webhook(19).await.unwrap();
    assert_sent_as_captured(&server, &exchange).await;
    assert_eq!(hook.event, NODE_CREATED);

    let (server, exchange, nc) = replay("06-update").await;
    let mut d = draft(
        "http://127.0.0.1:8098/webhooks/node-written",
        NODE_WRITTEN,
        json!({"event.node.path": "/^\\/admin\\/files\\/Fixtures-hooks\\//"}),
        WebhookAuth::None,
    );
    d.headers.insert("X-Updated".into(), "yes".into());
    let hook = nc.update_webhook(20, &d).await.unwrap();
    assert_sent_as_captured(&server, &exchange).await;
    assert_eq!(
        hook.headers.get("X-Updated").map(String::as_str),
        Some("yes")
    );
}

#[tokio::test]
async fn an_empty_filter_comes_back_as_an_empty_array() {
    let (server, exchange, nc) = replay("08-register-bad-method-accepted").await;
    let mut d = draft(
        "http://127.0.0.1:8098/x",
        NODE_CREATED,
        Value::Null,
        WebhookAuth::None,
    );
    d.http_method = "FETCH".into();
    let hook = nc.register_webhook(&d).await.unwrap();
    let received = only_request(&server).await;
    // The capture sent no authMethod; ours says "none" explicitly.
    let mut sent: Value = serde_json::from_slice(&received.body).unwrap();
    assert_eq!(sent["authMethod"].take(), json!("none"));
    let mut captured: Value = serde_json::from_slice(&exchange.request.body).unwrap();
    captured
        .as_object_mut()
        .unwrap()
        .insert("authMethod".into(), Value::Null);
    assert_eq!(sent, captured);
    assert!(hook.filter.is_empty());
    assert_eq!(hook.http_method, "FETCH");
}

#[tokio::test]
async fn errors_map_to_actionable_messages() {
    let (_server, _exchange, nc) = replay("07-register-bad-event").await;
    let err = nc
        .register_webhook(&draft(
            "http://127.0.0.1:8098/x",
            "Not\\An\\Event",
            Value::Null,
            WebhookAuth::None,
        ))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        NextcloudError::BadRequest(
            "Not\\An\\Event is not an event class compatible with webhooks".into()
        )
    );

    let (_server, _exchange, nc) = replay("09-register-as-non-admin-403").await;
    let err = nc
        .register_webhook(&draft(
            "http://127.0.0.1:8098/x",
            NODE_CREATED,
            Value::Null,
            WebhookAuth::None,
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, NextcloudError::Forbidden(Some(m)) if m.starts_with("Logged in account must be an admin")),
        "{err:?}"
    );

    let (server, exchange, nc) = replay("16-get-missing").await;
    let err = nc.get_webhook(19).await.unwrap_err();
    assert_sent_as_captured(&server, &exchange).await;
    // The real message quotes SQL; only the resource is named.
    assert_eq!(err, NextcloudError::NotFound("webhook 19".into()));
}

#[tokio::test]
async fn delete_answers_true_then_false_for_a_missing_one() {
    for (name, id, existed) in [
        ("14-delete", 19, true),
        ("15-delete-missing", 19, false),
        ("17-delete-second", 20, true),
    ] {
        let (server, exchange, nc) = replay(name).await;
        assert_eq!(nc.delete_webhook(id).await.unwrap(), existed, "{name}");
        assert_sent_as_captured(&server, &exchange).await;
    }
}

#[test]
fn the_real_deliveries_arrive_without_content_type_and_parse() {
    for (name, class) in [
        ("12-delivered-node-created", NODE_CREATED),
        ("13-delivered-node-written", NODE_WRITTEN),
    ] {
        let delivery = received(name);
        assert_eq!(delivery.method, "POST");
        assert_eq!(delivery.header("content-type"), None, "{name}");
        assert!(
            delivery
                .header("user-agent")
                .unwrap()
                .starts_with("Nextcloud-Server-Crawler/")
        );
        let Delivery::Known(event) = parse_delivery(&delivery.body).unwrap() else {
            panic!("{name}: known event")
        };
        assert_eq!(event.class, class);
        assert_eq!(event.user.as_deref(), Some("admin"));
        assert_eq!(
            event.subject,
            EventSubject::Node {
                node: NodeRef {
                    id: Some(240),
                    path: "/admin/files/Fixtures-hooks/incoming.txt".into()
                }
            }
        );
    }
    // The auth header registered in 01 arrives in clear.
    assert_eq!(
        received("12-delivered-node-created").header("authorization"),
        Some("Bearer fixture-webhook-secret")
    );
}
