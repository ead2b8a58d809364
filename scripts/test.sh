#!/usr/bin/env bash
# The whole test suite, on a fresh machine, without a prompt:
# formatting, lints, then every test, with the live services (PostgreSQL,
# Keycloak) started once for the run and stopped at the end, and the
# embedding model fetched once (it is cached) for the in-process embedder.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '== %s\n' "$*" >&2; }

if ! command -v cargo >/dev/null 2>&1; then
  log "cargo not found: install Rust with rustup (https://rustup.rs)"
  exit 1
fi
rustup component add rustfmt clippy >/dev/null 2>&1 || true

stop_services() {
  for service in model keycloak postgres; do
    if [ -x "scripts/live/$service.sh" ]; then
      "scripts/live/$service.sh" stop >/dev/null 2>&1 || true
    fi
  done
}
trap stop_services EXIT

log "cargo fmt --check"
cargo fmt --all -- --check

log "cargo clippy"
cargo clippy --all-targets --locked -- -D warnings
# The optional features (the in-process embedding model, HTTP/2 to Nextcloud):
# lint that build too.
cargo clippy --all-targets --locked --features embeddings-onnx,http2 -- -D warnings

# The Helm chart: lint, render with several value sets, validate the
# manifests (installs helm on first use; says SKIPPED when it cannot).
log "helm chart (scripts/chart.sh)"
scripts/chart.sh

# Build everything while the services start, so their start-up time is not idle.
log "starting live services"
export NEXTCLOUD_MCP_LIVE_TESTS=1
for service in postgres keycloak model; do
  if [ -x "scripts/live/$service.sh" ]; then
    exports=$("scripts/live/$service.sh" start)
    eval "$exports"
  fi
done

log "cargo test"
# Benches are left out: they measure, they do not test. The feature brings in
# the in-process embedder and its test with the real model.
cargo test --lib --bins --tests --locked --features embeddings-onnx -- --test-threads="${TEST_THREADS:-4}"
cargo test --doc --locked

# The container image around the binary just built; SKIPPED without a
# running Docker engine.
log "container image (scripts/image.sh)"
scripts/image.sh
log "all tests passed"
