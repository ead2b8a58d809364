//! A minimal headless browser for Keycloak's login pages: it follows an
//! authorization link, signs in, approves a consent screen, and stops at the
//! redirect to our callback.

use crate::realm::Live;
use std::collections::BTreeMap;

use url::Url;

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
pub(super) async fn log_in_and_consent(kc: &Live, authorization_url: &Url, callback: &str) -> Url {
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
