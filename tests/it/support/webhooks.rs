//! Shared by the webhook tests: the raw deliveries Nextcloud sent (captures
//! `webhooks/NN-delivered-*.received.http`), and a stateful fake of the
//! webhook_listeners OCS API on wiremock (register, list, get, delete).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

pub const API: &str = "/ocs/v2.php/apps/webhook_listeners/api/v1/webhooks";

/// A delivery exactly as it arrived: header lines and the body.
pub struct Received {
    pub method: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

pub fn received(name: &str) -> Received {
    let file = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/nextcloud-34/webhooks")
        .join(format!("{name}.received.http"));
    let raw = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let split = raw
        .windows(2)
        .position(|w| w == b"\n\n")
        .expect("blank line");
    let head = String::from_utf8(raw[..split].to_vec()).unwrap();
    let mut lines = head.lines();
    let mut request_line = lines.next().unwrap().split(' ');
    let method = request_line.next().unwrap().to_string();
    let headers = lines
        .map(|l| {
            let (k, v) = l.split_once(':').unwrap();
            (k.trim().to_string(), v.trim().to_string())
        })
        .collect();
    Received {
        method,
        headers,
        body: raw[split + 2..].to_vec(),
    }
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct State {
    next_id: i64,
    hooks: BTreeMap<i64, Value>,
    /// authData as sent, which the real server keeps encrypted.
    auth: BTreeMap<i64, Value>,
    /// Registrations allowed before the next one is refused with 403.
    refuse_after: Option<usize>,
    registered: usize,
}

fn ocs(status: u16, data: Value) -> ResponseTemplate {
    let meta = json!({"status": if status == 200 { "ok" } else { "failure" }, "statuscode": status, "message": "OK"});
    ResponseTemplate::new(status).set_body_json(json!({"ocs": {"meta": meta, "data": data}}))
}

fn id_of(request: &Request) -> i64 {
    request
        .url
        .path()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// A Nextcloud whose webhook_listeners app keeps its webhooks in memory.
pub struct FakeNextcloud {
    pub server: MockServer,
    state: Arc<Mutex<State>>,
}

impl FakeNextcloud {
    pub async fn start() -> Self {
        let server = MockServer::start().await;
        let state = Arc::new(Mutex::new(State {
            next_id: 100,
            ..State::default()
        }));
        let s = state.clone();
        Mock::given(method("POST"))
            .and(path(API))
            .respond_with(move |request: &Request| {
                let mut st = s.lock().unwrap();
                if st.refuse_after.is_some_and(|n| st.registered >= n) {
                    return ocs(403, json!([]));
                }
                let body: Value = serde_json::from_slice(&request.body).unwrap();
                st.registered += 1;
                st.next_id += 1;
                let id = st.next_id;
                st.auth.insert(id, body.get("authData").cloned().unwrap_or(Value::Null));
                let hook = json!({
                    "id": id, "appId": null, "userId": "admin",
                    "httpMethod": body["httpMethod"], "uri": body["uri"], "event": body["event"],
                    "eventFilter": body.get("eventFilter").cloned().unwrap_or(json!([])),
                    "userIdFilter": "", "headers": body.get("headers").cloned().unwrap_or(Value::Null),
                    "authMethod": body["authMethod"],
                    "authData": if body["authMethod"] == "header" { json!("encrypted|blob|3") } else { Value::Null },
                    "tokenNeeded": []
                });
                st.hooks.insert(id, hook.clone());
                ocs(200, hook)
            })
            .mount(&server)
            .await;
        let s = state.clone();
        Mock::given(method("GET"))
            .and(path(API))
            .respond_with(move |request: &Request| {
                let st = s.lock().unwrap();
                let uri = request
                    .url
                    .query_pairs()
                    .find(|(k, _)| k == "uri")
                    .map(|(_, v)| v.into_owned());
                let list: Vec<Value> = st
                    .hooks
                    .values()
                    .filter(|h| uri.as_deref().is_none_or(|u| h["uri"] == u))
                    .cloned()
                    .collect();
                ocs(200, Value::Array(list))
            })
            .mount(&server)
            .await;
        let s = state.clone();
        Mock::given(method("GET"))
            .and(path_regex(format!("^{API}/[0-9]+$")))
            .respond_with(move |request: &Request| {
                match s.lock().unwrap().hooks.get(&id_of(request)) {
                    Some(hook) => ocs(200, hook.clone()),
                    None => ocs(404, json!([])),
                }
            })
            .mount(&server)
            .await;
        let s = state.clone();
        Mock::given(method("DELETE"))
            .and(path_regex(format!("^{API}/[0-9]+$")))
            .respond_with(move |request: &Request| {
                let existed = s.lock().unwrap().hooks.remove(&id_of(request)).is_some();
                ocs(200, json!(existed))
            })
            .mount(&server)
            .await;
        // The real answer for the admin: its groups decide whether the
        // admin-only tools are listed.
        Mock::given(method("GET"))
            .and(path("/ocs/v2.php/cloud/user"))
            .respond_with(
                super::fixtures::load("ocs-capabilities", "06-current-user-v2")
                    .response
                    .template(),
            )
            .mount(&server)
            .await;
        Self { server, state }
    }

    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// The webhooks Nextcloud has now, by id.
    pub fn hooks(&self) -> BTreeMap<i64, Value> {
        self.state.lock().unwrap().hooks.clone()
    }

    pub fn auth_data(&self, id: i64) -> Option<Value> {
        self.state.lock().unwrap().auth.get(&id).cloned()
    }

    /// Adds a webhook as if someone had registered it; returns its id.
    pub fn seed(&self, uri: &str, event: &str, filter: Value) -> i64 {
        let mut st = self.state.lock().unwrap();
        st.next_id += 1;
        let id = st.next_id;
        let hook = json!({"id": id, "appId": null, "userId": "admin", "httpMethod": "POST",
            "uri": uri, "event": event, "eventFilter": filter, "userIdFilter": "",
            "headers": null, "authMethod": "none", "authData": null, "tokenNeeded": []});
        st.hooks.insert(id, hook);
        id
    }

    /// Forgets a webhook, as when Nextcloud's database was restored.
    pub fn lose(&self, id: i64) {
        self.state.lock().unwrap().hooks.remove(&id);
    }

    /// Refuses registrations (403) once `n` more have succeeded.
    pub fn refuse_after(&self, n: usize) {
        let mut st = self.state.lock().unwrap();
        st.refuse_after = Some(st.registered + n);
    }

    pub async fn request_count(&self) -> usize {
        self.server
            .received_requests()
            .await
            .unwrap_or_default()
            .len()
    }
}
