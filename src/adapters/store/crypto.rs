//! AES-256-GCM sealing of stored secrets (docs/security.md, rule 11).
//!
//! Sealed bytes: `0x01 || nonce (12 random bytes) || ciphertext || tag (16)`.
//! Associated data binds the row: format byte, purpose, subject, provider and
//! key version, each length-prefixed, so a value copied to another row, or
//! relabelled with another key version, fails to open. The key version itself
//! is stored in its own column next to the sealed bytes.

use std::collections::BTreeMap;

use aes_gcm::aead::consts::U12;
use aes_gcm::aead::{Aead, Generate, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

const FORMAT_V1: u8 = 1;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

/// Why a key could not be read. Never echoes the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("the token encryption key is not valid base64")]
    Encoding,
    #[error("the token encryption key must decode to 32 bytes, it decodes to {0}")]
    Length(usize),
    #[error("key version must be a positive integer written as `N:BASE64`")]
    Version,
    #[error("key version {0} is given twice")]
    DuplicateVersion(u32),
}

/// Why a sealed value did not open (or could not be sealed). Never echoes data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("no key with version {0} is configured")]
    UnknownKeyVersion(u32),
    #[error("the sealed value is malformed")]
    Malformed,
    #[error("authentication failed")]
    Rejected,
    #[error("the opened value is not UTF-8")]
    NotText,
    #[error("the system random number generator failed")]
    Random,
}

/// A 256-bit key. Zeroed on drop; Debug shows nothing.
#[derive(Clone)]
pub struct SealingKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealingKey([redacted])")
    }
}

impl SealingKey {
    /// Reads 32 bytes of base64 (standard or URL-safe, padded or not).
    pub fn from_base64(encoded: &str) -> Result<Self, KeyError> {
        let encoded = encoded.trim();
        let decoded = [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
            .iter()
            .find_map(|engine| engine.decode(encoded).ok())
            .map(Zeroizing::new)
            .ok_or(KeyError::Encoding)?;
        let bytes: [u8; 32] = decoded
            .as_slice()
            .try_into()
            .map_err(|_| KeyError::Length(decoded.len()))?;
        Ok(SealingKey(Zeroizing::new(bytes)))
    }

    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        SealingKey(Zeroizing::new(bytes))
    }

    /// A fresh random key (tests, and a future `generate-key` command).
    pub fn generate() -> Result<Self, SealError> {
        let bytes = <[u8; 32] as Generate>::try_generate().map_err(|_| SealError::Random)?;
        Ok(SealingKey(Zeroizing::new(bytes)))
    }

    /// The key as base64, for showing once to an operator who generated it.
    pub fn to_base64(&self) -> SecretString {
        SecretString::from(STANDARD.encode(self.0.as_ref()))
    }

    fn cipher(&self) -> Aes256Gcm {
        // Infallible: the slice is 32 bytes.
        Aes256Gcm::new_from_slice(self.0.as_ref()).expect("32-byte key")
    }
}

/// What a sealed value is for, so values cannot be swapped between columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    RefreshToken,
    PkceVerifier,
    /// A Nextcloud app password granted through Login Flow v2.
    AppPassword,
    /// The single-use token that fetches that app password.
    LoginFlowPollToken,
}

impl Purpose {
    fn label(self) -> &'static str {
        match self {
            Purpose::RefreshToken => "refresh_token",
            Purpose::PkceVerifier => "pkce_verifier",
            Purpose::AppPassword => "app_password",
            Purpose::LoginFlowPollToken => "login_flow_poll_token",
        }
    }
}

/// The row a sealed value belongs to.
#[derive(Clone, Copy, Debug)]
pub struct Binding<'a> {
    pub purpose: Purpose,
    pub subject: &'a str,
    pub provider: &'a str,
}

impl Binding<'_> {
    fn aad(&self, key_version: u32) -> Vec<u8> {
        let mut aad = vec![FORMAT_V1];
        for part in [self.purpose.label(), self.subject, self.provider] {
            aad.extend_from_slice(&(part.len() as u64).to_be_bytes());
            aad.extend_from_slice(part.as_bytes());
        }
        aad.extend_from_slice(&key_version.to_be_bytes());
        aad
    }
}

/// A sealed value and the version of the key that sealed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sealed {
    pub key_version: u32,
    pub bytes: Vec<u8>,
}

/// The current key (used to seal) and older ones (still accepted to open).
#[derive(Clone, Debug)]
pub struct Keyring {
    current: u32,
    keys: BTreeMap<u32, SealingKey>,
}

impl Keyring {
    pub fn new(version: u32, key: SealingKey) -> Self {
        Keyring {
            current: version,
            keys: BTreeMap::from([(version, key)]),
        }
    }

    /// Adds an older key that may still open rows until they are resealed.
    pub fn with_previous(mut self, version: u32, key: SealingKey) -> Result<Self, KeyError> {
        if self.keys.contains_key(&version) {
            return Err(KeyError::DuplicateVersion(version));
        }
        self.keys.insert(version, key);
        Ok(self)
    }

    /// From configuration: `current` is `BASE64` (version 1) or `N:BASE64`;
    /// `previous` is a comma-separated list of `N:BASE64`.
    pub fn parse(current: &str, previous: Option<&str>) -> Result<Self, KeyError> {
        let (version, key) = parse_versioned(current, true)?;
        let mut ring = Keyring::new(version, key);
        for item in previous
            .unwrap_or("")
            .split(',')
            .filter(|s| !s.trim().is_empty())
        {
            let (version, key) = parse_versioned(item, false)?;
            ring = ring.with_previous(version, key)?;
        }
        Ok(ring)
    }

    pub fn current_version(&self) -> u32 {
        self.current
    }

    pub fn seal(
        &self,
        binding: Binding<'_>,
        plaintext: &SecretString,
    ) -> Result<Sealed, SealError> {
        let key = &self.keys[&self.current];
        let nonce = Nonce::<U12>::try_generate().map_err(|_| SealError::Random)?;
        let aad = binding.aad(self.current);
        let ciphertext = key
            .cipher()
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext.expose_secret().as_bytes(),
                    aad: &aad,
                },
            )
            .map_err(|_| SealError::Malformed)?;
        let mut bytes = Vec::with_capacity(1 + NONCE_LEN + ciphertext.len());
        bytes.push(FORMAT_V1);
        bytes.extend_from_slice(&nonce);
        bytes.extend_from_slice(&ciphertext);
        Ok(Sealed {
            key_version: self.current,
            bytes,
        })
    }

    pub fn open(
        &self,
        binding: Binding<'_>,
        key_version: u32,
        sealed: &[u8],
    ) -> Result<SecretString, SealError> {
        let key = self
            .keys
            .get(&key_version)
            .ok_or(SealError::UnknownKeyVersion(key_version))?;
        if sealed.len() < 1 + NONCE_LEN + TAG_LEN || sealed[0] != FORMAT_V1 {
            return Err(SealError::Malformed);
        }
        let nonce =
            Nonce::<U12>::try_from(&sealed[1..1 + NONCE_LEN]).map_err(|_| SealError::Malformed)?;
        let aad = binding.aad(key_version);
        let plain = key
            .cipher()
            .decrypt(
                &nonce,
                Payload {
                    msg: &sealed[1 + NONCE_LEN..],
                    aad: &aad,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| SealError::Rejected)?;
        let text = std::str::from_utf8(&plain).map_err(|_| SealError::NotText)?;
        Ok(SecretString::from(text))
    }
}

fn parse_versioned(item: &str, version_optional: bool) -> Result<(u32, SealingKey), KeyError> {
    match item.trim().split_once(':') {
        Some((v, key)) => {
            let version: u32 = v.trim().parse().map_err(|_| KeyError::Version)?;
            if version == 0 {
                return Err(KeyError::Version);
            }
            Ok((version, SealingKey::from_base64(key)?))
        }
        None if version_optional => Ok((1, SealingKey::from_base64(item)?)),
        None => Err(KeyError::Version),
    }
}
