//! Signing, for tokens minted in-process by the tests and benchmarks. The
//! key bytes are what `EncodingKey` holds: the HMAC secret, a PKCS#1
//! `RSAPrivateKey` (PKCS#8 is taken too), or a PKCS#8 EC or Ed25519 key.

use jsonwebtoken::crypto::JwtSigner;
use jsonwebtoken::errors::{ErrorKind, Result};
use jsonwebtoken::signature::{Error as SignatureError, Signer};
use jsonwebtoken::{Algorithm, EncodingKey};
use ring::hmac;
use ring::rand::SystemRandom;
use ring::signature::{self as ring_sig, EcdsaKeyPair, Ed25519KeyPair, RsaEncoding, RsaKeyPair};

enum Key {
    Hmac(hmac::Key),
    Rsa(RsaKeyPair, &'static dyn RsaEncoding),
    Ecdsa(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
}

/// `jsonwebtoken`'s signer factory: the key is parsed once, here, so a key
/// that does not fit the algorithm fails before anything is signed.
pub(super) fn new_signer(alg: &Algorithm, key: &EncodingKey) -> Result<Box<dyn JwtSigner>> {
    if key.family() != alg.family() {
        return Err(ErrorKind::InvalidKeyFormat.into());
    }
    let bytes = key.as_bytes();
    let key = match alg {
        Algorithm::HS256 => Key::Hmac(hmac::Key::new(hmac::HMAC_SHA256, bytes)),
        Algorithm::HS384 => Key::Hmac(hmac::Key::new(hmac::HMAC_SHA384, bytes)),
        Algorithm::HS512 => Key::Hmac(hmac::Key::new(hmac::HMAC_SHA512, bytes)),
        Algorithm::RS256 => Key::Rsa(rsa_key_pair(bytes)?, &ring_sig::RSA_PKCS1_SHA256),
        Algorithm::RS384 => Key::Rsa(rsa_key_pair(bytes)?, &ring_sig::RSA_PKCS1_SHA384),
        Algorithm::RS512 => Key::Rsa(rsa_key_pair(bytes)?, &ring_sig::RSA_PKCS1_SHA512),
        Algorithm::PS256 => Key::Rsa(rsa_key_pair(bytes)?, &ring_sig::RSA_PSS_SHA256),
        Algorithm::PS384 => Key::Rsa(rsa_key_pair(bytes)?, &ring_sig::RSA_PSS_SHA384),
        Algorithm::PS512 => Key::Rsa(rsa_key_pair(bytes)?, &ring_sig::RSA_PSS_SHA512),
        Algorithm::ES256 => Key::Ecdsa(ecdsa_key_pair(
            &ring_sig::ECDSA_P256_SHA256_FIXED_SIGNING,
            bytes,
        )?),
        Algorithm::ES384 => Key::Ecdsa(ecdsa_key_pair(
            &ring_sig::ECDSA_P384_SHA384_FIXED_SIGNING,
            bytes,
        )?),
        Algorithm::EdDSA => Key::Ed25519(ed25519_key_pair(bytes)?),
        _ => return Err(ErrorKind::UnsupportedAlgorithm.into()),
    };
    Ok(Box::new(RingSigner { alg: *alg, key }))
}

pub(super) fn rsa_key_pair(der: &[u8]) -> Result<RsaKeyPair> {
    RsaKeyPair::from_der(der)
        .or_else(|_| RsaKeyPair::from_pkcs8(der))
        .map_err(|e| ErrorKind::InvalidRsaKey(e.to_string()).into())
}

pub(super) fn ecdsa_key_pair(
    alg: &'static ring_sig::EcdsaSigningAlgorithm,
    pkcs8: &[u8],
) -> Result<EcdsaKeyPair> {
    EcdsaKeyPair::from_pkcs8(alg, pkcs8, &SystemRandom::new())
        .map_err(|_| ErrorKind::InvalidEcdsaKey.into())
}

/// PKCS#8 v1 (no public key inside, what OpenSSL writes) as well as v2.
pub(super) fn ed25519_key_pair(pkcs8: &[u8]) -> Result<Ed25519KeyPair> {
    Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8).map_err(|_| ErrorKind::InvalidEddsaKey.into())
}

struct RingSigner {
    alg: Algorithm,
    key: Key,
}

impl Signer<Vec<u8>> for RingSigner {
    fn try_sign(&self, msg: &[u8]) -> std::result::Result<Vec<u8>, SignatureError> {
        match &self.key {
            Key::Hmac(key) => Ok(hmac::sign(key, msg).as_ref().to_vec()),
            Key::Rsa(pair, padding) => {
                let mut signature = vec![0; pair.public().modulus_len()];
                pair.sign(*padding, &SystemRandom::new(), msg, &mut signature)
                    .map_err(|_| SignatureError::new())?;
                Ok(signature)
            }
            Key::Ecdsa(pair) => pair
                .sign(&SystemRandom::new(), msg)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| SignatureError::new()),
            Key::Ed25519(pair) => Ok(pair.sign(msg).as_ref().to_vec()),
        }
    }
}

impl JwtSigner for RingSigner {
    fn algorithm(&self) -> Algorithm {
        self.alg
    }
}
