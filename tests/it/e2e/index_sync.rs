//! The search index end to end: two users grant offline access, the
//! background sync indexes their notes and files with refreshed tokens
//! against a stand-in Nextcloud, and each sees only their own hits. A
//! change is searchable after the next pass, a deletion and an unshared
//! file disappear, a grant the IdP refuses and a revocation empty the
//! user's index.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::support::e2e::*;
use crate::support::idp::*;
use crate::support::oauth::{OAuthWorld, Options, param, pass_through};
use nextcloud_mcp::app::config::SyncConfig;
use nextcloud_mcp::domain::index::{DocApp, IndexQuery, search_terms};
use serde_json::{Value, json};
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const BOB: &str = "9a7e-uuid-bob";

#[derive(Default)]
struct Account {
    /// id -> (title, content, modified)
    notes: BTreeMap<u64, (String, String, i64)>,
    /// name -> (content, etag)
    files: BTreeMap<String, (String, String)>,
}

/// A Nextcloud that knows two users by their bearer tokens.
#[derive(Clone, Default)]
struct FakeCloud(Arc<Mutex<BTreeMap<String, Account>>>);

impl FakeCloud {
    fn edit(&self, user: &str, change: impl FnOnce(&mut Account)) {
        change(self.0.lock().unwrap().entry(user.to_string()).or_default());
    }
}

fn user_of(request: &Request) -> Option<String> {
    let auth = request.headers.get("authorization")?.to_str().ok()?;
    auth.strip_prefix("Bearer access-").map(str::to_string)
}

fn propfind(user: &str, account: &Account) -> String {
    let mut xml = format!(
        r#"<?xml version="1.0"?><d:multistatus xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:response><d:href>/remote.php/dav/files/{user}/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype><d:getetag>"root"</d:getetag></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"#
    );
    for (i, (name, (content, etag))) in account.files.iter().enumerate() {
        xml.push_str(&format!(
            r#"<d:response><d:href>/remote.php/dav/files/{user}/{name}</d:href><d:propstat><d:prop><d:resourcetype/><d:getetag>"{etag}"</d:getetag><d:getcontenttype>text/markdown</d:getcontenttype><d:getcontentlength>{}</d:getcontentlength><d:getlastmodified>Mon, 23 Nov 2026 08:38:26 GMT</d:getlastmodified><oc:fileid>{}</oc:fileid></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"#,
            content.len(),
            100 + i
        ));
    }
    xml.push_str("</d:multistatus>");
    xml
}

impl Respond for FakeCloud {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let Some(user) = user_of(request) else {
            return ResponseTemplate::new(401);
        };
        let accounts = self.0.lock().unwrap();
        let empty = Account::default();
        let account = accounts.get(&user).unwrap_or(&empty);
        let route = request.url.path();
        let dav_root = format!("/remote.php/dav/files/{user}/");
        match (request.method.as_str(), route) {
            ("GET", "/ocs/v2.php/cloud/user") => ResponseTemplate::new(200).set_body_json(json!({
                "ocs": {"meta": {"status": "ok", "statuscode": 200, "message": "OK"},
                        "data": {"id": user, "displayname": user}}
            })),
            ("GET", "/index.php/apps/notes/api/v1/notes") => {
                let notes: Vec<Value> = account
                    .notes
                    .iter()
                    .map(|(id, (title, content, modified))| {
                        json!({"id": id, "title": title, "category": "", "content": content,
                               "favorite": false, "modified": modified,
                               "etag": format!("e{modified}"), "readonly": false})
                    })
                    .collect();
                ResponseTemplate::new(200).set_body_json(notes)
            }
            ("PROPFIND", r) if r == dav_root => ResponseTemplate::new(207)
                .insert_header("content-type", "application/xml; charset=utf-8")
                .set_body_string(propfind(&user, account)),
            ("GET", r) if r.starts_with(&dav_root) => {
                match account.files.get(&r[dav_root.len()..]) {
                    Some((content, etag)) => ResponseTemplate::new(200)
                        .insert_header("etag", format!("\"{etag}\"").as_str())
                        .insert_header("content-type", "text/markdown")
                        .set_body_string(content.clone()),
                    None => ResponseTemplate::new(404),
                }
            }
            _ => ResponseTemplate::new(404),
        }
    }
}

/// The IdP's refresh endpoint: each user's stored token gives their access
/// token, until the grant is refused.
#[derive(Clone, Default)]
struct Refresher(Arc<Mutex<Vec<String>>>);

impl Respond for Refresher {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body = String::from_utf8_lossy(&request.body).to_string();
        let user = if body.contains("refresh_token=rt-alice") {
            "alice"
        } else {
            "bob"
        };
        if self.0.lock().unwrap().iter().any(|u| u == user) {
            return ResponseTemplate::new(400)
                .set_body_json(json!({"error": "invalid_grant", "error_description": "revoked"}));
        }
        ResponseTemplate::new(200).set_body_json(json!({
            "access_token": format!("access-{user}"), "token_type": "Bearer",
            "expires_in": 300, "refresh_token": format!("rt-{user}")
        }))
    }
}

async fn grant(world: &OAuthWorld, subject: &str, name: &str) {
    let id_token = world.id_token(subject);
    Mock::given(method("POST"))
        .and(path(format!("{REALM_PATH}/token")))
        .and(body_string_contains(format!("code=code-{name}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "first", "token_type": "Bearer", "expires_in": 300,
            "refresh_token": format!("rt-{name}"), "id_token": id_token,
            "scope": "openid offline_access"
        })))
        .mount(&world.idp.server)
        .await;
    let client = connect_with(&world.server, Some(&world.token(json!({"sub": subject})))).await;
    let state = param(&world.provision_link(&client).await, "state");
    let done = world
        .callback(&format!("code=code-{name}&state={state}"))
        .await;
    assert_eq!(done.status(), 200, "{name} consents");
}

async fn hits(client: &Client, query: &str) -> Vec<String> {
    let out = assert_ok(
        "nc_semantic_search",
        &call(client, "nc_semantic_search", json!({"query": query})).await,
    );
    out["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            format!(
                "{}:{}",
                h["app"].as_str().unwrap(),
                h["title"].as_str().unwrap()
            )
        })
        .collect()
}

/// Polls until `query` gives `want` for `client` (sync passes run every second).
async fn eventually(client: &Client, query: &str, want: &[&str]) {
    let mut got = Vec::new();
    for _ in 0..100 {
        got = hits(client, query).await;
        if got == want {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("'{query}': wanted {want:?}, got {got:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_sync_indexes_each_user_as_themselves_and_forgets_what_they_lose() {
    let world = OAuthWorld::start_with(
        pass_through(),
        Options {
            consent: true,
            ..Options::default()
        },
    )
    .await;
    let refused = Refresher::default();
    Mock::given(method("POST"))
        .and(path(format!("{REALM_PATH}/token")))
        .and(body_string_contains("grant_type=refresh_token"))
        .respond_with(refused.clone())
        .mount(&world.idp.server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{REALM_PATH}/revoke")))
        .respond_with(ResponseTemplate::new(200))
        .mount(&world.idp.server)
        .await;
    grant(&world, ALICE, "alice").await;
    grant(&world, BOB, "bob").await;

    let cloud = FakeCloud::default();
    cloud.edit("alice", |a| {
        a.notes.insert(
            1,
            ("Budget 2027".into(), "Travel budget for Lisbon".into(), 100),
        );
        a.notes
            .insert(2, ("Groceries".into(), "Milk and bread".into(), 100));
        a.files.insert(
            "plan.md".into(),
            ("Roadmap for the search index".into(), "f1".into()),
        );
    });
    cloud.edit("bob", |b| {
        b.notes
            .insert(7, ("Budget of bob".into(), "Bob's own budget".into(), 100));
        // Alice's plan, shared with bob: his listing shows it as his.
        b.files.insert(
            "plan.md".into(),
            ("Roadmap for the search index".into(), "f1".into()),
        );
    });
    let nextcloud = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(cloud.clone())
        .mount(&nextcloud)
        .await;

    let mut config = world.replica_config();
    config.nextcloud_url = url::Url::parse(&nextcloud.uri()).unwrap();
    config.sync = SyncConfig {
        enabled: true,
        interval: Duration::from_secs(1),
        apps: vec![DocApp::Notes, DocApp::Files],
        embeddings: None,
    };
    let server = start_server(config).await;
    // The index tools read what unified search reads: search:read.
    let scope = "openid offline_access search:read";
    let alice = connect_with(&server, Some(&world.token(json!({"scope": scope})))).await;
    let bob = connect_with(
        &server,
        Some(&world.token(json!({"sub": BOB, "scope": scope}))),
    )
    .await;

    // Indexed with refreshed tokens; each user sees only their own hits.
    eventually(&alice, "budget", &["notes:Budget 2027"]).await;
    eventually(&bob, "budget", &["notes:Budget of bob"]).await;
    eventually(&alice, "roadmap", &["files:plan.md"]).await;
    eventually(&bob, "roadmap", &["files:plan.md"]).await;
    assert!(hits(&alice, "milk").await == ["notes:Groceries"]);
    assert!(hits(&bob, "milk lisbon groceries").await.is_empty());

    let status = assert_ok(
        "status",
        &call(&alice, "nc_get_vector_sync_status", json!({})).await,
    );
    let apps = status["apps"].as_array().unwrap();
    assert_eq!(apps[0]["app"], "notes");
    assert_eq!(apps[0]["documents"], 2);
    assert_eq!(apps[1]["documents"], 1);
    assert!(apps[0]["last_sync"].as_i64().is_some());

    // A change is found after the next pass; the old text is not.
    cloud.edit("alice", |a| {
        a.notes
            .insert(1, ("Budget 2028".into(), "Now in Porto".into(), 200));
    });
    eventually(&alice, "porto", &["notes:Budget 2028"]).await;
    assert!(hits(&alice, "lisbon").await.is_empty());

    // A deleted note and a file no longer shared leave the index.
    cloud.edit("alice", |a| {
        a.notes.remove(&2);
    });
    cloud.edit("bob", |b| {
        b.files.remove("plan.md");
    });
    eventually(&alice, "milk", &[]).await;
    eventually(&bob, "roadmap", &[]).await;
    assert_eq!(hits(&alice, "roadmap").await, ["files:plan.md"]);

    // A grant the identity provider refuses stops bob's sync and empties his index.
    refused.0.lock().unwrap().push("bob".into());
    eventually(&bob, "budget", &[]).await;
    let store = world.store().await;
    assert!(store.index_status(BOB).await.unwrap().is_empty());

    // Revocation empties alice's index at once.
    let revoked = call(&alice, "revoke_nextcloud_access", json!({})).await;
    assert_ok("revoke", &revoked);
    let query = IndexQuery {
        terms: search_terms("budget porto roadmap"),
        limit: 10,
        ..IndexQuery::default()
    };
    assert!(store.search(ALICE, &query).await.unwrap().is_empty());
    assert!(store.index_status(ALICE).await.unwrap().is_empty());
}
