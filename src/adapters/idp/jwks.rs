//! The IdP's signing keys: cached, refetched once when a token names an
//! unknown `kid` (so key rotation works without a restart), and that refetch
//! rate-limited so that tokens with made-up `kid`s cannot hammer the IdP.
//!
//! Also the algorithm policy: asymmetric algorithms only, and the token's
//! `alg` must agree with the key it selects.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Deserialize;
use url::Url;

use super::discovery::RETRY_BACKOFF;
use super::http::IdpHttp;
use crate::ports::identity::{AuthError, IdpError, IdpOperation};

/// The only algorithms a token may be signed with. `none` cannot even be
/// named (it is not an `Algorithm`), and HMAC is absent on purpose: a public
/// JWKS `oct` key would let anyone forge tokens.
pub const ALLOWED_ALGORITHMS: &[Algorithm] = &[
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// Parses a header `alg` against the allow-list.
pub fn allowed_algorithm(alg: &str) -> Result<Algorithm, AuthError> {
    alg.parse::<Algorithm>()
        .ok()
        .filter(|a| ALLOWED_ALGORITHMS.contains(a))
        .ok_or_else(|| AuthError::DisallowedAlgorithm(printable(alg)))
}

fn printable(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_graphic())
        .take(20)
        .collect()
}

/// Whether `jwk` may verify a token signed with `alg`: the key type and curve
/// must fit the algorithm, and a key that declares its own `alg` must declare
/// this one. The token header alone never decides.
pub fn key_fits(jwk: &Jwk, alg: Algorithm) -> bool {
    if !ALLOWED_ALGORITHMS.contains(&alg) {
        return false;
    }
    if matches!(jwk.common.public_key_use, Some(PublicKeyUse::Encryption)) {
        return false;
    }
    if let Some(declared) = jwk.common.key_algorithm
        && declared != KeyAlgorithm::from(alg)
    {
        return false;
    }
    match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => matches!(
            alg,
            Algorithm::RS256
                | Algorithm::RS384
                | Algorithm::RS512
                | Algorithm::PS256
                | Algorithm::PS384
                | Algorithm::PS512
        ),
        AlgorithmParameters::EllipticCurve(ec) => matches!(
            (&ec.curve, alg),
            (EllipticCurve::P256, Algorithm::ES256) | (EllipticCurve::P384, Algorithm::ES384)
        ),
        AlgorithmParameters::OctetKeyPair(okp) => {
            okp.curve == EllipticCurve::Ed25519 && alg == Algorithm::EdDSA
        }
        // Symmetric keys never verify anything here, nor do kinds this
        // crate does not know.
        _ => false,
    }
}

#[derive(Deserialize)]
struct RawJwks {
    #[serde(default)]
    keys: Vec<serde_json::Value>,
}

#[derive(Default)]
struct KeyState {
    keys: Arc<Vec<Jwk>>,
    fetched: Option<Instant>,
    /// When an unknown `kid` last caused a refetch.
    last_forced: Option<Instant>,
    /// When a fetch last failed; no new try within the backoff after it.
    last_failed: Option<Instant>,
}

pub struct JwksCache {
    http: IdpHttp,
    /// Keys older than this are refetched on the next use.
    max_age: Duration,
    /// At most one unknown-`kid` refetch per this interval.
    min_refetch: Duration,
    state: RwLock<KeyState>,
    fetch_lock: tokio::sync::Mutex<()>,
}

impl JwksCache {
    pub fn new(http: IdpHttp, max_age: Duration, min_refetch: Duration) -> Self {
        Self {
            http,
            max_age,
            min_refetch,
            state: RwLock::new(KeyState::default()),
            fetch_lock: tokio::sync::Mutex::new(()),
        }
    }

    fn snapshot(&self) -> (Arc<Vec<Jwk>>, Option<Instant>, Option<Instant>) {
        let s = self.state.read().unwrap_or_else(|e| e.into_inner());
        (s.keys.clone(), s.fetched, s.last_forced)
    }

    /// The decoding key for a token with header `kid` and `alg`.
    pub async fn key_for(
        &self,
        uri: &Url,
        kid: Option<&str>,
        alg: Algorithm,
    ) -> Result<DecodingKey, AuthError> {
        let (keys, fetched, _) = self.snapshot();
        let stale = fetched.is_none_or(|t| t.elapsed() >= self.max_age);
        let keys = if stale && !(fetched.is_some() && self.backing_off()) {
            self.refresh(uri, keys, fetched.is_some()).await?
        } else {
            keys
        };
        if let Some(key) = select(&keys, kid, alg)? {
            return Ok(key);
        }
        // Unknown kid: the IdP may have rotated its keys. Refetch once, unless
        // a refetch for that reason happened recently.
        let Some(kid) = kid else {
            return Err(AuthError::UnknownKey(None));
        };
        let (_, _, last_forced) = self.snapshot();
        if last_forced.is_some_and(|t| t.elapsed() < self.min_refetch) {
            return Err(AuthError::UnknownKey(Some(printable(kid))));
        }
        let keys = self.fetch(uri, true).await?;
        select(&keys, Some(kid), alg)?.ok_or_else(|| AuthError::UnknownKey(Some(printable(kid))))
    }

    fn backing_off(&self) -> bool {
        let s = self.state.read().unwrap_or_else(|e| e.into_inner());
        s.last_failed.is_some_and(|t| t.elapsed() < RETRY_BACKOFF)
    }

    /// A refresh for age: while another caller refreshes, the stale keys
    /// serve at once instead of waiting behind the IdP's timeout.
    async fn refresh(
        &self,
        uri: &Url,
        stale: Arc<Vec<Jwk>>,
        have_keys: bool,
    ) -> Result<Arc<Vec<Jwk>>, AuthError> {
        if have_keys && self.fetch_lock.try_lock().is_err() {
            return Ok(stale);
        }
        self.fetch(uri, false).await
    }

    async fn fetch(&self, uri: &Url, forced: bool) -> Result<Arc<Vec<Jwk>>, AuthError> {
        let _guard = self.fetch_lock.lock().await;
        // Another task may have fetched while this one waited.
        {
            let s = self.state.read().unwrap_or_else(|e| e.into_inner());
            let recent = if forced { s.last_forced } else { s.fetched };
            let window = if forced {
                self.min_refetch
            } else {
                self.max_age
            };
            if recent.is_some_and(|t| t.elapsed() < window) {
                return Ok(s.keys.clone());
            }
            if !forced && s.last_failed.is_some_and(|t| t.elapsed() < RETRY_BACKOFF) {
                if s.fetched.is_some() {
                    return Ok(s.keys.clone());
                }
                return Err(AuthError::Unavailable(
                    "the signing keys could not be loaded moments ago; not retrying yet".into(),
                ));
            }
        }
        let now = Instant::now();
        if forced {
            self.state
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .last_forced = Some(now);
        }
        let raw: RawJwks = match self.http.get_json(uri, IdpOperation::Discovery).await {
            Ok(raw) => raw,
            Err(err) => {
                let mut s = self.state.write().unwrap_or_else(|e| e.into_inner());
                s.last_failed = Some(Instant::now());
                if s.fetched.is_some() {
                    tracing::warn!(error = %err, "JWKS refresh failed; keeping the previous keys");
                    return Ok(s.keys.clone());
                }
                return Err(unavailable(err));
            }
        };
        // One key the library cannot read must not hide the others.
        let keys: Vec<Jwk> = raw
            .keys
            .into_iter()
            .filter_map(|k| serde_json::from_value(k).ok())
            .collect();
        tracing::debug!(
            count = keys.len(),
            forced,
            "fetched identity provider signing keys"
        );
        let keys = Arc::new(keys);
        let mut s = self.state.write().unwrap_or_else(|e| e.into_inner());
        s.keys = keys.clone();
        s.fetched = Some(now);
        s.last_failed = None;
        Ok(keys)
    }
}

fn unavailable(err: IdpError) -> AuthError {
    AuthError::Unavailable(format!("cannot load the signing keys: {err}"))
}

/// Picks the key: by `kid` when the token names one, else the single key that
/// fits the algorithm. `Ok(None)` means "not found" (worth a refetch).
fn select(
    keys: &[Jwk],
    kid: Option<&str>,
    alg: Algorithm,
) -> Result<Option<DecodingKey>, AuthError> {
    let jwk = match kid {
        Some(kid) => {
            let Some(jwk) = keys
                .iter()
                .find(|k| k.common.key_id.as_deref() == Some(kid))
            else {
                return Ok(None);
            };
            if !key_fits(jwk, alg) {
                return Err(AuthError::DisallowedAlgorithm(format!(
                    "{alg:?} for key {}",
                    printable(kid)
                )));
            }
            jwk
        }
        None => {
            let mut fitting = keys.iter().filter(|k| key_fits(k, alg));
            match (fitting.next(), fitting.next()) {
                (Some(only), None) => only,
                _ => return Err(AuthError::UnknownKey(None)),
            }
        }
    };
    DecodingKey::from_jwk(jwk)
        .map(Some)
        .map_err(|_| AuthError::UnknownKey(kid.map(printable)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwk(json: serde_json::Value) -> Jwk {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn allow_list_refuses_none_and_hmac() {
        assert!(allowed_algorithm("none").is_err());
        assert!(allowed_algorithm("HS256").is_err());
        assert!(allowed_algorithm("HS512").is_err());
        assert_eq!(allowed_algorithm("RS256").unwrap(), Algorithm::RS256);
        assert_eq!(allowed_algorithm("EdDSA").unwrap(), Algorithm::EdDSA);
    }

    #[test]
    fn oct_keys_never_fit() {
        let k = jwk(serde_json::json!({"kty": "oct", "k": "c2VjcmV0", "kid": "h"}));
        for alg in [Algorithm::HS256, Algorithm::RS256, Algorithm::ES256] {
            assert!(!key_fits(&k, alg));
        }
    }

    #[test]
    fn key_type_and_declared_alg_must_match_the_header() {
        let rsa = jwk(serde_json::json!({"kty": "RSA", "n": "sXch", "e": "AQAB", "alg": "RS256"}));
        assert!(key_fits(&rsa, Algorithm::RS256));
        assert!(!key_fits(&rsa, Algorithm::PS256), "declared alg wins");
        assert!(!key_fits(&rsa, Algorithm::ES256));
        let rsa_any = jwk(serde_json::json!({"kty": "RSA", "n": "sXch", "e": "AQAB"}));
        assert!(key_fits(&rsa_any, Algorithm::PS384));
        let enc = jwk(serde_json::json!({"kty": "RSA", "n": "sXch", "e": "AQAB", "use": "enc"}));
        assert!(!key_fits(&enc, Algorithm::RS256));
        let p256 = jwk(serde_json::json!({"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}));
        assert!(key_fits(&p256, Algorithm::ES256));
        assert!(!key_fits(&p256, Algorithm::ES384));
        assert!(!key_fits(&p256, Algorithm::RS256));
    }
}
