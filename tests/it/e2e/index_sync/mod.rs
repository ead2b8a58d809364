//! The search index end to end: two users grant offline access, the
//! background sync indexes their notes and files with refreshed tokens
//! against a stand-in Nextcloud, and each sees only their own hits. A
//! change is searchable after the next pass, a deletion and an unshared
//! file disappear, a grant the IdP refuses and a revocation empty the
//! user's index.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::store::harness::Harness;
use crate::support::e2e::*;
use crate::support::idp::*;
use crate::support::oauth::{OAuthWorld, Options, param, pass_through};
use nextcloud_mcp::app::config::{EmbeddingsConfig, SyncConfig};
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
    sync_story(None).await;
}

/// The same story on PostgreSQL (its full-text search and its own index
/// tables); skipped without one unless live tests are required.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn on_postgres_the_sync_indexes_each_user_as_themselves_and_forgets_what_they_lose() {
    let Some(database) = Harness::postgres().await else {
        return;
    };
    sync_story(Some(database.location())).await;
}

/// Two users with offline access, their notes and files indexed, an edit, a
/// deletion, an unshare, a refused grant and a revocation.
async fn sync_story(store_location: Option<String>) {
    let world = OAuthWorld::start_with(
        pass_through(),
        Options {
            consent: true,
            store_location,
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
        model_dir: None,
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
    // Without a model there is no search by meaning to ask for.
    let no_model = call(
        &alice,
        "nc_semantic_search",
        json!({"query": "milk", "mode": "semantic"}),
    )
    .await;
    assert_tool_error(
        "semantic without a model",
        &no_model,
        "needs an embedding model",
    );
    let out = assert_ok(
        "keyword mode",
        &call(
            &alice,
            "nc_semantic_search",
            json!({"query": "milk", "mode": "keyword"}),
        )
        .await,
    );
    assert_eq!(out["mode"], "keyword");

    let status = assert_ok(
        "status",
        &call(&alice, "nc_get_vector_sync_status", json!({})).await,
    );
    let apps = status["apps"].as_array().unwrap();
    assert_eq!(apps[0]["app"], "notes");
    assert_eq!(apps[0]["documents"], 2);
    assert_eq!(apps[1]["documents"], 1);
    assert!(apps[0]["last_sync"].as_i64().is_some());
    // Apps this deployment turned off are neither read nor searchable.
    assert_eq!(apps.len(), 2, "{status}");
    let asked: Vec<String> = nextcloud
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| r.url.path().to_string())
        .filter(|p| {
            p.contains("/remote.php/dav/calendars")
                || p.contains("/remote.php/dav/addressbooks")
                || p.contains("/apps/deck/")
        })
        .collect();
    assert!(asked.is_empty(), "turned-off apps were read: {asked:?}");
    let turned_off = call(
        &alice,
        "nc_semantic_search",
        json!({"query": "budget", "doc_types": ["calendar"]}),
    )
    .await;
    assert_tool_error("turned-off app", &turned_off, "not indexed on this server");

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

/// A small deterministic embedding service: each word (through a synonym
/// table, so "physician" and "dentist" both count as "doctor") adds one to a
/// hashed bucket. Words that mean the same meet in one bucket; that is all
/// a test needs from a model, and it answers only what it computes.
#[derive(Clone, Default)]
struct BagOfWords(Arc<Mutex<u32>>);

const STAND_IN_DIMS: usize = 256;

fn bag_of_words(text: &str) -> Vec<f32> {
    const SYNONYMS: &[(&str, &str)] = &[
        ("physician", "doctor"),
        ("dentist", "doctor"),
        ("visit", "appointment"),
        ("car", "vehicle"),
        ("automobile", "vehicle"),
    ];
    let mut v = vec![0f32; STAND_IN_DIMS];
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let word = word.to_lowercase();
        let word = SYNONYMS
            .iter()
            .find(|(from, _)| *from == word)
            .map_or(word.as_str(), |(_, to)| to);
        // FNV-1a: stable across runs and platforms.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for b in word.bytes() {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        v[(hash % STAND_IN_DIMS as u64) as usize] += 1.0;
    }
    v
}

impl Respond for BagOfWords {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        *self.0.lock().unwrap() += 1;
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        assert_eq!(body["model"], "bag-of-words");
        let data: Vec<Value> = body["input"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
            .map(|(i, text)| json!({"index": i, "embedding": bag_of_words(text.as_str().unwrap())}))
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({"data": data}))
    }
}

/// (mode, "app:title" of each hit) of a search.
async fn search(client: &Client, query: &str) -> (String, Vec<String>) {
    let out = assert_ok(
        "nc_semantic_search",
        &call(client, "nc_semantic_search", json!({"query": query})).await,
    );
    let titles = out["results"]
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
        .collect();
    (out["mode"].as_str().unwrap().to_string(), titles)
}

/// Polls until the first hits of `query` are `want`.
async fn eventually_first(client: &Client, query: &str, want: &[&str]) -> (String, Vec<String>) {
    let mut got = (String::new(), Vec::new());
    for _ in 0..100 {
        got = search(client, query).await;
        if got.1.len() >= want.len() && got.1[..want.len()] == *want {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("'{query}': wanted {want:?} first, got {got:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn with_an_embedder_a_search_finds_by_meaning_and_fuses_both_lists() {
    let world = OAuthWorld::start_with(
        pass_through(),
        Options {
            consent: true,
            ..Options::default()
        },
    )
    .await;
    Mock::given(method("POST"))
        .and(path(format!("{REALM_PATH}/token")))
        .and(body_string_contains("grant_type=refresh_token"))
        .respond_with(Refresher::default())
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
        a.notes.insert(
            3,
            (
                "Car repair".into(),
                "The automobile needs new brakes".into(),
                100,
            ),
        );
        a.notes.insert(
            4,
            (
                "Dentist".into(),
                "Check-up on Tuesday with Dr Smith".into(),
                100,
            ),
        );
    });
    cloud.edit("bob", |b| {
        b.notes
            .insert(7, ("Physician invoice".into(), "Paid in March".into(), 100));
    });
    let nextcloud = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(cloud.clone())
        .mount(&nextcloud)
        .await;
    let model = MockServer::start().await;
    let embedded = BagOfWords::default();
    Mock::given(method("POST"))
        .and(path("/v1/embeddings"))
        .respond_with(embedded.clone())
        .mount(&model)
        .await;

    let mut config = world.replica_config();
    config.nextcloud_url = url::Url::parse(&nextcloud.uri()).unwrap();
    config.sync = SyncConfig {
        enabled: true,
        interval: Duration::from_secs(1),
        apps: vec![DocApp::Notes],
        embeddings: Some(EmbeddingsConfig {
            url: url::Url::parse(&model.uri()).unwrap(),
            model: "bag-of-words".into(),
            key: None,
            dimensions: STAND_IN_DIMS,
        }),
        model_dir: None,
    };
    let server = start_server(config).await;
    let scope = "openid offline_access search:read";
    let alice = connect_with(&server, Some(&world.token(json!({"scope": scope})))).await;
    let bob = connect_with(
        &server,
        Some(&world.token(json!({"sub": BOB, "scope": scope}))),
    )
    .await;

    // No word of the query is in the note: only the vector half finds it.
    let (mode, got) = eventually_first(&alice, "physician visit", &["notes:Dentist"]).await;
    assert_eq!(mode, "hybrid");
    // By meaning alone the same note leads; by words alone nothing is found.
    let by_meaning = assert_ok(
        "semantic mode",
        &call(
            &alice,
            "nc_semantic_search",
            json!({"query": "physician visit", "mode": "semantic"}),
        )
        .await,
    );
    assert_eq!(by_meaning["mode"], "semantic");
    assert_eq!(by_meaning["results"][0]["title"], "Dentist");
    let by_words = assert_ok(
        "keyword mode",
        &call(
            &alice,
            "nc_semantic_search",
            json!({"query": "physician visit", "mode": "keyword"}),
        )
        .await,
    );
    assert_eq!(by_words["results"], json!([]));
    assert!(
        got.iter().all(|t| !t.contains("Physician invoice")),
        "{got:?}"
    );
    // Bob's vectors are his own: alice's dentist note is never his hit.
    let (_, got) = eventually_first(&bob, "physician visit", &["notes:Physician invoice"]).await;
    assert_eq!(got, ["notes:Physician invoice"]);

    // "budget" matches one note by word; "vehicle" matches none by word
    // but the car note by meaning. Keyword list: [Budget]; vector list:
    // [Budget (cosine 0.5), Car repair (0.47), then the rest at 0]. Fused:
    // Budget 2/61, Car repair 1/62, then the others by their vector rank.
    let (mode, got) = search(&alice, "budget vehicle").await;
    assert_eq!(mode, "hybrid");
    assert_eq!(got[..2], ["notes:Budget 2027", "notes:Car repair"]);
    assert_eq!(got.len(), 4, "{got:?}");
    let out = assert_ok(
        "scores",
        &call(
            &alice,
            "nc_semantic_search",
            json!({"query": "budget vehicle"}),
        )
        .await,
    );
    let top = out["results"][0]["score"].as_f64().unwrap();
    assert!((top - 2.0 / 61.0).abs() < 1e-9, "fused score {top}");
    assert!(*embedded.0.lock().unwrap() > 0);

    // A changed note is embedded again: its new meaning is found.
    cloud.edit("alice", |a| {
        a.notes
            .insert(2, ("Groceries".into(), "Pick up the car".into(), 200));
    });
    eventually_first(
        &alice,
        "automobile",
        &["notes:Car repair", "notes:Groceries"],
    )
    .await;
}
