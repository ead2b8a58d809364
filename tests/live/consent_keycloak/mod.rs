//! Progressive consent (offline access) end to end against a REAL Keycloak started by
//! scripts/live/keycloak.sh:
//!
//!     eval "$(scripts/live/keycloak.sh start)"
//!     NEXTCLOUD_MCP_LIVE_TESTS=1 cargo test --test live consent_keycloak::
//!
//! The server runs in-process in pass-through mode with progressive consent,
//! a sealed SQLite store and a wiremock Nextcloud. A sign-in token from
//! Keycloak's password grant calls `provision_nextcloud_access`; the
//! authorization link is then followed headlessly (login form, consent if
//! any) until Keycloak redirects to our `/oauth/callback`. The refresh token
//! stored there must be sealed at rest, a background job must reach Nextcloud
//! with a refreshed access token, and revocation must end it at Keycloak.
//!
//! Without NEXTCLOUD_MCP_TEST_KEYCLOAK_URL the test skips, unless
//! NEXTCLOUD_MCP_LIVE_TESTS=1 says it must run (then it fails).

use crate::realm::{Live, live};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use crate::support::e2e::{Client, assert_ok, basic_config, call, text_of};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use nextcloud_mcp::adapters::idp::IdpConfig;
use nextcloud_mcp::adapters::nextcloud::HttpNextcloud;
use nextcloud_mcp::adapters::store::crypto::{Keyring, SealingKey};
use nextcloud_mcp::adapters::store::open_store;
use nextcloud_mcp::app::config::{Config, HttpSettings, OAuthConfig, default_callback_url};
use nextcloud_mcp::app::startup::Application;
use nextcloud_mcp::app::wiring;
use nextcloud_mcp::domain::audit::AuditKind;
use nextcloud_mcp::domain::credential::AuthMode;
use nextcloud_mcp::ports::store::Store;
use nextcloud_mcp::service::offline::{AccessCheck, check_nextcloud_access};
use rmcp::ServiceExt;
use rmcp::model::ClientConfig;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use url::Url;
use wiremock::matchers::{header_regex, method, path};
use wiremock::{Mock, MockServer};

const CURRENT_USER_PATH: &str = "/ocs/v2.php/cloud/user";

trait LiveExt {
    async fn flow_one_token(&self) -> String;
    async fn try_refresh(&self, refresh_token: &str) -> (u16, Option<String>);
}

impl LiveExt for Live {
    /// A sign-in token for the test user, from the login client's password
    /// grant; its audience mapper names this server's client id.
    async fn flow_one_token(&self) -> String {
        self.password_grant(&self.login_client).await
    }

    /// Uses a refresh token directly at Keycloak as this server's client;
    /// answers the HTTP status and the OAuth `error`, if any.
    async fn try_refresh(&self, refresh_token: &str) -> (u16, Option<String>) {
        let resp = reqwest::Client::new()
            .post(self.token_endpoint())
            .basic_auth(&self.client_id, Some(&self.client_secret))
            .form(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token),
            ])
            .send()
            .await
            .expect("Keycloak answers");
        let status = resp.status().as_u16();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        (status, body["error"].as_str().map(str::to_string))
    }
}

/// The claims of a JWT, unverified (for assertions only).
fn jwt_claims(token: &str) -> Value {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "not a JWT: {} parts", parts.len());
    let bytes = URL_SAFE_NO_PAD
        .decode(parts[1].trim_end_matches('='))
        .expect("base64url JWT payload");
    serde_json::from_slice(&bytes).expect("JSON JWT payload")
}

// ----- The server under test -----

struct Server {
    base_url: String,
    config: Config,
    store_path: String,
    keyring: Keyring,
    nextcloud: MockServer,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

/// The resource URL the realm's audience mapper puts in every access token.
const REALM_RESOURCE: &str = "http://127.0.0.1:8000/mcp";

impl Server {
    /// Binds first, so `server_url` (and with it the redirect URI) names the
    /// real port; the realm's `http://127.0.0.1/*` accepts any loopback port.
    async fn start(kc: &Live) -> Server {
        let nextcloud = MockServer::start().await;
        // Any bearer is "admin" here; what the job sent is checked afterwards.
        Mock::given(method("GET"))
            .and(path(CURRENT_USER_PATH))
            .and(header_regex("authorization", "^Bearer .+"))
            .respond_with(
                crate::support::fixtures::load("ocs-capabilities", "06-current-user-v2")
                    .response
                    .template(),
            )
            .mount(&nextcloud)
            .await;

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let base_url = format!("http://{address}");
        let server_url = Url::parse(&format!("{base_url}/mcp")).unwrap();

        let mut config = basic_config(&nextcloud.uri(), Duration::from_secs(10));
        config.mode = AuthMode::PassThrough {
            nextcloud_audience: "nextcloud".into(),
        };
        let mut idp = IdpConfig::new(Url::parse(&kc.issuer()).unwrap(), &kc.client_id);
        idp.client_secret = Some(SecretString::from(kc.client_secret.clone()));
        // Access tokens must name this resource; the realm's audience mapper
        // names the fixed resource URL, not this test's random port.
        idp.resource = Some(REALM_RESOURCE.into());
        config.oauth = Some(OAuthConfig {
            idp,
            callback_url: default_callback_url(&server_url),
            server_url,
        });
        let keyring = Keyring::new(1, SealingKey::generate().unwrap());
        config.store.keyring = Some(keyring.clone());
        config.store.progressive_consent = true;
        let store_path = config.store.location.expose_secret().to_string();

        let app =
            Application::build_on(config.clone(), listener, HttpSettings::loopback_any_port())
                .await
                .expect("start-up against Keycloak");
        assert!(app.runs_grant_keeper(), "progressive consent is wired");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(app.run_until_stopped(async move {
            let _ = stopped.await;
        }));
        Server {
            base_url,
            config,
            store_path,
            keyring,
            nextcloud,
            stop: Some(stop),
            task: Some(task),
        }
    }

    fn callback_url(&self) -> String {
        format!("{}/oauth/callback", self.base_url)
    }

    async fn connect(&self, bearer: &str) -> Client {
        let transport = StreamableHttpClientTransport::from_config(
            StreamableHttpClientTransportConfig::with_uri(format!("{}/mcp", self.base_url))
                .auth_header(bearer.to_string()),
        );
        ClientConfig::default()
            .serve(transport)
            .await
            .expect("MCP initialize with a Keycloak token")
    }

    async fn store(&self) -> std::sync::Arc<dyn Store> {
        open_store(&self.store_path, Some(self.keyring.clone()))
            .await
            .unwrap()
    }

    /// Every file SQLite keeps for the store (the database, its WAL, ...).
    fn raw_store_bytes(&self) -> Vec<(String, Vec<u8>)> {
        let db = Path::new(&self.store_path);
        let prefix = db.file_name().unwrap().to_string_lossy().into_owned();
        std::fs::read_dir(db.parent().unwrap())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
            .map(|e| {
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect()
    }

    /// The bearer tokens the mock Nextcloud received, oldest first.
    async fn bearers_seen(&self) -> Vec<String> {
        self.nextcloud
            .received_requests()
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.url.path() == CURRENT_USER_PATH)
            .filter_map(|r| {
                r.headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.strip_prefix("Bearer "))
                    .map(str::to_string)
            })
            .collect()
    }

    async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("server task").expect("server result");
        }
    }
}

// ----- A minimal headless browser for Keycloak's login pages -----

/// No redirects followed; cookies kept by hand for Keycloak's origin only
/// (Keycloak's login needs its session cookies back, whatever their flags).
struct Browser {
    http: reqwest::Client,
    origin: String,
    cookies: BTreeMap<String, String>,
}

impl Browser {
    fn new(keycloak_url: &str) -> Browser {
        let origin = Url::parse(keycloak_url)
            .unwrap()
            .origin()
            .ascii_serialization();
        Browser {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            origin,
            cookies: BTreeMap::new(),
        }
    }

    fn same_origin(&self, url: &str) -> bool {
        Url::parse(url)
            .map(|u| u.origin().ascii_serialization() == self.origin)
            .unwrap_or(false)
    }

    fn with_cookies(&self, url: &str, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        if self.cookies.is_empty() || !self.same_origin(url) {
            return request;
        }
        let header = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        request.header("Cookie", header)
    }

    fn remember(&mut self, resp: &reqwest::Response) {
        if !self.same_origin(resp.url().as_str()) {
            return;
        }
        for value in resp.headers().get_all("set-cookie") {
            let Ok(value) = value.to_str() else { continue };
            let pair = value.split(';').next().unwrap_or_default();
            let Some((name, content)) = pair.split_once('=') else {
                continue;
            };
            let (name, content) = (name.trim().to_string(), content.trim().to_string());
            let expired = value.to_ascii_lowercase().contains("max-age=0");
            if content.is_empty() || expired {
                self.cookies.remove(&name);
            } else {
                self.cookies.insert(name, content);
            }
        }
    }

    async fn get(&mut self, url: &str) -> reqwest::Response {
        let resp = self
            .with_cookies(url, self.http.get(url))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {url}: {e}"));
        self.remember(&resp);
        resp
    }

    async fn post_form(&mut self, url: &str, form: &[(String, String)]) -> reqwest::Response {
        let resp = self
            .with_cookies(url, self.http.post(url).form(form))
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {url}: {e}"));
        self.remember(&resp);
        resp
    }
}

fn html_unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let Some(end) = rest.find(';').filter(|&e| e <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The value of `name="..."` in one tag, unescaped.
fn attr(tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let len = tag[start..].find('"')?;
    Some(html_unescape(&tag[start..start + len]))
}

/// Every `<form ...>` element: its opening tag and its inner HTML.
fn forms(html: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<form") {
        let from = &rest[start..];
        let Some(tag_end) = from.find('>') else { break };
        let body_end = from.find("</form>").unwrap_or(from.len());
        out.push((
            &from[..=tag_end],
            &from[tag_end + 1..body_end.max(tag_end + 1)],
        ));
        rest = &from[tag_end + 1..];
    }
    out
}

/// The hidden inputs of a form, as (name, value).
fn hidden_inputs(form_body: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = form_body;
    while let Some(start) = rest.find("<input") {
        let from = &rest[start..];
        let end = from.find('>').unwrap_or(from.len() - 1);
        let tag = &from[..=end];
        if attr(tag, "type").as_deref() == Some("hidden")
            && let Some(name) = attr(tag, "name")
        {
            out.push((name, attr(tag, "value").unwrap_or_default()));
        }
        rest = &from[end + 1..];
    }
    out
}

fn page_title(html: &str) -> String {
    html.split_once("<title>")
        .and_then(|(_, t)| t.split_once("</title>"))
        .map(|(t, _)| html_unescape(t.trim()))
        .unwrap_or_else(|| "(no title)".into())
}

/// Follows the authorization link like a user would: signs in on Keycloak's
/// login form, approves a consent screen if one appears, and stops at the
/// redirect to our callback, which it answers (not yet followed).
async fn log_in_and_consent(kc: &Live, authorization_url: &Url, callback: &str) -> Url {
    let mut browser = Browser::new(&kc.url);
    let mut resp = browser.get(authorization_url.as_str()).await;
    let mut logged_in = false;
    for _ in 0..12 {
        let here = resp.url().clone();
        if resp.status().is_redirection() {
            let location = resp
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_else(|| panic!("redirect without Location from {here}"));
            let next = here.join(location).expect("valid Location");
            if next.as_str().starts_with(callback) {
                return next;
            }
            assert!(
                browser.same_origin(next.as_str()),
                "Keycloak redirected somewhere unexpected: {next}"
            );
            resp = browser.get(next.as_str()).await;
            continue;
        }
        let status = resp.status();
        let html = resp.text().await.unwrap();
        assert!(
            status.is_success(),
            "Keycloak answered HTTP {status} at {here}: {}",
            page_title(&html)
        );
        let found = forms(&html);
        if let Some((tag, _)) = found
            .iter()
            .find(|(tag, _)| attr(tag, "id").as_deref() == Some("kc-form-login"))
        {
            assert!(
                !logged_in,
                "the login form came back after signing in: {}",
                page_title(&html)
            );
            let action = attr(tag, "action").expect("login form action");
            let action = here.join(&action).expect("absolute action URL");
            assert!(browser.same_origin(action.as_str()), "{action}");
            let form = vec![
                ("username".to_string(), kc.user.clone()),
                ("password".to_string(), kc.password.clone()),
                ("credentialId".to_string(), String::new()),
            ];
            resp = browser.post_form(action.as_str(), &form).await;
            logged_in = true;
            continue;
        }
        if let Some((tag, body)) = found
            .iter()
            .find(|(_, body)| body.contains("name=\"accept\""))
        {
            // A consent screen ("grant access to ..."): approve it.
            let action = attr(tag, "action").expect("consent form action");
            let action = here.join(&action).expect("absolute action URL");
            let mut form = hidden_inputs(body);
            form.push(("accept".into(), "Yes".into()));
            resp = browser.post_form(action.as_str(), &form).await;
            continue;
        }
        panic!(
            "unexpected Keycloak page at {here}: {} ({} forms)",
            page_title(&html),
            found.len()
        );
    }
    panic!("no redirect to {callback} after 12 steps");
}

fn param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

async fn audit_kinds(store: &dyn Store, subject: &str) -> Vec<(AuditKind, bool)> {
    store
        .recent_audit(Some(subject.to_string()), 50)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.kind, e.outcome.is_success()))
        .collect()
}

#[tokio::test]
async fn flow_two_against_keycloak_grants_refreshes_and_revokes() {
    let Some(kc) = live("keycloak consent test") else {
        return;
    };
    nextcloud_mcp::adapters::nextcloud::http::install_crypto_provider();
    let server = Server::start(&kc).await;

    // Sign-in: the user's own token, for this server.
    let flow_one = kc.flow_one_token().await;
    let flow_one_claims = jwt_claims(&flow_one);
    let subject = flow_one_claims["sub"]
        .as_str()
        .expect("sub in the sign-in token")
        .to_string();
    let client = server.connect(&flow_one).await;

    let status = assert_ok(
        "check_provisioning_status",
        &call(&client, "check_provisioning_status", json!({})).await,
    );
    assert_eq!(status["provisioned"], false, "{status}");

    // Offline access starts: a Keycloak authorization link for this server's client.
    let link = assert_ok(
        "provision_nextcloud_access",
        &call(&client, "provision_nextcloud_access", json!({})).await,
    );
    let authorization_url = Url::parse(link["authorization_url"].as_str().unwrap()).unwrap();
    assert!(
        authorization_url
            .as_str()
            .starts_with(&format!("{}/protocol/openid-connect/auth?", kc.issuer())),
        "{authorization_url}"
    );
    assert_eq!(
        param(&authorization_url, "client_id").as_deref(),
        Some(kc.client_id.as_str())
    );
    assert_eq!(
        param(&authorization_url, "redirect_uri"),
        Some(server.callback_url())
    );
    assert!(
        param(&authorization_url, "scope")
            .unwrap_or_default()
            .split(' ')
            .any(|s| s == "offline_access"),
        "{authorization_url}"
    );
    assert_eq!(
        param(&authorization_url, "code_challenge_method").as_deref(),
        Some("S256")
    );

    // The user signs in at Keycloak; Keycloak sends the browser back to us.
    let callback = log_in_and_consent(&kc, &authorization_url, &server.callback_url()).await;
    assert_eq!(
        param(&callback, "state"),
        param(&authorization_url, "state"),
        "Keycloak returns our state"
    );
    assert!(param(&callback, "code").is_some(), "{callback}");
    assert!(param(&callback, "error").is_none(), "{callback}");
    let granted = reqwest::get(callback.as_str()).await.unwrap();
    let granted_status = granted.status();
    let granted_page = granted.text().await.unwrap();
    assert_eq!(granted_status, 200, "{granted_page}");
    assert!(
        granted_page.contains("Nextcloud access granted"),
        "{granted_page}"
    );
    let replay = reqwest::get(callback.as_str()).await.unwrap();
    assert_eq!(replay.status(), 400, "a callback works once");

    let status = assert_ok(
        "check_provisioning_status",
        &call(&client, "check_provisioning_status", json!({})).await,
    );
    assert_eq!(status["provisioned"], true, "{status}");
    assert!(
        status["scopes"]
            .as_array()
            .is_some_and(|s| s.iter().any(|s| s == "offline_access")),
        "{status}"
    );

    // The grant: an offline token of this server's client, for this user,
    // stored sealed (no copy of it, or of any part of it, in clear on disk).
    let store = server.store().await;
    let issuer = kc.issuer();
    let first = store
        .get_grant(&subject, &issuer)
        .await
        .unwrap()
        .expect("a stored grant for the sign-in subject");
    let first_token = first.refresh_token.expose_secret().to_string();
    let claims = jwt_claims(&first_token);
    assert_eq!(claims["typ"], "Offline", "an offline token: {claims}");
    assert_eq!(claims["azp"], kc.client_id.as_str(), "{claims}");
    assert_eq!(claims["sub"], subject.as_str(), "{claims}");
    let files = server.raw_store_bytes();
    assert!(!files.is_empty(), "the store has files");
    for (name, bytes) in &files {
        for needle in std::iter::once(first_token.as_str())
            .chain(first_token.split('.').filter(|part| part.len() >= 16))
        {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "{name} holds the refresh token (or part of it) in clear"
            );
        }
    }

    // A background job, on its own wiring of the same store (as a replica
    // would), refreshes at Keycloak and reaches Nextcloud with the new token.
    let replica = wiring::wire(&server.config).await.expect("second wiring");
    let offline = replica.offline.expect("offline access is wired");
    let connector = HttpNextcloud::new(
        Url::parse(&server.nextcloud.uri()).unwrap(),
        Duration::from_secs(10),
    )
    .unwrap();
    assert_eq!(
        check_nextcloud_access(&offline, &connector, &subject).await,
        AccessCheck::Works {
            nextcloud_user: "admin".into()
        }
    );
    let seen = server.bearers_seen().await;
    assert_eq!(seen.len(), 1, "one Nextcloud call");
    let job_token = &seen[0];
    assert_ne!(job_token, &flow_one, "not the caller's sign-in token");
    assert_ne!(job_token, &first_token, "not the refresh token");
    let job_claims = jwt_claims(job_token);
    assert_eq!(job_claims["iss"], issuer.as_str(), "{job_claims}");
    assert_eq!(job_claims["sub"], subject.as_str(), "{job_claims}");
    assert_eq!(job_claims["azp"], kc.client_id.as_str(), "{job_claims}");
    assert_eq!(job_claims["typ"], "Bearer", "{job_claims}");

    // Keycloak may rotate the refresh token; either way the store holds a
    // working offline token for the user.
    let second = store
        .get_grant(&subject, &issuer)
        .await
        .unwrap()
        .expect("still provisioned after the refresh");
    let second_token = second.refresh_token.expose_secret().to_string();
    let rotated = second_token != first_token;
    println!("refresh token rotated by Keycloak: {rotated}");
    assert_eq!(jwt_claims(&second_token)["typ"], "Offline");
    assert_eq!(second.scopes, first.scopes);
    for (name, bytes) in server.raw_store_bytes() {
        assert!(
            !bytes
                .windows(second_token.len())
                .any(|w| w == second_token.as_bytes()),
            "{name} holds the rotated refresh token in clear"
        );
    }
    // The stored one works: a second job run uses it (and may rotate again).
    assert_eq!(
        check_nextcloud_access(&offline, &connector, &subject).await,
        AccessCheck::Works {
            nextcloud_user: "admin".into()
        }
    );
    let seen = server.bearers_seen().await;
    assert_eq!(seen.len(), 2);
    assert_ne!(seen[1], seen[0], "a fresh access token each run");
    let kinds = audit_kinds(&*store, &subject).await;
    assert!(kinds.contains(&(AuditKind::Refreshed, true)), "{kinds:?}");
    assert!(
        !kinds.iter().any(|(_, success)| !success),
        "no failure so far: {kinds:?}"
    );

    // Revocation: at Keycloak (RFC 7009) and here.
    let before_revocation = store
        .get_grant(&subject, &issuer)
        .await
        .unwrap()
        .expect("provisioned before revocation")
        .refresh_token
        .expose_secret()
        .to_string();
    let revoked = call(&client, "revoke_nextcloud_access", json!({})).await;
    assert_ok("revoke_nextcloud_access", &revoked);
    println!("revoke: {}", text_of(&revoked));
    assert!(
        store.get_grant(&subject, &issuer).await.unwrap().is_none(),
        "the grant is deleted here"
    );
    let (http_status, error) = kc.try_refresh(&before_revocation).await;
    assert_eq!(
        (http_status, error.as_deref()),
        (400, Some("invalid_grant")),
        "Keycloak no longer honours the revoked offline token"
    );
    let status = assert_ok(
        "check_provisioning_status",
        &call(&client, "check_provisioning_status", json!({})).await,
    );
    assert_eq!(status["provisioned"], false, "{status}");

    // The job now fails cleanly, saying why, and reaches no one.
    match check_nextcloud_access(&offline, &connector, &subject).await {
        AccessCheck::Failed { reason } => assert!(
            reason.contains("has not granted offline access"),
            "{reason}"
        ),
        other => panic!("expected a failure after revocation, got {other:?}"),
    }
    assert_eq!(server.bearers_seen().await.len(), 2, "no Nextcloud call");

    let kinds = audit_kinds(&*store, &subject).await;
    for kind in [
        AuditKind::ConsentStarted,
        AuditKind::Provisioned,
        AuditKind::Refreshed,
        AuditKind::Revoked,
    ] {
        assert!(kinds.contains(&(kind, true)), "{kind:?} in {kinds:?}");
    }

    client.cancel().await.unwrap();
    server.shutdown().await;
}
