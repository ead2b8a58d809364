#!/usr/bin/env bash
# Smoke test of the container image's runtime stage with a running Docker
# engine: builds the Dockerfile with a locally made Debian base, starts the
# image read-only and without capabilities, and checks what an operator
# relies on: /healthz answers through the published port, the process runs
# as uid 65532, the SQLite store is created on the volume, and (when the
# binary has the `health` subcommand) the HEALTHCHECK turns healthy.
#
#   scripts/image.sh [BINARY]     # default: target/debug/nextcloud-mcp
#
# Where no image can be pulled, the Rust toolchain image of the builder stage
# is not at hand either: a stand-in builder hands the Dockerfile a binary
# built on this machine instead of compiling it in the image (the build
# itself is covered by the Rust build of the test script). The runtime base is
# Debian 12 made with debootstrap from Debian's packages, cached as a tarball
# under ${NEXTCLOUD_MCP_CACHE:-$HOME/.cache/nextcloud-mcp}/images.
#
# Starts dockerd (as root) when it is installed but not running, and stops it
# again at the end. Says SKIPPED and exits 0 when no engine answers even then
# (`docker info`), when debootstrap cannot be had, or with
# NEXTCLOUD_MCP_SKIP_IMAGE=1.
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE="${NEXTCLOUD_MCP_CACHE:-$HOME/.cache/nextcloud-mcp}/images"
BASE_TAR="$CACHE/debian-bookworm-minbase.tar"
BASE_IMAGE=nextcloud-mcp-test/debian-runtime:bookworm
STUB_IMAGE=nextcloud-mcp-test/prebuilt-builder
IMAGE=nextcloud-mcp-test/image:smoke
PORT="${NEXTCLOUD_MCP_IMAGE_PORT:-18765}"
BINARY="${1:-${CARGO_TARGET_DIR:-target}/debug/nextcloud-mcp}"

log() { printf '== image: %s\n' "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }
skip() { log "SKIPPED: $*"; exit 0; }

[[ "${NEXTCLOUD_MCP_SKIP_IMAGE:-}" == 1 ]] && skip "NEXTCLOUD_MCP_SKIP_IMAGE=1"
command -v docker >/dev/null 2>&1 || skip "no docker client"
[[ -x "$BINARY" ]] || die "no binary at $BINARY (cargo build first, or pass its path)"

WORK="$(mktemp -d)"
NAME="nextcloud-mcp-smoke-$$"
VOLUME="$NAME-state"
STARTED_DOCKERD=""
cleanup() {
  docker rm -f "$NAME" >/dev/null 2>&1 || true
  docker volume rm "$VOLUME" >/dev/null 2>&1 || true
  if [[ -n "$STARTED_DOCKERD" ]]; then
    kill "$STARTED_DOCKERD" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$STARTED_DOCKERD" 2>/dev/null || break; sleep 0.5; done
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# An engine that is installed but not running (a fresh machine) is started
# for this step and stopped after it; as root only, since dockerd needs it.
if ! docker info >/dev/null 2>&1 && [[ "$(id -u)" == 0 ]] && command -v dockerd >/dev/null 2>&1; then
  log "starting dockerd for this step (log: $WORK/dockerd.log)"
  dockerd >"$WORK/dockerd.log" 2>&1 &
  STARTED_DOCKERD=$!
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
fi
docker info >/dev/null 2>&1 || skip "no Docker engine answers (dockerd is not installed, not startable here, or needs root)"

if ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  if [[ ! -s "$BASE_TAR" ]]; then
    if ! command -v debootstrap >/dev/null 2>&1; then
      [[ "$(id -u)" == 0 ]] || skip "debootstrap is missing and only root can install it"
      log "installing debootstrap"
      apt-get update -qq >&2 || true
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >&2 || skip "cannot install debootstrap"
    fi
    [[ "$(id -u)" == 0 ]] || skip "debootstrap needs root"
    log "making a Debian 12 base with debootstrap (once; several minutes)"
    mkdir -p "$CACHE"
    debootstrap --variant=minbase --include=ca-certificates bookworm "$WORK/rootfs" \
      http://deb.debian.org/debian >"$WORK/debootstrap.log" 2>&1 \
      || { tail -20 "$WORK/debootstrap.log" >&2; skip "debootstrap could not make a Debian base here (its log is above)"; }
    tar -C "$WORK/rootfs" -cf "$BASE_TAR.partial" . && mv "$BASE_TAR.partial" "$BASE_TAR"
    rm -rf "$WORK/rootfs"
  fi
  docker import "$BASE_TAR" "$BASE_IMAGE" >/dev/null
fi

# The stand-in builder: its `cargo` puts the given binary where the builder
# stage's release build would leave it.
mkdir -p "$WORK/stub"
cp "$BINARY" "$WORK/stub/nextcloud-mcp"
cat >"$WORK/stub/cargo" <<'EOF'
#!/bin/sh
mkdir -p target/release && cp /prebuilt/nextcloud-mcp target/release/nextcloud-mcp
EOF
chmod +x "$WORK/stub/cargo"
printf 'FROM %s\nCOPY nextcloud-mcp /prebuilt/nextcloud-mcp\nCOPY cargo /usr/local/bin/cargo\n' \
  "$BASE_IMAGE" >"$WORK/stub/Dockerfile"
docker build -q -t "$STUB_IMAGE" "$WORK/stub" >"$WORK/stub.log" 2>&1 \
  || { cat "$WORK/stub.log" >&2; die "building the stand-in builder"; }

log "docker build (runtime base: $BASE_IMAGE)"
DOCKER_BUILDKIT="${DOCKER_BUILDKIT:-0}" docker build -q \
  --build-arg RUST_IMAGE="$STUB_IMAGE" --build-arg RUNTIME_IMAGE="$BASE_IMAGE" \
  -t "$IMAGE" . >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; die "docker build"; }

# Nextcloud is a closed port: the server must still start and answer /healthz.
log "docker run (read-only root, no capabilities)"
docker run -d --name "$NAME" --read-only --cap-drop ALL --security-opt no-new-privileges \
  --health-interval 2s --health-start-period 2s \
  -p "127.0.0.1:$PORT:8000" -v "$VOLUME:/var/lib/nextcloud-mcp" \
  -e NEXTCLOUD_HOST=http://127.0.0.1:9 -e NEXTCLOUD_USERNAME=smoke -e NEXTCLOUD_PASSWORD=smoke \
  -e NEXTCLOUD_MCP_BASIC_ALLOW_REMOTE=true -e NEXTCLOUD_MCP_BASIC_TOKEN=0123456789abcdef0123456789abcdef \
  "$IMAGE" >/dev/null || die "docker run"

healthz=""
for _ in $(seq 1 60); do
  healthz="$(curl -fsS -m 2 "http://127.0.0.1:$PORT/healthz" 2>/dev/null || true)"
  [[ -n "$healthz" ]] && break
  sleep 0.5
done
[[ "$healthz" == *alive* ]] || { docker logs "$NAME" >&2 || true; die "/healthz did not answer through the published port"; }
log "/healthz: $healthz"

user="$(docker inspect -f '{{.Config.User}}' "$NAME")"
[[ "$user" == 65532:65532 ]] || die "runs as '$user', expected 65532:65532"
docker run --rm -v "$VOLUME:/state" "$BASE_IMAGE" stat -c '%u %n' /state/store.db 2>/dev/null \
  | grep -q '^65532 ' || die "no store.db owned by 65532 on the volume"
log "runs as $user; store.db on the volume"

if docker exec "$NAME" /usr/local/bin/nextcloud-mcp health --help >/dev/null 2>&1; then
  status=""
  for _ in $(seq 1 30); do
    status="$(docker inspect -f '{{.State.Health.Status}}' "$NAME")"
    [[ "$status" == healthy ]] && break
    sleep 1
  done
  [[ "$status" == healthy ]] || die "HEALTHCHECK is '$status', expected healthy"
  log "HEALTHCHECK: healthy"
else
  log "HEALTHCHECK not checked: this binary has no 'health' subcommand"
fi
log "1 passed, 0 failed"
