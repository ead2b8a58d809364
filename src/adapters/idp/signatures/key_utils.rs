//! The key helpers `jsonwebtoken` uses to build JWKs and thumbprints: public
//! parts from private keys (PKCS#1 or PKCS#8 RSA, PKCS#8 EC and Ed25519),
//! RSA modulus and exponent from a PKCS#1 `RSAPublicKey`, and digests.

use jsonwebtoken::Algorithm;
use jsonwebtoken::errors::{ErrorKind, Result};
use jsonwebtoken::jwk::{EllipticCurve, ThumbprintHash};
use ring::digest;
use ring::signature::{self as ring_sig, KeyPair, RsaPublicKeyComponents};

use super::sign::{ecdsa_key_pair, ed25519_key_pair, rsa_key_pair};

pub(super) fn rsa_components_from_private_key(der: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
    let pair = rsa_key_pair(der)?;
    let parts = RsaPublicKeyComponents::<Vec<u8>>::from(pair.public());
    Ok((parts.n, parts.e))
}

/// Reads `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent
/// INTEGER }` (RFC 8017 A.1.1), strictly: definite lengths, nothing after.
pub(super) fn rsa_components_from_public_key(der: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
    let invalid = || ErrorKind::InvalidRsaKey("not a DER RSAPublicKey".into());
    let (body, rest) = der_element(der, 0x30).ok_or_else(invalid)?;
    if !rest.is_empty() {
        return Err(invalid().into());
    }
    let (n, body) = der_element(body, 0x02).ok_or_else(invalid)?;
    let (e, body) = der_element(body, 0x02).ok_or_else(invalid)?;
    if !body.is_empty() || n.is_empty() || e.is_empty() {
        return Err(invalid().into());
    }
    Ok((unsigned(n).to_vec(), unsigned(e).to_vec()))
}

/// One DER element with tag `tag`: its content and what follows it.
fn der_element(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (&found, input) = input.split_first()?;
    if found != tag {
        return None;
    }
    let (&first, mut input) = input.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        // Long form: the low bits count the length bytes that follow; more
        // than four would describe a key far larger than any RSA key.
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 || input.len() < count {
            return None;
        }
        let (bytes, after) = input.split_at(count);
        input = after;
        bytes
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b))
    };
    (input.len() >= len).then(|| input.split_at(len))
}

/// A DER INTEGER is signed: a positive number whose top bit is set carries a
/// leading zero byte, which the JWK form does not.
fn unsigned(integer: &[u8]) -> &[u8] {
    match integer {
        [0, rest @ ..] if !rest.is_empty() => rest,
        other => other,
    }
}

pub(super) fn ec_components_from_private_key(
    pkcs8: &[u8],
    alg: Algorithm,
) -> Result<(EllipticCurve, Vec<u8>, Vec<u8>)> {
    let (signing, curve, coordinate_len) = match alg {
        Algorithm::ES256 => (
            &ring_sig::ECDSA_P256_SHA256_FIXED_SIGNING,
            EllipticCurve::P256,
            32,
        ),
        Algorithm::ES384 => (
            &ring_sig::ECDSA_P384_SHA384_FIXED_SIGNING,
            EllipticCurve::P384,
            48,
        ),
        _ => return Err(ErrorKind::InvalidEcdsaKey.into()),
    };
    let pair = ecdsa_key_pair(signing, pkcs8)?;
    // ring hands out the uncompressed point: 0x04, then x and y.
    match pair.public_key().as_ref().split_first() {
        Some((4, xy)) if xy.len() == 2 * coordinate_len => {
            let (x, y) = xy.split_at(coordinate_len);
            Ok((curve, x.to_vec(), y.to_vec()))
        }
        _ => Err(ErrorKind::InvalidEcdsaKey.into()),
    }
}

pub(super) fn ed_component_from_private_key(
    pkcs8: &[u8],
    curve: &EllipticCurve,
) -> Result<Vec<u8>> {
    if *curve != EllipticCurve::Ed25519 {
        return Err(ErrorKind::InvalidEddsaKey.into());
    }
    Ok(ed25519_key_pair(pkcs8)?.public_key().as_ref().to_vec())
}

pub(super) fn digest(data: &[u8], hash: ThumbprintHash) -> Result<Vec<u8>> {
    let algorithm = match hash {
        ThumbprintHash::SHA256 => &digest::SHA256,
        ThumbprintHash::SHA384 => &digest::SHA384,
        ThumbprintHash::SHA512 => &digest::SHA512,
        // A hash added to a later `jsonwebtoken` is refused, not guessed.
        _ => return Err(ErrorKind::UnsupportedAlgorithm.into()),
    };
    Ok(digest::digest(algorithm, data).as_ref().to_vec())
}
