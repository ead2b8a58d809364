//! Every integration test that needs no live service, in one binary: each
//! test binary links the whole crate, so one binary builds and links once.
//! Live PostgreSQL tests of the store run here too (skipped without one);
//! Keycloak tests are in `tests/live`, the log-capture test in its own binary.

mod architecture;
mod cli;
mod contract;
mod documents;
mod e2e;
mod hostile;
mod idp;
#[cfg(feature = "embeddings-onnx")]
mod onnx_model;
mod store;
mod support;
mod webhooks;
