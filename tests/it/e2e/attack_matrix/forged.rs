//! Forged tokens: no signature, an HMAC keyed with the RSA public key as an
//! attacker would download it, a borrowed or tampered signature, a key the
//! IdP does not publish.

use super::{b64, bearer, start};

use crate::support::idp::*;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::ExposeSecret;
use serde_json::{Value, json};

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
