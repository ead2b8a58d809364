//! JWS signatures for `jsonwebtoken`, computed with ring (which rustls links
//! anyway), so no second cryptography stack is built into the binary.
//!
//! `jsonwebtoken` keeps one process-wide provider and, built without its
//! crypto features (as here), has no default: any signature operation before
//! [`install`] panics instead of quietly using another implementation. The
//! verifier refuses HMAC outright: a token signed with a shared secret is
//! never trusted, whatever the header or key says. Signing exists for the
//! test suite and benchmarks, which mint tokens in-process.

mod key_utils;
mod sign;
mod verify;

#[cfg(test)]
mod tests;

use std::sync::OnceLock;

use jsonwebtoken::crypto::{CryptoProvider, KeyUtils};

/// Everything `jsonwebtoken` asks of a provider, answered with ring.
pub(crate) static RING_PROVIDER: CryptoProvider = CryptoProvider {
    signer_factory: sign::new_signer,
    verifier_factory: verify::new_verifier,
    key_utils: KeyUtils {
        rsa_pub_components_from_private_key: key_utils::rsa_components_from_private_key,
        rsa_pub_components_from_public_key: key_utils::rsa_components_from_public_key,
        ec_pub_components_from_private_key: key_utils::ec_components_from_private_key,
        ed_pub_components_from_private_key: key_utils::ed_component_from_private_key,
        compute_digest: key_utils::digest,
    },
};

/// `jsonwebtoken`'s provider slot was taken before this server could claim
/// it, so no signature is checked at all (fail closed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "JWT signatures cannot be checked: another signature provider was set up in this process first"
)]
pub struct ProviderTaken;

/// Makes ring `jsonwebtoken`'s provider for this process. Idempotent and
/// cheap after the first call, so every path that signs or verifies calls it
/// first; the outcome of the first call is remembered, so once the slot is
/// known to hold something else, every later call says so too.
pub fn install() -> Result<(), ProviderTaken> {
    static OUTCOME: OnceLock<bool> = OnceLock::new();
    if *OUTCOME.get_or_init(|| RING_PROVIDER.install_default().is_ok()) {
        Ok(())
    } else {
        Err(ProviderTaken)
    }
}
