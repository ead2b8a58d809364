//! Unit tests of the sealing format (the contract suite covers the stores).

use secrecy::{ExposeSecret, SecretString};

use super::crypto::*;

const TOKEN: &str = "rt-super-secret-0123456789";

fn binding<'a>(subject: &'a str, provider: &'a str) -> Binding<'a> {
    Binding {
        purpose: Purpose::RefreshToken,
        subject,
        provider,
    }
}

fn ring(version: u32) -> Keyring {
    Keyring::new(version, SealingKey::generate().unwrap())
}

#[test]
fn round_trip_and_random_nonce() {
    let ring = ring(1);
    let secret = SecretString::from(TOKEN);
    let a = ring.seal(binding("alice", "kc"), &secret).unwrap();
    let b = ring.seal(binding("alice", "kc"), &secret).unwrap();
    assert_ne!(
        a.bytes, b.bytes,
        "same plaintext must not seal to the same bytes"
    );
    assert_eq!(a.bytes.len(), 1 + 12 + TOKEN.len() + 16);
    assert!(!a.bytes.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()));
    let opened = ring.open(binding("alice", "kc"), 1, &a.bytes).unwrap();
    assert_eq!(opened.expose_secret(), TOKEN);
}

#[test]
fn every_single_byte_tamper_fails() {
    let ring = ring(1);
    let sealed = ring.seal(binding("alice", "kc"), &TOKEN.into()).unwrap();
    for i in 0..sealed.bytes.len() {
        let mut bytes = sealed.bytes.clone();
        bytes[i] ^= 0x01;
        let err = ring.open(binding("alice", "kc"), 1, &bytes).unwrap_err();
        assert!(
            matches!(err, SealError::Rejected | SealError::Malformed),
            "byte {i}: {err:?}"
        );
    }
    assert_eq!(
        ring.open(binding("alice", "kc"), 1, &sealed.bytes[..20])
            .unwrap_err(),
        SealError::Malformed
    );
}

#[test]
fn binding_table() {
    let ring = ring(3)
        .with_previous(2, SealingKey::generate().unwrap())
        .unwrap();
    let sealed = ring.seal(binding("alice", "kc"), &TOKEN.into()).unwrap();
    assert_eq!(sealed.key_version, 3);
    let pkce = Binding {
        purpose: Purpose::PkceVerifier,
        subject: "alice",
        provider: "kc",
    };
    let rows: Vec<(&str, Binding, u32, Result<(), SealError>)> = vec![
        ("same row", binding("alice", "kc"), 3, Ok(())),
        (
            "other subject",
            binding("bob", "kc"),
            3,
            Err(SealError::Rejected),
        ),
        (
            "other provider",
            binding("alice", "nc"),
            3,
            Err(SealError::Rejected),
        ),
        (
            "shifted boundary",
            binding("alic", "ekc"),
            3,
            Err(SealError::Rejected),
        ),
        ("other purpose", pkce, 3, Err(SealError::Rejected)),
        (
            "relabelled version",
            binding("alice", "kc"),
            2,
            Err(SealError::Rejected),
        ),
        (
            "unknown version",
            binding("alice", "kc"),
            9,
            Err(SealError::UnknownKeyVersion(9)),
        ),
    ];
    for (label, b, version, want) in rows {
        let got = ring.open(b, version, &sealed.bytes).map(|_| ());
        assert_eq!(got, want, "{label}");
    }
}

#[test]
fn old_keys_open_and_new_key_seals() {
    let k1 = SealingKey::generate().unwrap();
    let old = Keyring::new(1, k1.clone());
    let sealed = old.seal(binding("alice", "kc"), &TOKEN.into()).unwrap();
    let rotated = Keyring::new(2, SealingKey::generate().unwrap())
        .with_previous(1, k1)
        .unwrap();
    let opened = rotated
        .open(binding("alice", "kc"), 1, &sealed.bytes)
        .unwrap();
    let resealed = rotated.seal(binding("alice", "kc"), &opened).unwrap();
    assert_eq!(resealed.key_version, 2);
    assert_eq!(
        old.open(binding("alice", "kc"), 2, &resealed.bytes)
            .unwrap_err(),
        SealError::UnknownKeyVersion(2)
    );
}

#[test]
fn key_from_base64_table() {
    let b64_32 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    let rows: Vec<(&str, Result<(), KeyError>)> = vec![
        (b64_32, Ok(())),
        ("  AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n", Ok(())),
        ("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", Ok(())),
        ("_-_-AwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", Ok(())),
        ("AAECAw==", Err(KeyError::Length(4))),
        ("", Err(KeyError::Length(0))),
        ("not base64 at all!", Err(KeyError::Encoding)),
        (
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gIQ==",
            Err(KeyError::Length(34)),
        ),
    ];
    for (input, want) in rows {
        assert_eq!(
            SealingKey::from_base64(input).map(|_| ()),
            want,
            "{input:?}"
        );
    }
}

#[test]
fn keyring_parse_table() {
    let k = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    let ok = |current: &str, previous: Option<&str>| Keyring::parse(current, previous);
    assert_eq!(ok(k, None).unwrap().current_version(), 1);
    assert_eq!(
        ok(&format!("4:{k}"), Some(&format!("3:{k}, 1:{k}")))
            .unwrap()
            .current_version(),
        4
    );
    assert_eq!(
        ok(&format!("2:{k}"), Some("")).unwrap().current_version(),
        2
    );
    assert_eq!(ok(&format!("0:{k}"), None).unwrap_err(), KeyError::Version);
    assert_eq!(ok(&format!("x:{k}"), None).unwrap_err(), KeyError::Version);
    assert_eq!(ok(k, Some(k)).unwrap_err(), KeyError::Version);
    assert_eq!(
        ok(&format!("2:{k}"), Some(&format!("2:{k}"))).unwrap_err(),
        KeyError::DuplicateVersion(2)
    );
}

#[test]
fn nothing_secret_in_debug_or_errors() {
    let key = SealingKey::generate().unwrap();
    let b64 = key.to_base64();
    let ring = Keyring::new(1, key.clone());
    let shown = format!("{key:?} {ring:?}");
    assert!(!shown.contains(b64.expose_secret()), "{shown}");
    assert!(SealingKey::from_base64(b64.expose_secret()).is_ok());
    let bad = format!("{}!", b64.expose_secret());
    let err = SealingKey::from_base64(&bad).unwrap_err().to_string();
    assert!(!err.contains(b64.expose_secret()), "{err}");
}
