//! Signature checks from the key forms a `DecodingKey` carries: RSA as
//! modulus and exponent (from a JWK) or a PKCS#1 `RSAPublicKey` (from PEM or
//! DER), an uncompressed EC point, a raw Ed25519 public key.

use jsonwebtoken::crypto::JwtVerifier;
use jsonwebtoken::errors::{ErrorKind, Result};
use jsonwebtoken::signature::{Error as SignatureError, Verifier};
use jsonwebtoken::{Algorithm, DecodingKey, DecodingKeyKind};
use ring::signature::{self as ring_sig, RsaParameters, UnparsedPublicKey, VerificationAlgorithm};

/// How one algorithm checks a signature.
#[derive(Clone, Copy)]
enum Scheme {
    /// RSA keys also come as bare modulus and exponent, which need the
    /// concrete parameters rather than the generic trait.
    Rsa(&'static RsaParameters),
    Encoded(&'static dyn VerificationAlgorithm),
}

fn scheme(alg: Algorithm) -> Result<Scheme> {
    // ring's RSA verifiers take moduli of 2048 to 8192 bits: shorter keys are
    // refused as too weak to trust.
    Ok(match alg {
        Algorithm::RS256 => Scheme::Rsa(&ring_sig::RSA_PKCS1_2048_8192_SHA256),
        Algorithm::RS384 => Scheme::Rsa(&ring_sig::RSA_PKCS1_2048_8192_SHA384),
        Algorithm::RS512 => Scheme::Rsa(&ring_sig::RSA_PKCS1_2048_8192_SHA512),
        Algorithm::PS256 => Scheme::Rsa(&ring_sig::RSA_PSS_2048_8192_SHA256),
        Algorithm::PS384 => Scheme::Rsa(&ring_sig::RSA_PSS_2048_8192_SHA384),
        Algorithm::PS512 => Scheme::Rsa(&ring_sig::RSA_PSS_2048_8192_SHA512),
        // JWS ECDSA signatures are r || s at the curve's size (RFC 7518 3.4).
        Algorithm::ES256 => Scheme::Encoded(&ring_sig::ECDSA_P256_SHA256_FIXED),
        Algorithm::ES384 => Scheme::Encoded(&ring_sig::ECDSA_P384_SHA384_FIXED),
        Algorithm::EdDSA => Scheme::Encoded(&ring_sig::ED25519),
        // A shared-secret signature proves nothing about who made the token
        // (a published key can be used as the secret), so it is never
        // checked, let alone accepted.
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => {
            return Err(ErrorKind::InvalidAlgorithm.into());
        }
        // An algorithm added to a later `jsonwebtoken` verifies nothing until
        // it is added here.
        _ => return Err(ErrorKind::UnsupportedAlgorithm.into()),
    })
}

/// `jsonwebtoken`'s verifier factory: refuses a key of another family than
/// the algorithm before any signature is looked at.
pub(super) fn new_verifier(alg: &Algorithm, key: &DecodingKey) -> Result<Box<dyn JwtVerifier>> {
    let scheme = scheme(*alg)?;
    if key.family() != alg.family() {
        return Err(ErrorKind::InvalidKeyFormat.into());
    }
    Ok(Box::new(RingVerifier {
        alg: *alg,
        scheme,
        key: key.clone(),
    }))
}

struct RingVerifier {
    alg: Algorithm,
    scheme: Scheme,
    key: DecodingKey,
}

impl Verifier<Vec<u8>> for RingVerifier {
    fn verify(&self, msg: &[u8], signature: &Vec<u8>) -> std::result::Result<(), SignatureError> {
        let checked = match (self.scheme, self.key.kind()) {
            (Scheme::Rsa(params), DecodingKeyKind::RsaModulusExponent { n, e }) => {
                ring_sig::RsaPublicKeyComponents {
                    n: without_leading_zeros(n),
                    e: without_leading_zeros(e),
                }
                .verify(params, msg, signature)
            }
            (Scheme::Rsa(params), DecodingKeyKind::SecretOrDer(der)) => {
                UnparsedPublicKey::new(params, der).verify(msg, signature)
            }
            (Scheme::Encoded(alg), DecodingKeyKind::SecretOrDer(bytes)) => {
                UnparsedPublicKey::new(alg, bytes).verify(msg, signature)
            }
            (Scheme::Encoded(_), DecodingKeyKind::RsaModulusExponent { .. }) => {
                return Err(SignatureError::new());
            }
        };
        checked.map_err(|_| SignatureError::new())
    }
}

impl JwtVerifier for RingVerifier {
    fn algorithm(&self) -> Algorithm {
        self.alg
    }
}

/// JWK integers are meant to be minimal, yet some IdPs pad the modulus with a
/// zero byte; ring wants the minimal form, and the number is the same.
fn without_leading_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    &bytes[first..]
}
