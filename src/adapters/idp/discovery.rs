//! OpenID Connect discovery, cached and refreshed after a TTL. When a refresh
//! fails, the last good document is kept (the IdP being briefly down must not
//! take every caller down with it), the failure is remembered, and no new
//! try is made for [`RETRY_BACKOFF`]: one caller waits for a refresh at a
//! time, the others get the stale document at once.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use serde::Deserialize;
use url::Url;

use super::http::IdpHttp;
use crate::ports::identity::{IdpError, IdpMetadata, IdpOperation};

const WELL_KNOWN: &str = ".well-known/openid-configuration";

/// After a failed fetch, how long no new fetch is tried.
pub const RETRY_BACKOFF: Duration = Duration::from_secs(30);

/// The parts of an OpenID Provider's metadata this server uses.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct DiscoveryDocument {
    pub issuer: String,
    pub authorization_endpoint: Url,
    pub token_endpoint: Url,
    #[serde(default)]
    pub jwks_uri: Option<Url>,
    #[serde(default)]
    pub userinfo_endpoint: Option<Url>,
    #[serde(default)]
    pub revocation_endpoint: Option<Url>,
    #[serde(default)]
    pub introspection_endpoint: Option<Url>,
    #[serde(default)]
    pub scopes_supported: Vec<String>,
    #[serde(default)]
    pub grant_types_supported: Vec<String>,
    #[serde(default)]
    pub code_challenge_methods_supported: Vec<String>,
    #[serde(default)]
    pub token_endpoint_auth_methods_supported: Vec<String>,
}

impl DiscoveryDocument {
    pub fn metadata(&self) -> IdpMetadata {
        IdpMetadata {
            issuer: self.issuer.clone(),
            authorization_endpoint: self.authorization_endpoint.clone(),
            token_endpoint: self.token_endpoint.clone(),
            jwks_uri: self.jwks_uri.clone(),
            userinfo_endpoint: self.userinfo_endpoint.clone(),
            revocation_endpoint: self.revocation_endpoint.clone(),
            introspection_endpoint: self.introspection_endpoint.clone(),
            scopes_supported: self.scopes_supported.clone(),
            grant_types_supported: self.grant_types_supported.clone(),
            code_challenge_methods_supported: self.code_challenge_methods_supported.clone(),
        }
    }
}

/// Accepts an issuer URL or a full discovery URL and returns the discovery URL.
pub fn discovery_url(issuer_or_discovery: &Url) -> Url {
    let path = issuer_or_discovery.path();
    if path.contains("/.well-known/") || path.ends_with("/openid-configuration") {
        return issuer_or_discovery.clone();
    }
    let mut url = issuer_or_discovery.clone();
    let base = path.trim_end_matches('/');
    url.set_path(&format!("{base}/{WELL_KNOWN}"));
    url
}

/// The issuer a `.well-known` discovery URL implies (OIDC Discovery 4.3), if
/// the URL has that shape.
pub fn implied_issuer(discovery: &Url) -> Option<String> {
    let path = discovery.path();
    let base = path.strip_suffix(&format!("/{WELL_KNOWN}"))?;
    let mut url = discovery.clone();
    url.set_path(base);
    url.set_query(None);
    Some(url.as_str().trim_end_matches('/').to_string())
}

struct Cached {
    doc: Arc<DiscoveryDocument>,
    fetched: Instant,
}

pub struct Discovery {
    http: IdpHttp,
    url: Url,
    ttl: Duration,
    state: RwLock<Option<Cached>>,
    refresh: tokio::sync::Mutex<()>,
    /// The last failed fetch, while it is recent enough to hold off retries.
    failed: RwLock<Option<(Instant, IdpError)>>,
}

impl Discovery {
    pub fn new(http: IdpHttp, url: Url, ttl: Duration) -> Self {
        Self {
            http,
            url,
            ttl,
            state: RwLock::new(None),
            refresh: tokio::sync::Mutex::new(()),
            failed: RwLock::new(None),
        }
    }

    pub fn url(&self) -> &Url {
        &self.url
    }

    fn fresh(&self) -> Option<Arc<DiscoveryDocument>> {
        let state = self.state.read().unwrap_or_else(|e| e.into_inner());
        state
            .as_ref()
            .filter(|c| c.fetched.elapsed() < self.ttl)
            .map(|c| c.doc.clone())
    }

    fn stale(&self) -> Option<Arc<DiscoveryDocument>> {
        let state = self.state.read().unwrap_or_else(|e| e.into_inner());
        state.as_ref().map(|c| c.doc.clone())
    }

    /// Within the backoff after a failure: the stale document, or the
    /// failure again, without asking the IdP.
    fn backing_off(&self) -> Option<Result<Arc<DiscoveryDocument>, IdpError>> {
        let failed = self.failed.read().unwrap_or_else(|e| e.into_inner());
        let (at, error) = failed.as_ref()?;
        if at.elapsed() >= RETRY_BACKOFF {
            return None;
        }
        Some(self.stale().ok_or_else(|| error.clone()))
    }

    /// The current document, fetched when missing or older than the TTL.
    pub async fn get(&self) -> Result<Arc<DiscoveryDocument>, IdpError> {
        if let Some(doc) = self.fresh() {
            return Ok(doc);
        }
        if let Some(result) = self.backing_off() {
            return result;
        }
        // Single flight: while one caller refreshes, the others serve the
        // stale document rather than queue behind the IdP's timeout.
        let _guard = match self.refresh.try_lock() {
            Ok(guard) => guard,
            Err(_) => match self.stale() {
                Some(doc) => return Ok(doc),
                None => self.refresh.lock().await,
            },
        };
        if let Some(doc) = self.fresh() {
            return Ok(doc);
        }
        if let Some(result) = self.backing_off() {
            return result;
        }
        match self.fetch().await {
            Ok(doc) => {
                let doc = Arc::new(doc);
                *self.state.write().unwrap_or_else(|e| e.into_inner()) = Some(Cached {
                    doc: doc.clone(),
                    fetched: Instant::now(),
                });
                *self.failed.write().unwrap_or_else(|e| e.into_inner()) = None;
                Ok(doc)
            }
            Err(err) => {
                *self.failed.write().unwrap_or_else(|e| e.into_inner()) =
                    Some((Instant::now(), err.clone()));
                let state = self.state.read().unwrap_or_else(|e| e.into_inner());
                match state.as_ref() {
                    Some(stale) => {
                        tracing::warn!(error = %err, "identity provider discovery refresh failed; keeping the previous document");
                        Ok(stale.doc.clone())
                    }
                    None => Err(err),
                }
            }
        }
    }

    /// Fetches the document now, past the cache and the retry backoff, and
    /// leaves both as they are: a readiness probe must see an outage the
    /// cache hides, without changing what callers are served.
    pub async fn probe(&self) -> Result<(), IdpError> {
        self.fetch().await.map(|_| ())
    }

    async fn fetch(&self) -> Result<DiscoveryDocument, IdpError> {
        let doc: DiscoveryDocument = self
            .http
            .get_json(&self.url, IdpOperation::Discovery)
            .await?;
        if let Some(expected) = implied_issuer(&self.url)
            && doc.issuer.trim_end_matches('/') != expected
        {
            return Err(IdpError::Misconfigured {
                operation: IdpOperation::Discovery,
                detail: format!(
                    "the discovery document at {} names issuer {}, expected {expected}; \
                     configure the issuer URL the identity provider uses in its tokens",
                    self.url, doc.issuer
                ),
            });
        }
        Ok(doc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuer_urls_get_the_well_known_suffix() {
        let u = Url::parse("http://127.0.0.1:18080/realms/nextcloud-mcp").unwrap();
        assert_eq!(
            discovery_url(&u).as_str(),
            "http://127.0.0.1:18080/realms/nextcloud-mcp/.well-known/openid-configuration"
        );
        let slash = Url::parse("https://cloud.example/").unwrap();
        assert_eq!(
            discovery_url(&slash).as_str(),
            "https://cloud.example/.well-known/openid-configuration"
        );
        let nc =
            Url::parse("https://cloud.example/index.php/apps/oidc/openid-configuration").unwrap();
        assert_eq!(discovery_url(&nc), nc);
    }

    #[test]
    fn implied_issuer_only_for_well_known_urls() {
        let u = Url::parse("http://kc/realms/r/.well-known/openid-configuration").unwrap();
        assert_eq!(implied_issuer(&u).as_deref(), Some("http://kc/realms/r"));
        let root = Url::parse("https://cloud.example/.well-known/openid-configuration").unwrap();
        assert_eq!(
            implied_issuer(&root).as_deref(),
            Some("https://cloud.example")
        );
        let nc =
            Url::parse("https://cloud.example/index.php/apps/oidc/openid-configuration").unwrap();
        assert_eq!(implied_issuer(&nc), None);
    }
}
