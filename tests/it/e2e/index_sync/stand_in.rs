//! The stand-ins the offline-access sync stories share: a Nextcloud that
//! knows each user by their bearer token, the IdP's refresh endpoint, and
//! a user's consent to offline access.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use crate::support::e2e::*;
use crate::support::idp::*;
use crate::support::oauth::{OAuthWorld, Options, param, pass_through};
use serde_json::{Value, json};
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub(super) const BOB: &str = "9a7e-uuid-bob";

#[derive(Default)]
pub(super) struct Account {
    /// id -> (title, content, modified)
    pub(super) notes: BTreeMap<u64, (String, String, i64)>,
    /// name -> (content, etag)
    pub(super) files: BTreeMap<String, (String, String)>,
}

/// A Nextcloud that knows two users by their bearer tokens.
#[derive(Clone, Default)]
pub(super) struct FakeCloud(Arc<Mutex<BTreeMap<String, Account>>>);

impl FakeCloud {
    pub(super) fn edit(&self, user: &str, change: impl FnOnce(&mut Account)) {
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
pub(super) struct Refresher(pub(super) Arc<Mutex<Vec<String>>>);

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

/// `cloud` served for every request to a new stand-in Nextcloud.
pub(super) async fn serve(cloud: &FakeCloud) -> MockServer {
    let nextcloud = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(cloud.clone())
        .mount(&nextcloud)
        .await;
    nextcloud
}

/// An OAuth world that asks for consent, on the store at `store_location`
/// (a fresh one without), whose IdP refreshes grants through `refresher`,
/// and where alice and bob have granted offline access.
pub(super) async fn granted_world(
    store_location: Option<String>,
    refresher: &Refresher,
) -> OAuthWorld {
    let options = Options {
        consent: true,
        store_location,
        ..Options::default()
    };
    let world = OAuthWorld::start_with(pass_through(), options).await;
    Mock::given(method("POST"))
        .and(path(format!("{REALM_PATH}/token")))
        .and(body_string_contains("grant_type=refresh_token"))
        .respond_with(refresher.clone())
        .mount(&world.idp.server)
        .await;
    grant(&world, ALICE, "alice").await;
    grant(&world, BOB, "bob").await;
    world
}
