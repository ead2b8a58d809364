//! HTTP toward the identity provider: two clients (GET for public documents,
//! POST for the token endpoint), client authentication, and the mapping of
//! OAuth error replies to `IdpError`.
//!
//! Tokens travel only in form bodies and headers; no body is ever logged.

use std::time::Duration;

use base64::Engine;
use reqwest::{Client, Response, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use url::Url;

use crate::adapters::body::{self, BodyError};
use crate::ports::identity::{IdpError, IdpOperation, OAuthErrorCode};

const USER_AGENT: &str = concat!("nextcloud-mcp/", env!("CARGO_PKG_VERSION"));
/// Replies larger than this are not OAuth replies.
const MAX_BODY: u64 = 1 << 20;

/// How this server authenticates to the token endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientAuthMethod {
    /// RFC 6749 2.3.1 HTTP Basic (the default).
    Basic,
    /// Credentials in the form body, for IdPs that only accept that.
    Post,
}

/// The client credentials of this server at the IdP.
#[derive(Clone)]
pub struct ClientCredentials {
    pub client_id: String,
    pub client_secret: Option<SecretString>,
}

impl std::fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("client_id", &self.client_id)
            .field("has_secret", &self.client_secret.is_some())
            .finish()
    }
}

#[derive(Clone)]
pub struct IdpHttp {
    get: Client,
    post: Client,
}

impl IdpHttp {
    pub fn new(timeout: Duration) -> Result<Self, IdpError> {
        crate::adapters::tls::install_crypto_provider();
        let build = |redirects: reqwest::redirect::Policy| {
            Client::builder()
                .user_agent(USER_AGENT)
                .timeout(timeout)
                .connect_timeout(timeout.min(Duration::from_secs(10)))
                .redirect(redirects)
                .build()
                .map_err(|e| IdpError::Misconfigured {
                    operation: IdpOperation::Discovery,
                    detail: format!("cannot build HTTP client: {e}"),
                })
        };
        Ok(Self {
            // Discovery and JWKS are public documents; a well-known URL is
            // often a redirect on Nextcloud. Credentials never go this way.
            get: build(reqwest::redirect::Policy::limited(3))?,
            // A redirect would resend client credentials elsewhere.
            post: build(reqwest::redirect::Policy::none())?,
        })
    }

    /// GET a public JSON document (discovery, JWKS).
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        url: &Url,
        operation: IdpOperation,
    ) -> Result<T, IdpError> {
        let resp = self
            .get
            .get(url.clone())
            .header("accept", "application/json")
            .send()
            .await
            .map_err(|e| transport(operation, &e))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(status_error(operation, status, url));
        }
        read_json(resp, operation).await
    }

    /// GET with the caller's bearer token (userinfo).
    pub async fn get_with_bearer(
        &self,
        url: &Url,
        token: &SecretString,
        operation: IdpOperation,
    ) -> Result<Response, IdpError> {
        self.post
            .get(url.clone())
            .bearer_auth(token.expose_secret())
            .header("accept", "application/json")
            .send()
            .await
            .map_err(|e| transport(operation, &e))
    }

    /// POST a form to an OAuth endpoint, authenticated as this server's client.
    /// A 2xx reply is decoded as `T`; an OAuth error reply becomes `Rejected`.
    pub async fn post_form<T: DeserializeOwned>(
        &self,
        url: &Url,
        credentials: &ClientCredentials,
        method: ClientAuthMethod,
        form: &[(&str, &str)],
        operation: IdpOperation,
    ) -> Result<T, IdpError> {
        let resp = self
            .send_form(url, credentials, method, form, operation)
            .await?;
        let status = resp.status();
        if status.is_success() {
            return read_json(resp, operation).await;
        }
        Err(error_reply(resp, operation, url).await)
    }

    /// POST a form, returning the raw response (revocation answers 200 with
    /// an empty body).
    pub async fn send_form(
        &self,
        url: &Url,
        credentials: &ClientCredentials,
        method: ClientAuthMethod,
        form: &[(&str, &str)],
        operation: IdpOperation,
    ) -> Result<Response, IdpError> {
        let mut fields: Vec<(&str, &str)> = form.to_vec();
        let mut request = self
            .post
            .post(url.clone())
            .header("accept", "application/json");
        match (&credentials.client_secret, method) {
            (Some(secret), ClientAuthMethod::Basic) => {
                request = request.header(
                    "authorization",
                    basic_header(&credentials.client_id, secret),
                );
            }
            (Some(secret), ClientAuthMethod::Post) => {
                fields.push(("client_id", &credentials.client_id));
                fields.push(("client_secret", secret.expose_secret()));
            }
            (None, _) => fields.push(("client_id", &credentials.client_id)),
        }
        request
            .form(&fields)
            .send()
            .await
            .map_err(|e| transport(operation, &e))
    }
}

/// RFC 6749 2.3.1: id and secret are form-urlencoded before being joined.
fn basic_header(client_id: &str, secret: &SecretString) -> String {
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let pair = format!("{}:{}", enc(client_id), enc(secret.expose_secret()));
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

pub(crate) fn transport(operation: IdpOperation, e: &reqwest::Error) -> IdpError {
    // reqwest's Display includes the URL; ours never carry a token, but keep
    // the message to the kind of failure anyway.
    let detail = if e.is_timeout() {
        "no answer in time".to_string()
    } else if let Some(host) = crate::adapters::dns::unresolved_host(e) {
        // The host may come from the discovery document rather than a
        // setting (an IdP advertising an internal name), so none is named.
        format!("cannot resolve host {host}")
    } else if e.is_connect() {
        "cannot connect".to_string()
    } else {
        "request failed".to_string()
    };
    IdpError::Unavailable { operation, detail }
}

fn status_error(operation: IdpOperation, status: StatusCode, url: &Url) -> IdpError {
    let at = format!("HTTP {} from {}", status.as_u16(), url_without_query(url));
    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
        IdpError::Unavailable {
            operation,
            detail: at,
        }
    } else {
        IdpError::Protocol {
            operation,
            detail: at,
        }
    }
}

pub(crate) fn url_without_query(url: &Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    let _ = u.set_password(None);
    let _ = u.set_username("");
    u.to_string()
}

/// The body, counted while it streams (a chunked reply has no length to check).
async fn read_body(resp: Response, operation: IdpOperation) -> Result<Vec<u8>, IdpError> {
    match body::read_capped(resp, MAX_BODY).await {
        Ok(bytes) => Ok(bytes),
        Err(BodyError::TooLarge) => Err(IdpError::Protocol {
            operation,
            detail: "reply too large".into(),
        }),
        Err(BodyError::Interrupted) => Err(IdpError::Unavailable {
            operation,
            detail: "the reply was interrupted".into(),
        }),
    }
}

pub(crate) async fn read_json<T: DeserializeOwned>(
    resp: Response,
    operation: IdpOperation,
) -> Result<T, IdpError> {
    let body = read_body(resp, operation).await?;
    // serde's message names the field, never echoes a string value.
    serde_json::from_slice(&body).map_err(|e| IdpError::Protocol {
        operation,
        detail: format!("invalid JSON: {}", e.classify_str()),
    })
}

trait ClassifyStr {
    fn classify_str(&self) -> String;
}

impl ClassifyStr for serde_json::Error {
    fn classify_str(&self) -> String {
        // The Display of a data error can quote an unexpected value; keep the
        // category and position only.
        format!(
            "{:?} error at line {} column {}",
            self.classify(),
            self.line(),
            self.column()
        )
    }
}

#[derive(Deserialize)]
struct OAuthErrorBody {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

/// Turns a non-2xx reply into an `IdpError`, reading an OAuth error body when
/// there is one.
pub(crate) async fn error_reply(resp: Response, operation: IdpOperation, url: &Url) -> IdpError {
    let status = resp.status();
    let Ok(body) = read_body(resp, operation).await else {
        return status_error(operation, status, url);
    };
    match serde_json::from_slice::<OAuthErrorBody>(&body) {
        Ok(err) => IdpError::Rejected {
            operation,
            code: OAuthErrorCode::parse(&sanitize(&err.error, 64)),
            description: err
                .error_description
                .map(|d| sanitize(&d, 300))
                .filter(|d| !d.is_empty()),
        },
        Err(_) => status_error(operation, status, url),
    }
}

/// Makes IdP-provided text safe for messages and logs: printable characters
/// only, bounded length, and any long token-like word replaced.
pub fn sanitize(text: &str, max_chars: usize) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let words: Vec<String> = cleaned
        .split(' ')
        .map(|w| {
            let tokenish = w.len() >= 32
                && w.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.~+/=".contains(c));
            if tokenish {
                "[redacted]".to_string()
            } else {
                w.to_string()
            }
        })
        .collect();
    let joined = words.join(" ");
    let mut out: String = joined.trim().chars().take(max_chars).collect();
    if joined.trim().chars().count() > max_chars {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_removes_token_like_words_and_control_characters() {
        let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlc2lnbmF0dXJl";
        let out = sanitize(&format!("Invalid token {jwt}\nretry"), 300);
        assert_eq!(out, "Invalid token [redacted] retry");
        assert_eq!(
            sanitize("Requested audience not available: nextcloud", 300),
            "Requested audience not available: nextcloud"
        );
        assert_eq!(sanitize(&"a ".repeat(400), 10).chars().count(), 11);
    }

    #[test]
    fn basic_header_encodes_both_parts() {
        let h = basic_header("my client", &SecretString::from("p@ss:word"));
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(h.trim_start_matches("Basic "))
            .unwrap();
        assert_eq!(
            String::from_utf8(decoded).unwrap(),
            "my+client:p%40ss%3Aword"
        );
    }

    #[test]
    fn credentials_debug_hides_the_secret() {
        let c = ClientCredentials {
            client_id: "id".into(),
            client_secret: Some(SecretString::from("s3cr3t")),
        };
        assert!(!format!("{c:?}").contains("s3cr3t"));
    }
}
