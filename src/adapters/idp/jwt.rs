//! JWT access-token verification: header pre-check against the algorithm
//! allow-list, key selection through the JWKS cache, then signature, issuer,
//! expiry (with leeway), not-before and audience through `jsonwebtoken`.

use base64::Engine;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Validation, decode};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer};
use url::Url;

use super::jwks::{JwksCache, allowed_algorithm};
use crate::domain::principal::VerifiedClaims;
use crate::ports::identity::AuthError;

/// What a token must satisfy besides its signature.
#[derive(Clone, Debug)]
pub struct JwtPolicy {
    pub issuer: String,
    /// The token must name at least one of these (this server's resource URL
    /// or client id).
    pub audiences: Vec<String>,
    pub leeway_secs: u64,
}

#[derive(Deserialize)]
struct RawHeader {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    typ: Option<String>,
}

/// RFC 9068 2.1: access tokens say `at+jwt` (or the full media type); many
/// IdPs (Keycloak among them) still say `JWT`. Any other `typ` names another
/// kind of token (`logout+jwt`, `secevent+jwt`, ...).
fn header_type_allowed(typ: Option<&str>) -> bool {
    typ.is_none_or(|t| {
        ["JWT", "at+jwt", "application/at+jwt"]
            .iter()
            .any(|allowed| t.eq_ignore_ascii_case(allowed))
    })
}

/// Whether `token` has the shape of a JWS (three segments, a JSON header).
pub fn looks_like_jwt(token: &SecretString) -> bool {
    header(token.expose_secret()).is_ok()
}

fn header(token: &str) -> Result<RawHeader, AuthError> {
    let mut parts = token.split('.');
    let (Some(head), Some(_), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(AuthError::Malformed);
    };
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(head.trim_end_matches('='))
        .map_err(|_| AuthError::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| AuthError::Malformed)
}

/// Claims as they appear in access tokens of the IdPs this server knows.
#[derive(Deserialize, Default)]
pub struct RawClaims {
    #[serde(default)]
    pub sub: Option<String>,
    #[serde(default)]
    pub iss: Option<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub aud: Vec<String>,
    #[serde(default)]
    pub exp: Option<f64>,
    #[serde(default)]
    pub scope: Option<String>,
    /// Some IdPs (Okta, Entra) send scopes as `scp`, a list or a string.
    #[serde(default, deserialize_with = "one_or_many")]
    pub scp: Vec<String>,
    #[serde(default)]
    pub azp: Option<String>,
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default)]
    pub preferred_username: Option<String>,
    /// Introspection replies carry `username` instead.
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// Keycloak marks its tokens: `Bearer` (access), `ID`, `Refresh`...
    #[serde(default)]
    pub typ: Option<String>,
    /// Only ID tokens carry these (OpenID Connect Core 3.1.3.6, 3.3.2.11).
    #[serde(default)]
    pub at_hash: Option<serde_json::Value>,
    #[serde(default)]
    pub c_hash: Option<serde_json::Value>,
}

fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
        Null(()),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => s.split_ascii_whitespace().map(str::to_string).collect(),
        OneOrMany::Many(v) => v,
        OneOrMany::Null(()) => Vec::new(),
    })
}

impl RawClaims {
    /// Refuses tokens that say they are not access tokens (an ID token has
    /// the same issuer and often this server's client id as audience).
    pub fn check_is_access_token(&self) -> Result<(), AuthError> {
        if self.at_hash.is_some() || self.c_hash.is_some() {
            return Err(AuthError::NotAnAccessToken);
        }
        match self.typ.as_deref() {
            None => Ok(()),
            Some(t) if t.eq_ignore_ascii_case("bearer") || t.eq_ignore_ascii_case("at+jwt") => {
                Ok(())
            }
            Some(_) => Err(AuthError::NotAnAccessToken),
        }
    }

    pub fn into_verified(self, issuer: &str) -> Result<VerifiedClaims, AuthError> {
        let subject = self
            .sub
            .filter(|s| !s.is_empty())
            .ok_or_else(|| AuthError::MissingClaim("sub".into()))?;
        let mut scopes: Vec<String> = self
            .scope
            .as_deref()
            .unwrap_or_default()
            .split_ascii_whitespace()
            .map(str::to_string)
            .collect();
        scopes.extend(self.scp);
        Ok(VerifiedClaims {
            subject,
            issuer: self.iss.unwrap_or_else(|| issuer.to_string()),
            audiences: self.aud,
            scopes,
            expires_at: self.exp.filter(|e| *e >= 0.0).map(|e| e as u64),
            client_id: self.azp.or(self.client_id),
            preferred_username: self.preferred_username.or(self.username),
            email: self.email,
        })
    }
}

/// Verifies a JWT access token. `jwks_uri` comes from discovery.
pub async fn verify(
    token: &SecretString,
    policy: &JwtPolicy,
    jwks: &JwksCache,
    jwks_uri: &Url,
) -> Result<VerifiedClaims, AuthError> {
    let raw = token.expose_secret();
    let head = header(raw)?;
    if !header_type_allowed(head.typ.as_deref()) {
        return Err(AuthError::NotAnAccessToken);
    }
    let alg = allowed_algorithm(&head.alg)?;
    let key = jwks.key_for(jwks_uri, head.kid.as_deref(), alg).await?;

    let mut validation = Validation::new(alg);
    validation.leeway = policy.leeway_secs;
    validation.validate_exp = true;
    validation.validate_nbf = true;
    validation.set_required_spec_claims(&["exp", "iss", "sub", "aud"]);
    validation.set_issuer(&[&policy.issuer]);
    validation.set_audience(&policy.audiences);

    // Normally done when the provider was built; repeated (cheaply) so that no
    // decode can ever run on another provider, or on none.
    super::signatures::install().map_err(|e| AuthError::Unavailable(e.to_string()))?;
    let data = decode::<RawClaims>(raw, &key, &validation)
        .map_err(|e| map_error(e.kind(), raw, policy))?;
    data.claims.check_is_access_token()?;
    data.claims.into_verified(&policy.issuer)
}

fn map_error(kind: &ErrorKind, raw: &str, policy: &JwtPolicy) -> AuthError {
    match kind {
        ErrorKind::ExpiredSignature => AuthError::Expired,
        ErrorKind::ImmatureSignature => AuthError::NotYetValid,
        ErrorKind::InvalidIssuer => AuthError::WrongIssuer {
            expected: policy.issuer.clone(),
            found: claimed_issuer(raw),
        },
        ErrorKind::InvalidAudience => AuthError::WrongAudience {
            expected: policy.audiences.clone(),
        },
        ErrorKind::MissingRequiredClaim(c) if c == "aud" => AuthError::WrongAudience {
            expected: policy.audiences.clone(),
        },
        ErrorKind::MissingRequiredClaim(c) => AuthError::MissingClaim(c.chars().take(20).collect()),
        ErrorKind::InvalidSignature => AuthError::BadSignature,
        ErrorKind::InvalidAlgorithm
        | ErrorKind::InvalidAlgorithmName
        | ErrorKind::UnsupportedAlgorithm => {
            AuthError::DisallowedAlgorithm("(does not match the key)".into())
        }
        _ => AuthError::Malformed,
    }
}

/// The (unverified) issuer a refused token claims, made safe to print: the
/// signature already verified, so this names the IdP that signed it.
fn claimed_issuer(raw: &str) -> String {
    let claimed = jsonwebtoken::dangerous::insecure_decode::<RawClaims>(raw)
        .ok()
        .and_then(|d| d.claims.iss)
        .unwrap_or_default();
    super::http::sanitize(&claimed, 200)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(v: &serde_json::Value) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    }

    #[test]
    fn jwt_shape_detection() {
        let t = format!(
            "{}.{}.sig",
            enc(&serde_json::json!({"alg": "RS256"})),
            enc(&serde_json::json!({}))
        );
        assert!(looks_like_jwt(&SecretString::from(t)));
        assert!(!looks_like_jwt(&SecretString::from("opaque-random-token")));
        assert!(!looks_like_jwt(&SecretString::from("a.b.c")));
        assert!(!looks_like_jwt(&SecretString::from("a.b.c.d")));
    }

    #[test]
    fn claims_map_to_verified_claims() {
        let raw: RawClaims = serde_json::from_value(serde_json::json!({
            "sub": "u1", "iss": "https://i", "aud": "one", "exp": 10,
            "scope": "openid notes:read", "scp": ["files:read"], "azp": "client", "typ": "Bearer",
            "preferred_username": "alice"
        }))
        .unwrap();
        raw.check_is_access_token().unwrap();
        let v = raw.into_verified("https://i").unwrap();
        assert_eq!(v.audiences, vec!["one"]);
        assert_eq!(v.scopes, vec!["openid", "notes:read", "files:read"]);
        assert_eq!(v.client_id.as_deref(), Some("client"));
        assert_eq!(v.expires_at, Some(10));
    }

    #[test]
    fn id_and_refresh_tokens_are_not_access_tokens() {
        for typ in ["ID", "Refresh", "Logout"] {
            let raw = RawClaims {
                typ: Some(typ.into()),
                ..Default::default()
            };
            assert_eq!(
                raw.check_is_access_token(),
                Err(AuthError::NotAnAccessToken)
            );
        }
    }

    #[test]
    fn id_token_claims_and_foreign_header_types_are_refused() {
        for claims in [
            serde_json::json!({"at_hash": "x4Q5"}),
            serde_json::json!({"c_hash": "x4Q5", "typ": "Bearer"}),
        ] {
            let raw: RawClaims = serde_json::from_value(claims).unwrap();
            assert_eq!(
                raw.check_is_access_token(),
                Err(AuthError::NotAnAccessToken)
            );
        }
        for typ in [
            None,
            Some("JWT"),
            Some("at+jwt"),
            Some("application/AT+JWT"),
        ] {
            assert!(header_type_allowed(typ), "{typ:?}");
        }
        for typ in ["logout+jwt", "secevent+jwt", "id_token", ""] {
            assert!(!header_type_allowed(Some(typ)), "{typ}");
        }
    }

    #[test]
    fn missing_subject_is_refused() {
        let raw = RawClaims::default();
        assert_eq!(
            raw.into_verified("i"),
            Err(AuthError::MissingClaim("sub".into()))
        );
    }

    /// Pieces a hostile token is stitched from: JSON that is almost a
    /// header or a claim set, base64 that is not, separators and junk.
    fn hostile_segment() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let json = prop_oneof![
            Just(r#"{"alg":"RS256","typ":"at+jwt","kid":"k1"}"#.to_string()),
            Just(r#"{"alg":"none"}"#.to_string()),
            Just(r#"{"alg":"HS256","typ":"JWT"}"#.to_string()),
            Just(r#"{"alg":["RS256"],"kid":{"a":1}}"#.to_string()),
            Just(r#"{"sub":"u","iss":"https://i","aud":["a","b"],"exp":99999999999,"typ":"Bearer","scope":"openid"}"#.to_string()),
            Just(r#"{"sub":null,"iss":7,"aud":{},"exp":"soon","scp":"x y","azp":[]}"#.to_string()),
            Just(r#"{"iss":"\u0000\u001b[31m\r\nforged","sub":"a"}"#.to_string()),
            "[ -~]{0,64}",
            Just(format!("{{\"sub\":\"{}\"}}", "x".repeat(20_000))),
            Just("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[".to_string()),
        ];
        prop_oneof![
            json.prop_map(|j| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(j)),
            "[A-Za-z0-9_=+/-]{0,80}",
            Just(String::new()),
            Just("====".to_string()),
            "\\PC{0,16}",
        ]
    }

    fn hostile_token() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        (
            prop::collection::vec(hostile_segment(), 1..5),
            prop::sample::select(vec![".", "..", ". ", "\n"]),
        )
            .prop_map(|(parts, sep)| parts.join(sep))
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 512,
            failure_persistence: None,
            ..proptest::prelude::ProptestConfig::default()
        })]

        /// A bounded fuzz-style run over what reads a bearer token before
        /// any signature check: the shape test, the header, the claimed
        /// issuer and the claim checks never panic, and what may be printed
        /// stays short and free of line breaks.
        #[test]
        fn jwt_readers_survive_512_hostile_tokens(token in hostile_token()) {
            let _ = looks_like_jwt(&SecretString::from(token.clone()));
            if let Ok(head) = header(&token) {
                let _ = header_type_allowed(head.typ.as_deref());
                let _ = allowed_algorithm(&head.alg);
            }
            let issuer = claimed_issuer(&token);
            proptest::prop_assert!(issuer.chars().count() <= 201, "200 and an ellipsis at most");
            proptest::prop_assert!(!issuer.contains('\n') && !issuer.contains('\r'));
            if let Some(payload) = token.split('.').nth(1)
                && let Ok(bytes) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload)
                && let Ok(claims) = serde_json::from_slice::<RawClaims>(&bytes)
            {
                let _ = claims.check_is_access_token();
                let _ = claims.into_verified("https://i");
            }
        }
    }
}
