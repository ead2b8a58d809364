//! A Nextcloud stand-in that implements Login Flow v2 as the captures show it
//! (`login-flow/`): start, 404 `[]` while pending, one successful poll then
//! 404 again, the granted app password accepted on OCS and the Notes API,
//! `DELETE /ocs/v2.php/core/apppassword` revoking it, 401 afterwards. The
//! browser steps are one call: `approve` grants the flow to a login name.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use serde_json::json;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use super::fixtures::load;

#[derive(Default)]
struct State {
    /// Poll token -> flow.
    flows: HashMap<String, Flow>,
    /// App password -> login name, while valid.
    passwords: HashMap<String, String>,
    /// Every app password ever granted (for scans after revocation).
    granted: Vec<String>,
    poll_tokens: Vec<String>,
    counter: u64,
}

struct Flow {
    id: String,
    grant: Option<(String, String)>,
    spent: bool,
}

#[derive(Clone)]
pub struct LoginFlowStandIn {
    base: String,
    state: Arc<Mutex<State>>,
}

fn answer(folder: &str, name: &str) -> ResponseTemplate {
    load(folder, name).response.template()
}

impl LoginFlowStandIn {
    /// Mounts the stand-in on `server` ahead of anything else mounted there.
    pub async fn mount(server: &MockServer) -> Self {
        let standin = Self {
            base: server.uri(),
            state: Arc::default(),
        };
        Mock::given(wiremock::matchers::any())
            .respond_with(standin.clone())
            .with_priority(1)
            .mount(server)
            .await;
        standin
    }

    /// The browser steps: the user signs in as `login` on the flow behind
    /// `login_url` and grants access. Answers the new app password.
    pub fn approve(&self, login_url: &str, login: &str) -> String {
        let mut state = self.state.lock().unwrap();
        state.counter += 1;
        let password = format!(
            "{login}-AppPw-{:04}-{}",
            state.counter, "Xk2Vq9LmZ4Rt7Yb1Nc6Hd3Jf8Gs5Pw0QeUaTiOyRlKjMnBvCxZ"
        );
        let id = login_url.rsplit('/').next().unwrap().to_string();
        let flow = state
            .flows
            .values_mut()
            .find(|f| f.id == id)
            .expect("a flow behind this login URL");
        flow.grant = Some((login.to_string(), password.clone()));
        state.passwords.insert(password.clone(), login.to_string());
        state.granted.push(password.clone());
        password
    }

    /// The user creates an app password in Nextcloud's security settings,
    /// without a login flow (what multi-user basic callers send).
    pub fn issue(&self, login: &str) -> String {
        let mut state = self.state.lock().unwrap();
        state.counter += 1;
        let password = format!(
            "{login}-Issued-{:04}-{}",
            state.counter, "Wq7Ne3RbT9Ym2Kp5Lx8Hc1Vd4Jg6Fs0ZaUoIeYrTkMnBvCx"
        );
        state.passwords.insert(password.clone(), login.to_string());
        state.granted.push(password.clone());
        password
    }

    /// The user deletes every app password of `login` in Nextcloud's settings.
    pub fn revoke_all_of(&self, login: &str) {
        let mut state = self.state.lock().unwrap();
        state
            .passwords
            .retain(|_, l| !l.eq_ignore_ascii_case(login));
    }

    /// App passwords of `login` Nextcloud still accepts.
    pub fn valid_passwords_of(&self, login: &str) -> Vec<String> {
        let state = self.state.lock().unwrap();
        state
            .passwords
            .iter()
            .filter(|(_, l)| l.eq_ignore_ascii_case(login))
            .map(|(p, _)| p.clone())
            .collect()
    }

    /// Every app password and poll token ever handed out.
    pub fn every_secret(&self) -> Vec<String> {
        let state = self.state.lock().unwrap();
        state
            .granted
            .iter()
            .chain(state.poll_tokens.iter())
            .cloned()
            .collect()
    }

    fn start(&self) -> ResponseTemplate {
        let mut state = self.state.lock().unwrap();
        state.counter += 1;
        let token = format!(
            "PollTok{:04}{}",
            state.counter, "VLa42UMm93m5TF265qyhRhjdYVaclGK4GCSXI1zl0kB1NXc9"
        );
        let id = format!("FlowId{:04}tq2BZ4WlsV1Xcsm50APFgXMUUFZDz9b8", state.counter);
        state.flows.insert(
            token.clone(),
            Flow {
                id: id.clone(),
                grant: None,
                spent: false,
            },
        );
        state.poll_tokens.push(token.clone());
        let mut body = load("login-flow", "01-init").response.body_json();
        body["poll"]["token"] = json!(token);
        body["poll"]["endpoint"] = json!(format!("{}/index.php/login/v2/poll", self.base));
        body["login"] = json!(format!("{}/index.php/login/v2/flow/{id}", self.base));
        ResponseTemplate::new(200).set_body_json(body)
    }

    fn poll(&self, request: &Request) -> ResponseTemplate {
        let token = url::form_urlencoded::parse(&request.body)
            .find(|(k, _)| k == "token")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        let mut state = self.state.lock().unwrap();
        match state.flows.get_mut(&token) {
            Some(Flow {
                grant: Some((login, password)),
                spent,
                ..
            }) if !*spent => {
                *spent = true;
                let mut body = load("login-flow", "10-poll-granted").response.body_json();
                body["server"] = json!(self.base);
                body["loginName"] = json!(login);
                body["appPassword"] = json!(password);
                ResponseTemplate::new(200).set_body_json(body)
            }
            // Pending, unknown and spent tokens all answer the same 404.
            _ => answer("login-flow", "02-poll-pending"),
        }
    }

    /// Rotation as captured (`auth/05`): the presented app password stops
    /// working and a new one of the same login takes its place.
    fn rotate(&self, request: &Request, login: &str) -> ResponseTemplate {
        let header = request
            .headers
            .get("authorization")
            .unwrap()
            .to_str()
            .unwrap();
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(header.strip_prefix("Basic ").unwrap())
            .unwrap();
        let text = String::from_utf8(decoded).unwrap();
        let (_, old) = text.split_once(':').unwrap();
        let mut state = self.state.lock().unwrap();
        state.counter += 1;
        let fresh = format!(
            "{login}-Rotated-{:04}-{}",
            state.counter, "lLyEMVBbmKiDq1YNrPgjACLUsocpkVhF7xCI8JIUIVyso8hy7fI"
        );
        state.passwords.remove(old);
        state.passwords.insert(fresh.clone(), login.to_string());
        state.granted.push(fresh.clone());
        let mut body = load("auth", "05-apppassword-rotate").response.body_json();
        body["ocs"]["data"]["apppassword"] = json!(fresh);
        ResponseTemplate::new(200).set_body_json(body)
    }

    /// The login name whose valid app password authenticates `request`.
    fn authenticated(&self, request: &Request) -> Option<String> {
        let header = request.headers.get("authorization")?.to_str().ok()?;
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(header.strip_prefix("Basic ")?)
            .ok()?;
        let (login, password) = std::str::from_utf8(&decoded).ok()?.split_once(':')?;
        let state = self.state.lock().unwrap();
        let owner = state.passwords.get(password)?;
        owner.eq_ignore_ascii_case(login).then(|| owner.clone())
    }
}

impl Respond for LoginFlowStandIn {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let path = request.url.path();
        let method = request.method.as_str();
        match (method, path) {
            ("POST", "/index.php/login/v2") => return self.start(),
            ("POST", "/index.php/login/v2/poll") => return self.poll(request),
            _ => {}
        }
        let Some(login) = self.authenticated(request) else {
            return answer("login-flow", "14-use-deleted-app-password-401");
        };
        match (method, path) {
            ("GET", "/ocs/v2.php/cloud/user") => {
                let mut body = load("login-flow", "12-use-new-app-password")
                    .response
                    .body_json();
                body["ocs"]["data"]["id"] = json!(login);
                ResponseTemplate::new(200).set_body_json(body)
            }
            ("DELETE", "/ocs/v2.php/core/apppassword") => {
                let header = request
                    .headers
                    .get("authorization")
                    .unwrap()
                    .to_str()
                    .unwrap();
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(header.strip_prefix("Basic ").unwrap())
                    .unwrap();
                let text = String::from_utf8(decoded).unwrap();
                let (_, password) = text.split_once(':').unwrap();
                self.state.lock().unwrap().passwords.remove(password);
                answer("login-flow", "13-delete-new-app-password")
            }
            ("POST", "/ocs/v2.php/core/apppassword/rotate") => self.rotate(request, &login),
            ("GET", "/index.php/apps/notes/api/v1/notes/213") => {
                let mut body = load("notes", "07-get").response.body_json();
                body["title"] = json!(format!("note of {login}"));
                ResponseTemplate::new(200).set_body_json(body)
            }
            _ => ResponseTemplate::new(404),
        }
    }
}
