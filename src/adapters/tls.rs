//! TLS set-up shared by every outbound HTTP adapter (Nextcloud, identity
//! providers): process-wide, so it belongs to no single adapter.

/// Installs ring as rustls' crypto provider once per process; reqwest is built
/// without a bundled provider, which keeps aws-lc's C build out.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
