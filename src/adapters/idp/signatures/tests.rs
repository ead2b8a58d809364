//! The provider against the algorithms the server accepts: every signature
//! it makes verifies, and a changed bit, another key, a key of another family
//! or another algorithm of the same family does not. Known answers made with
//! OpenSSL tie both directions to an implementation other than ring.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::crypto::CryptoProvider;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::{EllipticCurve, ThumbprintHash};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};
use ring::rand::SystemRandom;
use ring::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, ECDSA_P384_SHA384_FIXED_SIGNING, EcdsaKeyPair,
    EcdsaSigningAlgorithm, Ed25519KeyPair, KeyPair,
};

use super::{RING_PROVIDER, install};

const RSA_A: &[u8] = include_bytes!("../../../../tests/fixtures/idp/rsa-a.pem");
const RSA_B: &[u8] = include_bytes!("../../../../tests/fixtures/idp/rsa-b.pem");
const EC_P256: &[u8] = include_bytes!("../../../../tests/fixtures/idp/ec-p256.pem");

/// The signed part of the known-answer tokens: `{"alg":"RS256"}.{"sub":"kat"}`.
const KAT_MESSAGE: &[u8] = b"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJrYXQifQ";
/// `openssl dgst -sha256 -sign rsa-a.pem` over the message (PKCS#1 v1.5 is
/// deterministic, so ring must produce exactly this).
const KAT_RS256_RSA_A: &str = "XDwigyebdeySHDL3t4HSGMEjCGShA14HjzhW9nwZut9iddvK013mJ5NVPjgdZmJI7InCrs9A4TaVOt7Arez71650QsNWOFA0UNMYAYx_97ASoO_GHH6nJo2gjilO6QcATEzd64PSdMbXUDIJU9Etg4YqoCgJIel3TctsaXBXV80AB9l0IdaMOyqrqbnwwWhI-pOaMGk7M5_iJrhuxRmUNYUQCdkvjAIHYro3N1HklD3Y5WF2GlEXlYpAIqMZ8AL3OYbm1OaN_YBZijij5p-JRPseyHDzHNEMS0mYdbQdgPUfmG-BllfamUpndxKQe0p6POpREAlL48FRLf2RFRqV7g";
/// `openssl dgst -sha256 -sign ec-p256.pem` over the message, its DER turned
/// into r || s. Its s is above n/2, which ES256 allows.
const KAT_ES256_EC_P256: &str =
    "L9DuU56jqFXQTlQ8gjbi1iP0aFLFd2NfZrEbtYSGXgX-VfM7VKlEXXRi5omgGBjvN_ddksFa5e6ejRCY3TB3KQ";
/// An Ed25519 key from `openssl genpkey` (PKCS#8 v1, no public key inside),
/// its public key, and `openssl pkeyutl -sign -rawin` over the message.
const KAT_ED25519_PKCS8: &str = "MC4CAQAwBQYDK2VwBCIEIOKFPF1LD1CJsXcjKTJfNs_bUA4gmNU2PTTSArripevr";
const KAT_ED25519_PUBLIC: &str = "8fKgeeRt8idPO0Ghx203iPT9333oSwaKCP9IwwpXkL8";
const KAT_ED25519_SIGNATURE: &str =
    "z2Al4RYqCZ-6e2lvarCQ5U9QLb-wcM3FcuZ5oEWzO3bCU_KZ1YGSUKbnGqXjtONFwT7O9-jTVwvx0bldnPBDDQ";

const RSA_ALGORITHMS: [Algorithm; 6] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
];

fn b64(s: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(s).unwrap()
}

fn sign(alg: Algorithm, key: &EncodingKey, msg: &[u8]) -> Vec<u8> {
    let signer = (RING_PROVIDER.signer_factory)(&alg, key).unwrap();
    signer.try_sign(msg).unwrap()
}

fn verifies(alg: Algorithm, key: &DecodingKey, msg: &[u8], signature: &[u8]) -> bool {
    let verifier = (RING_PROVIDER.verifier_factory)(&alg, key)
        .unwrap_or_else(|e| panic!("{alg:?}: no verifier: {e}"));
    verifier.verify(msg, &signature.to_vec()).is_ok()
}

fn verifier_refusal(alg: Algorithm, key: &DecodingKey) -> ErrorKind {
    match (RING_PROVIDER.verifier_factory)(&alg, key) {
        Ok(_) => panic!("{alg:?}: a verifier was made for a key it must refuse"),
        Err(e) => e.into_kind(),
    }
}

/// DER `tag`, length, content (lengths up to 64 KiB, plenty for a test key).
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    match content.len() {
        n if n < 0x80 => out.push(n as u8),
        n if n < 0x100 => out.extend([0x81, n as u8]),
        n => out.extend([0x82, (n >> 8) as u8, n as u8]),
    }
    out.extend_from_slice(content);
    out
}

fn der_integer(unsigned: &[u8]) -> Vec<u8> {
    let mut content = Vec::new();
    if unsigned.first().is_some_and(|b| b & 0x80 != 0) {
        content.push(0);
    }
    content.extend_from_slice(unsigned);
    tlv(0x02, &content)
}

fn rsa_public_der(n: &[u8], e: &[u8]) -> Vec<u8> {
    let mut body = der_integer(n);
    body.extend(der_integer(e));
    tlv(0x30, &body)
}

struct RsaKey {
    encoding: EncodingKey,
    n: Vec<u8>,
    e: Vec<u8>,
}

impl RsaKey {
    fn load(pem: &[u8]) -> Self {
        let encoding = EncodingKey::from_rsa_pem(pem).unwrap();
        let (n, e) =
            (RING_PROVIDER.key_utils.rsa_pub_components_from_private_key)(encoding.as_bytes())
                .unwrap();
        Self { encoding, n, e }
    }

    /// The form a JWK gives.
    fn components(&self) -> DecodingKey {
        DecodingKey::from_rsa_raw_components(&self.n, &self.e)
    }

    /// The form a PEM or DER public key gives.
    fn der(&self) -> DecodingKey {
        DecodingKey::from_rsa_der(&rsa_public_der(&self.n, &self.e))
    }
}

struct EcKey {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl EcKey {
    fn from_pkcs8(pkcs8: &[u8], alg: &'static EcdsaSigningAlgorithm) -> Self {
        let pair = EcdsaKeyPair::from_pkcs8(alg, pkcs8, &SystemRandom::new()).unwrap();
        Self {
            encoding: EncodingKey::from_ec_der(pkcs8),
            decoding: DecodingKey::from_ec_der(pair.public_key().as_ref()),
        }
    }

    fn generate(alg: &'static EcdsaSigningAlgorithm) -> Self {
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(alg, &SystemRandom::new()).unwrap();
        Self::from_pkcs8(pkcs8.as_ref(), alg)
    }

    fn fixture_p256() -> Self {
        Self {
            encoding: EncodingKey::from_ec_pem(EC_P256).unwrap(),
            decoding: DecodingKey::from_ec_pem(&public_pem_of_fixture_p256()).unwrap(),
        }
    }
}

/// The fixture's public key as SPKI PEM, built from the point ring derives.
fn public_pem_of_fixture_p256() -> Vec<u8> {
    let encoding = EncodingKey::from_ec_pem(EC_P256).unwrap();
    let pair = EcdsaKeyPair::from_pkcs8(
        &ECDSA_P256_SHA256_FIXED_SIGNING,
        encoding.as_bytes(),
        &SystemRandom::new(),
    )
    .unwrap();
    // SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING point }
    let algorithm = [
        &[0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01][..],
        &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07][..],
    ]
    .concat();
    let mut bits = vec![0];
    bits.extend_from_slice(pair.public_key().as_ref());
    let mut body = tlv(0x30, &algorithm);
    body.extend(tlv(0x03, &bits));
    let spki = tlv(0x30, &body);
    let base64 = base64::engine::general_purpose::STANDARD.encode(spki);
    format!("-----BEGIN PUBLIC KEY-----\n{base64}\n-----END PUBLIC KEY-----\n").into_bytes()
}

struct EdKey {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl EdKey {
    fn generate() -> Self {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
        Self {
            encoding: EncodingKey::from_ed_der(pkcs8.as_ref()),
            decoding: DecodingKey::from_ed_der(pair.public_key().as_ref()),
        }
    }
}

/// Every accepted algorithm with a signing key, its public key in each form
/// the server meets, and another key of the same kind.
fn cases() -> Vec<(Algorithm, EncodingKey, Vec<DecodingKey>, DecodingKey)> {
    let (a, b) = (RsaKey::load(RSA_A), RsaKey::load(RSA_B));
    let mut cases: Vec<_> = RSA_ALGORITHMS
        .iter()
        .map(|alg| {
            (
                *alg,
                a.encoding.clone(),
                vec![a.components(), a.der()],
                b.components(),
            )
        })
        .collect();
    let p256 = EcKey::fixture_p256();
    let other_p256 = EcKey::generate(&ECDSA_P256_SHA256_FIXED_SIGNING);
    cases.push((
        Algorithm::ES256,
        p256.encoding,
        vec![p256.decoding],
        other_p256.decoding,
    ));
    let p384 = EcKey::generate(&ECDSA_P384_SHA384_FIXED_SIGNING);
    let other_p384 = EcKey::generate(&ECDSA_P384_SHA384_FIXED_SIGNING);
    cases.push((
        Algorithm::ES384,
        p384.encoding,
        vec![p384.decoding],
        other_p384.decoding,
    ));
    let (ed, other_ed) = (EdKey::generate(), EdKey::generate());
    cases.push((
        Algorithm::EdDSA,
        ed.encoding,
        vec![ed.decoding],
        other_ed.decoding,
    ));
    cases
}

const MESSAGE: &[u8] = b"eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9";

#[test]
fn every_accepted_algorithm_verifies_its_own_signature_in_every_key_form() {
    let cases = cases();
    assert_eq!(
        cases.len(),
        crate::adapters::idp::jwks::ALLOWED_ALGORITHMS.len()
    );
    for (alg, encoding, forms, _) in cases {
        assert!(crate::adapters::idp::jwks::ALLOWED_ALGORITHMS.contains(&alg));
        let signature = sign(alg, &encoding, MESSAGE);
        for (i, key) in forms.iter().enumerate() {
            assert!(verifies(alg, key, MESSAGE, &signature), "{alg:?} form {i}");
        }
    }
}

#[test]
fn a_flipped_bit_in_signature_or_message_is_rejected() {
    for (alg, encoding, forms, _) in cases() {
        let signature = sign(alg, &encoding, MESSAGE);
        for key in &forms {
            for byte in [0, signature.len() / 2, signature.len() - 1] {
                for bit in [0, 7] {
                    let mut forged = signature.clone();
                    forged[byte] ^= 1 << bit;
                    assert!(
                        !verifies(alg, key, MESSAGE, &forged),
                        "{alg:?} signature byte {byte} bit {bit}"
                    );
                }
            }
            let mut message = MESSAGE.to_vec();
            message[MESSAGE.len() - 2] ^= 1;
            assert!(!verifies(alg, key, &message, &signature), "{alg:?} message");
            assert!(
                !verifies(alg, key, MESSAGE, &signature[1..]),
                "{alg:?} short"
            );
            assert!(!verifies(alg, key, MESSAGE, &[]), "{alg:?} empty");
        }
    }
}

#[test]
fn another_key_of_the_same_kind_is_rejected() {
    for (alg, encoding, _, other) in cases() {
        let signature = sign(alg, &encoding, MESSAGE);
        assert!(!verifies(alg, &other, MESSAGE, &signature), "{alg:?}");
    }
}

#[test]
fn a_key_of_another_family_is_refused_before_any_check() {
    let rsa = RsaKey::load(RSA_A);
    let ec = EcKey::fixture_p256();
    let ed = EdKey::generate();
    let refused = [
        (Algorithm::ES256, rsa.components()),
        (Algorithm::ES384, rsa.der()),
        (Algorithm::EdDSA, rsa.components()),
        (Algorithm::RS256, ec.decoding.clone()),
        (Algorithm::PS512, ed.decoding.clone()),
        (Algorithm::EdDSA, ec.decoding.clone()),
        (Algorithm::ES256, ed.decoding.clone()),
    ];
    for (alg, key) in refused {
        assert_eq!(
            verifier_refusal(alg, &key),
            ErrorKind::InvalidKeyFormat,
            "{alg:?}"
        );
    }
    for (alg, key) in [
        (Algorithm::ES256, &rsa.encoding),
        (Algorithm::RS256, &ec.encoding),
        (Algorithm::EdDSA, &ec.encoding),
    ] {
        assert!(
            (RING_PROVIDER.signer_factory)(&alg, key).is_err(),
            "{alg:?}"
        );
    }
}

#[test]
fn another_algorithm_of_the_same_family_is_rejected() {
    let rsa = RsaKey::load(RSA_A);
    for signed in RSA_ALGORITHMS {
        let signature = sign(signed, &rsa.encoding, MESSAGE);
        for claimed in RSA_ALGORITHMS.into_iter().filter(|a| *a != signed) {
            assert!(
                !verifies(claimed, &rsa.components(), MESSAGE, &signature),
                "signed {signed:?}, checked as {claimed:?}"
            );
        }
    }
    // A P-256 signature and key presented as ES384, and a P-384 key under ES256.
    let p256 = EcKey::fixture_p256();
    let signature = sign(Algorithm::ES256, &p256.encoding, MESSAGE);
    assert!(!verifies(
        Algorithm::ES384,
        &p256.decoding,
        MESSAGE,
        &signature
    ));
    let p384 = EcKey::generate(&ECDSA_P384_SHA384_FIXED_SIGNING);
    let signature = sign(Algorithm::ES384, &p384.encoding, MESSAGE);
    assert!(!verifies(
        Algorithm::ES256,
        &p384.decoding,
        MESSAGE,
        &signature
    ));
    assert!((RING_PROVIDER.signer_factory)(&Algorithm::ES256, &p384.encoding).is_err());
}

#[test]
fn hmac_is_never_verified_even_with_the_right_secret() {
    use hmac::Mac;
    let secret = b"a shared secret the IdP never publishes";
    let signature = sign(Algorithm::HS256, &EncodingKey::from_secret(secret), MESSAGE);
    // The tag itself is right (tests forge HMAC tokens with it) ...
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret).unwrap();
    mac.update(MESSAGE);
    assert_eq!(signature, mac.finalize().into_bytes().to_vec());
    // ... but no HMAC token gets as far as a comparison.
    for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
        let key = DecodingKey::from_secret(secret);
        assert_eq!(
            verifier_refusal(alg, &key),
            ErrorKind::InvalidAlgorithm,
            "{alg:?}"
        );
    }
}

#[test]
fn known_answers_made_with_openssl() {
    let rsa = RsaKey::load(RSA_A);
    let rs256 = b64(KAT_RS256_RSA_A);
    assert_eq!(sign(Algorithm::RS256, &rsa.encoding, KAT_MESSAGE), rs256);
    assert!(verifies(Algorithm::RS256, &rsa.der(), KAT_MESSAGE, &rs256));

    let p256 = EcKey::fixture_p256();
    let es256 = b64(KAT_ES256_EC_P256);
    assert!(verifies(
        Algorithm::ES256,
        &p256.decoding,
        KAT_MESSAGE,
        &es256
    ));

    let ed_private = EncodingKey::from_ed_der(&b64(KAT_ED25519_PKCS8));
    let ed_public = DecodingKey::from_ed_der(&b64(KAT_ED25519_PUBLIC));
    let ed_signature = b64(KAT_ED25519_SIGNATURE);
    assert_eq!(
        sign(Algorithm::EdDSA, &ed_private, KAT_MESSAGE),
        ed_signature
    );
    assert!(verifies(
        Algorithm::EdDSA,
        &ed_public,
        KAT_MESSAGE,
        &ed_signature
    ));
}

#[test]
fn pss_signatures_are_salted_and_pkcs1_ones_are_not() {
    let rsa = RsaKey::load(RSA_A);
    for alg in RSA_ALGORITHMS {
        let first = sign(alg, &rsa.encoding, MESSAGE);
        let second = sign(alg, &rsa.encoding, MESSAGE);
        let pss = matches!(alg, Algorithm::PS256 | Algorithm::PS384 | Algorithm::PS512);
        assert_eq!(first != second, pss, "{alg:?}");
        assert!(verifies(alg, &rsa.components(), MESSAGE, &second));
    }
}

#[test]
fn rsa_moduli_with_leading_zero_bytes_still_verify() {
    let rsa = RsaKey::load(RSA_A);
    let padded = [&[0u8][..], &rsa.n].concat();
    let key = DecodingKey::from_rsa_raw_components(&padded, &[0, 0, 1, 0, 1]);
    let signature = sign(Algorithm::RS256, &rsa.encoding, MESSAGE);
    assert!(verifies(Algorithm::RS256, &key, MESSAGE, &signature));
}

#[test]
fn key_utilities_agree_with_the_keys() {
    let utils = &RING_PROVIDER.key_utils;
    let rsa = RsaKey::load(RSA_A);
    assert_eq!(rsa.e, vec![1, 0, 1]);
    assert_eq!(rsa.n.len(), 256, "2048-bit modulus, no sign byte");
    let der = rsa_public_der(&rsa.n, &rsa.e);
    assert_eq!(
        (utils.rsa_pub_components_from_public_key)(&der).unwrap(),
        (rsa.n.clone(), rsa.e.clone())
    );
    for broken in [
        &der[..der.len() - 1],
        &[der.as_slice(), &[0]].concat()[..],
        &der[1..],
        &[][..],
    ] {
        assert!((utils.rsa_pub_components_from_public_key)(broken).is_err());
    }

    let ec = EncodingKey::from_ec_pem(EC_P256).unwrap();
    let (curve, x, y) =
        (utils.ec_pub_components_from_private_key)(ec.as_bytes(), Algorithm::ES256).unwrap();
    assert_eq!(curve, EllipticCurve::P256);
    let point = [&[4u8][..], &x, &y].concat();
    let pair = EcdsaKeyPair::from_pkcs8(
        &ECDSA_P256_SHA256_FIXED_SIGNING,
        ec.as_bytes(),
        &SystemRandom::new(),
    )
    .unwrap();
    assert_eq!(point, pair.public_key().as_ref());
    assert!((utils.ec_pub_components_from_private_key)(ec.as_bytes(), Algorithm::ES384).is_err());

    let ed = (utils.ed_pub_components_from_private_key)(
        &b64(KAT_ED25519_PKCS8),
        &EllipticCurve::Ed25519,
    )
    .unwrap();
    assert_eq!(ed, b64(KAT_ED25519_PUBLIC));

    use sha2::Digest;
    assert_eq!(
        (utils.compute_digest)(b"thumbprint input", ThumbprintHash::SHA256).unwrap(),
        sha2::Sha256::digest(b"thumbprint input").to_vec()
    );
    assert_eq!(
        (utils.compute_digest)(b"thumbprint input", ThumbprintHash::SHA512).unwrap(),
        sha2::Sha512::digest(b"thumbprint input").to_vec()
    );
}

#[test]
fn installed_once_for_the_process_and_used_by_decode() {
    install().unwrap();
    install().unwrap();
    // The slot now holds ring's provider: nothing else can take it.
    static OTHER: CryptoProvider = CryptoProvider {
        signer_factory: super::sign::new_signer,
        verifier_factory: super::verify::new_verifier,
        key_utils: jsonwebtoken::crypto::KeyUtils::new_unimplemented(),
    };
    assert!(OTHER.install_default().is_err());

    let rsa = RsaKey::load(RSA_A);
    let mut header = jsonwebtoken::Header::new(Algorithm::PS256);
    header.kid = Some("a".into());
    let claims = serde_json::json!({"sub": "alice", "exp": 4_000_000_000u64});
    let token = jsonwebtoken::encode(&header, &claims, &rsa.encoding).unwrap();
    let mut validation = jsonwebtoken::Validation::new(Algorithm::PS256);
    validation.validate_aud = false;
    let data =
        jsonwebtoken::decode::<serde_json::Value>(&token, &rsa.components(), &validation).unwrap();
    assert_eq!(data.claims["sub"], "alice");
    let other = RsaKey::load(RSA_B);
    let err = jsonwebtoken::decode::<serde_json::Value>(&token, &other.components(), &validation)
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::InvalidSignature);
}
