//! Attack matrix on the OAuth resource server, at the HTTP level: every forged,
//! stale, misdirected or misplaced token sent to `POST /mcp` with a
//! `tools/call` for `nc_notes_get_note` is refused with a `WWW-Authenticate:
//! Bearer` challenge naming our RFC 9728 metadata, and the mock Nextcloud sees
//! no request at all. A positive control (and the key-rotation case) shows the
//! same request does reach Nextcloud when the token is good, so the matrix can
//! fail.
//!
//! The server runs in pass-through mode and every forged token names both this
//! server and Nextcloud as audience: had the middleware let one through, the
//! tool would have forwarded it to Nextcloud.

use std::time::Duration;

use crate::support::idp::*;
use crate::support::oauth::{
    NEXTCLOUD_AUDIENCE, OAuthWorld, Options, mcp_request, pass_through, tool_call,
};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

const METADATA: &str =
    "resource_metadata=\"https://mcp.example.test/.well-known/oauth-protected-resource/mcp\"";

/// The shared world in pass-through mode, every minted token naming
/// Nextcloud too, and the IdP publishing only `key-a`; the unknown-`kid`
/// refetch keeps its production rate limit.
async fn start() -> OAuthWorld {
    matrix_world(None).await
}

/// As `start`, with the unknown-`kid` refetch limited to once per
/// `jwks_min_refetch` (the rotation case needs it short).
async fn start_with(jwks_min_refetch: Duration) -> OAuthWorld {
    matrix_world(Some(jwks_min_refetch)).await
}

async fn matrix_world(jwks_min_refetch: Option<Duration>) -> OAuthWorld {
    let options = Options {
        jwks_min_refetch,
        tokens_name_nextcloud: true,
        ..Options::default()
    };
    let world = OAuthWorld::start_with(pass_through(), options).await;
    // A real IdP answers `active: false` for a token it never issued.
    world.idp_finds_every_opaque_token_inactive().await;
    world
}

/// The requests of the matrix, and its one way to check a refusal.
impl OAuthWorld {
    /// `POST /mcp` with a `tools/call` of `nc_notes_get_note` for note 213.
    async fn call_get_note(&self, authorization: Option<&str>) -> reqwest::Response {
        self.call_get_note_at(&self.server.mcp_url(), authorization)
            .await
    }

    async fn call_get_note_at(&self, url: &str, authorization: Option<&str>) -> reqwest::Response {
        let body = tool_call("nc_notes_get_note", json!({"note_id": 213}));
        let mut request = mcp_request(url, &body);
        if let Some(value) = authorization {
            request = request.header("Authorization", value);
        }
        request.send().await.unwrap()
    }

    async fn nextcloud_requests(&self) -> usize {
        self.nextcloud.received_requests().await.unwrap().len()
    }

    /// Asserts the refusal of one attack: status, challenge, no token echo,
    /// and not a single request reached Nextcloud.
    async fn assert_refused(
        &self,
        case: &str,
        response: reqwest::Response,
        status: u16,
        error: Option<&str>,
        token: Option<&str>,
    ) -> String {
        assert_eq!(
            response.status().as_u16(),
            status,
            "[{case}] status (challenge: {:?})",
            response.headers().get("www-authenticate")
        );
        let challenge = response
            .headers()
            .get("www-authenticate")
            .unwrap_or_else(|| panic!("[{case}] no WWW-Authenticate challenge"))
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            challenge.starts_with("Bearer "),
            "[{case}] challenge must be a Bearer challenge: {challenge}"
        );
        assert!(
            challenge.contains(METADATA),
            "[{case}] challenge must name the protected-resource metadata: {challenge}"
        );
        match error {
            Some(code) => assert!(
                challenge.contains(&format!("error=\"{code}\"")),
                "[{case}] challenge must carry error=\"{code}\": {challenge}"
            ),
            None => assert!(
                !challenge.contains("error="),
                "[{case}] a request without credentials gets no error code (RFC 6750 3.1): {challenge}"
            ),
        }
        let body = response.text().await.unwrap();
        if let Some(token) = token {
            let signature = token.rsplit('.').next().unwrap_or(token);
            for (what, text) in [("challenge", &challenge), ("body", &body)] {
                assert!(
                    !text.contains(token) && (signature.len() < 8 || !text.contains(signature)),
                    "[{case}] the {what} echoes the token: {text}"
                );
            }
        }
        assert_eq!(
            self.nextcloud_requests().await,
            0,
            "[{case}] Nextcloud must see zero requests"
        );
        challenge
    }
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

// ----- The RSA public key as an attacker would download it -----

fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

fn der_uint(big_endian: &[u8]) -> Vec<u8> {
    let mut bytes: Vec<u8> = big_endian.iter().copied().skip_while(|b| *b == 0).collect();
    if bytes.first().is_none_or(|b| b & 0x80 != 0) {
        bytes.insert(0, 0);
    }
    der(0x02, &bytes)
}

fn pem(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

/// The public key of `key` in the PEM forms it is usually published in:
/// SubjectPublicKeyInfo (`BEGIN PUBLIC KEY`) and PKCS#1 (`BEGIN RSA PUBLIC KEY`),
/// byte for byte what `openssl pkey -pubout` and `openssl rsa -RSAPublicKey_out`
/// print for the same key.
fn rsa_public_pems(key: &TestKey) -> (String, String) {
    let component = |name: &str| {
        URL_SAFE_NO_PAD
            .decode(key.jwk[name].as_str().unwrap())
            .unwrap()
    };
    let pkcs1 = der(
        0x30,
        &[der_uint(&component("n")), der_uint(&component("e"))].concat(),
    );
    // rsaEncryption, 1.2.840.113549.1.1.1, with NULL parameters.
    let oid = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    let algorithm = der(0x30, &[der(0x06, &oid), vec![0x05, 0x00]].concat());
    let bit_string = der(0x03, &[&[0u8][..], &pkcs1].concat());
    let spki = der(0x30, &[algorithm, bit_string].concat());
    (pem("PUBLIC KEY", &spki), pem("RSA PUBLIC KEY", &pkcs1))
}

// ----- Positive control -----

#[tokio::test]
async fn control_a_valid_token_reaches_nextcloud() {
    let world = start().await;
    let token = world.token(json!({}));
    world.nextcloud_accepts(&token).await;
    let response = world.call_get_note(Some(&bearer(&token))).await;
    assert_eq!(
        response.status(),
        200,
        "[control] a valid token is accepted"
    );
    assert!(response.headers().get("www-authenticate").is_none());
    let body = response.text().await.unwrap();
    assert!(
        body.contains("Groceries"),
        "[control] the note came back: {body}"
    );
    let requests = world.nextcloud.received_requests().await.unwrap();
    assert!(
        !requests.is_empty(),
        "[control] Nextcloud saw the forwarded call"
    );
    for request in &requests {
        assert_eq!(
            request.headers.get("authorization").unwrap(),
            bearer(&token).as_str(),
            "[control] the caller's token is what Nextcloud saw"
        );
    }
}

// ----- Missing, malformed or misplaced credentials -----

#[tokio::test]
async fn no_token_is_challenged_without_an_error_code() {
    let world = start().await;
    let response = world.call_get_note(None).await;
    world
        .assert_refused("no token", response, 401, None, None)
        .await;
}

#[tokio::test]
async fn malformed_token_is_refused() {
    let world = start().await;
    let response = world.call_get_note(Some("Bearer abc.def")).await;
    world
        .assert_refused(
            "malformed token",
            response,
            401,
            Some("invalid_token"),
            Some("abc.def"),
        )
        .await;
    // Not shaped like a JWT, so it went to RFC 7662 introspection (which said
    // `active: false`); nothing else was asked.
    assert_eq!(world.idp.hits("/introspect").await, 1);
}

#[tokio::test]
async fn wrong_scheme_is_refused() {
    let world = start().await;
    let basic = format!("Basic {}", STANDARD.encode("admin:app-pass"));
    let response = world.call_get_note(Some(&basic)).await;
    world
        .assert_refused(
            "Basic instead of Bearer",
            response,
            401,
            Some("invalid_request"),
            None,
        )
        .await;
}

#[tokio::test]
async fn token_in_the_query_string_is_refused_even_when_valid() {
    let world = start().await;
    let token = world.token(json!({}));
    world.nextcloud_accepts(&token).await;
    let url = format!("{}?access_token={token}", world.server.mcp_url());
    let response = world.call_get_note_at(&url, None).await;
    world
        .assert_refused(
            "token in query string",
            response,
            400,
            Some("invalid_request"),
            Some(&token),
        )
        .await;
    // Even with a valid header alongside it: a token in a URL ends up in logs.
    let response = world.call_get_note_at(&url, Some(&bearer(&token))).await;
    world
        .assert_refused(
            "token in query string and header",
            response,
            400,
            Some("invalid_request"),
            Some(&token),
        )
        .await;
}

// ----- Forged tokens -----

#[tokio::test]
async fn alg_none_is_refused() {
    let world = start().await;
    for alg in ["none", "None", "NONE"] {
        let head = json!({"alg": alg, "typ": "JWT", "kid": "key-a"});
        let forged = format!("{}.{}.", b64(&head), b64(&world.claims(json!({}))));
        let response = world.call_get_note(Some(&bearer(&forged))).await;
        world
            .assert_refused(
                &format!("alg {alg}"),
                response,
                401,
                Some("invalid_token"),
                Some(&forged),
            )
            .await;
    }
}

#[tokio::test]
async fn hs256_keyed_with_the_rsa_public_key_is_refused() {
    let world = start().await;
    let (spki, pkcs1) = rsa_public_pems(&world.key);
    // The derived PEM really is the IdP's public key: it verifies a genuine token.
    let genuine = world.token(json!({}));
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&[CLIENT_ID]);
    jwt_crypto();
    jsonwebtoken::decode::<Value>(
        &genuine,
        &DecodingKey::from_rsa_pem(spki.as_bytes()).unwrap(),
        &validation,
    )
    .expect("the derived PEM is rsa-a's public key");

    let jwk_json = world.key.jwk.to_string();
    let spki_no_newline = spki.trim_end().to_string();
    let secrets: [(&str, &[u8]); 4] = [
        ("SPKI PEM", spki.as_bytes()),
        ("SPKI PEM without final newline", spki_no_newline.as_bytes()),
        ("PKCS#1 PEM", pkcs1.as_bytes()),
        ("JWK JSON", jwk_json.as_bytes()),
    ];
    for (form, secret) in secrets {
        let mut head = Header::new(Algorithm::HS256);
        head.kid = Some("key-a".into());
        let forged = sign_jwt(
            &head,
            &world.claims(json!({})),
            &EncodingKey::from_secret(secret),
        );
        let response = world.call_get_note(Some(&bearer(&forged))).await;
        let challenge = world
            .assert_refused(
                &format!("HS256 keyed with the {form} of the RSA key"),
                response,
                401,
                Some("invalid_token"),
                Some(&forged),
            )
            .await;
        assert!(challenge.contains("HS256"), "[{form}] {challenge}");
    }
}

#[tokio::test]
async fn a_signature_from_another_token_is_refused() {
    let world = start().await;
    let victim = world.token(json!({}));
    let other = world.token(json!({"sub": "someone-else", "jti": "other"}));
    let (signed_part, _) = victim.rsplit_once('.').unwrap();
    let (_, other_signature) = other.rsplit_once('.').unwrap();
    let forged = format!("{signed_part}.{other_signature}");
    let response = world.call_get_note(Some(&bearer(&forged))).await;
    world
        .assert_refused(
            "signature swapped",
            response,
            401,
            Some("invalid_token"),
            Some(&forged),
        )
        .await;
}

#[tokio::test]
async fn a_tampered_payload_is_refused() {
    let world = start().await;
    // A token without notes:read, its payload rewritten to grant it.
    let genuine = world.token(json!({"scope": "openid files:write"}));
    let parts: Vec<&str> = genuine.split('.').collect();
    let escalated = b64(&world.claims(json!({"scope": "openid notes:read notes:write"})));
    let forged = format!("{}.{escalated}.{}", parts[0], parts[2]);
    let response = world.call_get_note(Some(&bearer(&forged))).await;
    world
        .assert_refused(
            "payload tampered",
            response,
            401,
            Some("invalid_token"),
            Some(&forged),
        )
        .await;
}

#[tokio::test]
async fn a_token_signed_by_a_key_the_idp_does_not_publish_is_refused() {
    let world = start().await;
    // Same kid as the published key, different key.
    let impostor = TestKey::rsa("rsa-b.pem", "key-a");
    let forged = impostor
        .sign(&world.claims(json!({})))
        .expose_secret()
        .to_string();
    let response = world.call_get_note(Some(&bearer(&forged))).await;
    world
        .assert_refused(
            "published kid, wrong key",
            response,
            401,
            Some("invalid_token"),
            Some(&forged),
        )
        .await;
}

// ----- Unknown kid and key rotation -----

#[tokio::test]
async fn unknown_kid_is_refused_then_accepted_after_rotation() {
    let world = start_with(Duration::ZERO).await;
    let rotated = world
        .next_key
        .sign(&world.claims(json!({})))
        .expose_secret()
        .to_string();

    let response = world.call_get_note(Some(&bearer(&rotated))).await;
    let challenge = world
        .assert_refused(
            "unknown kid (JWKS has key-a only)",
            response,
            401,
            Some("invalid_token"),
            Some(&rotated),
        )
        .await;
    assert!(challenge.contains("key-b"), "{challenge}");
    assert_eq!(
        world.idp.hits("/certs").await,
        2,
        "[unknown kid] initial JWKS load plus one refetch"
    );

    // The IdP rotates: its JWKS now publishes key-b too.
    Mock::given(method("GET"))
        .and(path(format!("{REALM_PATH}/certs")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(jwks(&[&world.key, &world.next_key])),
        )
        .with_priority(1)
        .mount(&world.idp.server)
        .await;
    world.nextcloud_accepts(&rotated).await;
    let response = world.call_get_note(Some(&bearer(&rotated))).await;
    assert_eq!(
        response.status(),
        200,
        "[rotation] the key-b token is accepted after the refetch: {:?}",
        response.headers().get("www-authenticate")
    );
    assert!(response.text().await.unwrap().contains("Groceries"));
    assert_eq!(
        world.idp.hits("/certs").await,
        3,
        "[rotation] one more refetch"
    );
    assert!(
        world.nextcloud_requests().await > 0,
        "[rotation] the call reached Nextcloud"
    );
}

#[tokio::test]
async fn unknown_kid_refetch_is_rate_limited_by_default() {
    let world = start().await;
    let unknown = world
        .next_key
        .sign(&world.claims(json!({})))
        .expose_secret()
        .to_string();
    for attempt in 0..3 {
        let response = world.call_get_note(Some(&bearer(&unknown))).await;
        world
            .assert_refused(
                &format!("unknown kid, attempt {attempt}"),
                response,
                401,
                Some("invalid_token"),
                Some(&unknown),
            )
            .await;
    }
    assert_eq!(
        world.idp.hits("/certs").await,
        2,
        "made-up kids cannot make the server hammer the IdP"
    );
}

// ----- Valid signature, wrong claims -----

#[tokio::test]
async fn expired_token_is_refused() {
    let world = start().await;
    let token = world.token(json!({"exp": now() - 3600, "iat": now() - 7200}));
    let response = world.call_get_note(Some(&bearer(&token))).await;
    world
        .assert_refused(
            "expired",
            response,
            401,
            Some("invalid_token"),
            Some(&token),
        )
        .await;
}

#[tokio::test]
async fn not_yet_valid_token_is_refused() {
    let world = start().await;
    // Beyond the 30 s leeway.
    let token = world.token(json!({"nbf": now() + 600, "exp": now() + 1200}));
    let response = world.call_get_note(Some(&bearer(&token))).await;
    world
        .assert_refused(
            "not yet valid (nbf in the future)",
            response,
            401,
            Some("invalid_token"),
            Some(&token),
        )
        .await;
}

#[tokio::test]
async fn wrong_issuer_is_refused() {
    let world = start().await;
    let token = world.token(json!({"iss": "https://evil.example/realms/test"}));
    let response = world.call_get_note(Some(&bearer(&token))).await;
    world
        .assert_refused(
            "wrong issuer",
            response,
            401,
            Some("invalid_token"),
            Some(&token),
        )
        .await;
}

#[tokio::test]
async fn wrong_audience_is_refused() {
    let world = start().await;
    // Names Nextcloud but not this server: a token meant for someone else.
    let token = world.token(json!({"aud": ["some-other-service", NEXTCLOUD_AUDIENCE]}));
    let response = world.call_get_note(Some(&bearer(&token))).await;
    world
        .assert_refused(
            "wrong audience",
            response,
            401,
            Some("invalid_token"),
            Some(&token),
        )
        .await;
    let token = world.token(json!({"aud": null}));
    let response = world.call_get_note(Some(&bearer(&token))).await;
    world
        .assert_refused(
            "no audience",
            response,
            401,
            Some("invalid_token"),
            Some(&token),
        )
        .await;
}

#[tokio::test]
async fn an_id_token_is_not_an_access_token() {
    let world = start().await;
    let token = world.token(json!({"typ": "ID"}));
    let response = world.call_get_note(Some(&bearer(&token))).await;
    world
        .assert_refused(
            "ID token",
            response,
            401,
            Some("invalid_token"),
            Some(&token),
        )
        .await;
}

// ----- Valid token, insufficient scope -----

#[tokio::test]
async fn missing_scope_is_forbidden_with_the_scope_named() {
    let world = start().await;
    let token = world.token(json!({"scope": "openid profile files:write notes:write"}));
    world.nextcloud_accepts(&token).await;
    let response = world.call_get_note(Some(&bearer(&token))).await;
    let challenge = world
        .assert_refused(
            "missing notes:read",
            response,
            403,
            Some("insufficient_scope"),
            Some(&token),
        )
        .await;
    assert!(
        challenge.contains("scope=\"notes:read\""),
        "[missing scope] the challenge names the scope to ask for: {challenge}"
    );
}
