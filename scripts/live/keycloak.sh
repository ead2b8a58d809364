#!/usr/bin/env bash
# Runs a real Keycloak (26.x, dev mode, 127.0.0.1 only) for the live IdP tests.
#
#   eval "$(scripts/live/keycloak.sh start)"   # start (or reuse) and export test env
#   scripts/live/keycloak.sh env               # print the exports again
#   scripts/live/keycloak.sh stop              # stop the Keycloak this script started
#
# Exports go to stdout, everything else to stderr. Idempotent, no prompts.
# The distribution comes from Maven Central (org.keycloak:keycloak-quarkus-dist)
# and is cached under ${NEXTCLOUD_MCP_CACHE:-$HOME/.cache/nextcloud-mcp}.
# Each start imports tests/fixtures/keycloak-realm.json into a fresh database.
set -euo pipefail

KC_VERSION="${NEXTCLOUD_MCP_KEYCLOAK_VERSION:-26.5.6}"
PORT="${NEXTCLOUD_MCP_KEYCLOAK_PORT:-18080}"
HOST=127.0.0.1
REALM=nextcloud-mcp
START_TIMEOUT="${NEXTCLOUD_MCP_KEYCLOAK_TIMEOUT:-180}"
CACHE="${NEXTCLOUD_MCP_CACHE:-$HOME/.cache/nextcloud-mcp}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REALM_FILE="$HERE/../../tests/fixtures/keycloak-realm.json"
KC_HOME="$CACHE/keycloak-$KC_VERSION"
RUN_DIR="$CACHE/keycloak-run"
PID_FILE="$RUN_DIR/keycloak.pid"
LOG_FILE="$RUN_DIR/keycloak.log"
URL="http://$HOST:$PORT"
DISCOVERY="$URL/realms/$REALM/.well-known/openid-configuration"

log() { echo "keycloak.sh: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

print_env() {
  cat <<EOF
export NEXTCLOUD_MCP_TEST_KEYCLOAK_URL=$URL
export NEXTCLOUD_MCP_TEST_KEYCLOAK_REALM=$REALM
export NEXTCLOUD_MCP_TEST_KEYCLOAK_CLIENT_ID=nextcloud-mcp-server
export NEXTCLOUD_MCP_TEST_KEYCLOAK_CLIENT_SECRET=nextcloud-mcp-server-test-secret
export NEXTCLOUD_MCP_TEST_KEYCLOAK_LOGIN_CLIENT=nextcloud-mcp-test
export NEXTCLOUD_MCP_TEST_KEYCLOAK_OTHER_CLIENT=other-app
export NEXTCLOUD_MCP_TEST_KEYCLOAK_USER=alice
export NEXTCLOUD_MCP_TEST_KEYCLOAK_PASSWORD=alice-test-password
EOF
}

running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

realm_answers() { curl -fsS -o /dev/null --max-time 3 "$DISCOVERY" 2>/dev/null; }

# need_tool COMMAND DEBIAN_PACKAGE: installs the package when the command is missing.
need_tool() {
  command -v "$1" >/dev/null 2>&1 && return 0
  [[ "$(id -u)" == 0 ]] || die "$1 is needed; install $2"
  log "installing $2"
  apt-get update -qq >&2 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >&2 || die "cannot install $2"
}

java_major() {
  "$1" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1
}

find_java() {
  local candidates=() dir
  [[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME")
  for dir in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25* /usr/lib/jvm/*21* /usr/lib/jvm/*; do
    [[ -d "$dir" ]] && candidates+=("$dir")
  done
  local major
  for dir in "${candidates[@]}"; do
    [[ -x "$dir/bin/java" ]] || continue
    major="$(java_major "$dir/bin/java" || true)"
    if (( ${major:-0} >= 21 )); then
      echo "$dir"; return 0
    fi
  done
  return 1
}

ensure_java() {
  local home
  if home="$(find_java)"; then echo "$home"; return; fi
  log "no Java 21+ found; installing one with apt-get"
  [[ "$(id -u)" == 0 ]] || die "Keycloak 26 needs Java 21+; install it or set JAVA_HOME"
  apt-get update -qq >&2 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-21-jre-headless >&2 \
    || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-25-jre-headless >&2 \
    || die "cannot install Java 21+ (tried openjdk-21 and openjdk-25)"
  home="$(find_java)" || die "Java installed but no Java 21+ found under /usr/lib/jvm"
  echo "$home"
}

fetch_dist() {
  local zip="$CACHE/keycloak-quarkus-dist-$KC_VERSION.zip"
  if [[ ! -s "$zip" ]]; then
    mkdir -p "$CACHE"
    log "fetching org.keycloak:keycloak-quarkus-dist:$KC_VERSION from Maven Central"
    if command -v mvn >/dev/null 2>&1; then
      mvn -q -B -Dstyle.color=never dependency:copy "-Dartifact=org.keycloak:keycloak-quarkus-dist:$KC_VERSION:zip" \
        "-DoutputDirectory=$CACHE" >&2 || log "mvn could not fetch it; trying a direct download"
    fi
    if [[ ! -s "$zip" ]]; then
      local url="https://repo1.maven.org/maven2/org/keycloak/keycloak-quarkus-dist/$KC_VERSION/keycloak-quarkus-dist-$KC_VERSION.zip"
      curl -fsSL --retry 3 -o "$zip.part" "$url" && mv "$zip.part" "$zip" \
        || { rm -f "$zip.part"; die "cannot download Keycloak $KC_VERSION (install maven, or put the zip at $zip)"; }
    fi
  fi
  if [[ ! -x "$KC_HOME/bin/kc.sh" ]]; then
    log "unpacking Keycloak $KC_VERSION into $KC_HOME"
    local tmp="$CACHE/.unpack-$$"
    rm -rf "$tmp"; mkdir -p "$tmp"
    command -v python3 >/dev/null 2>&1 || need_tool unzip unzip
    if command -v unzip >/dev/null 2>&1; then
      unzip -q "$zip" -d "$tmp"
    else
      python3 -m zipfile -e "$zip" "$tmp"
    fi
    rm -rf "$KC_HOME"
    mv "$tmp/keycloak-$KC_VERSION" "$KC_HOME"
    rm -rf "$tmp"
    chmod +x "$KC_HOME"/bin/*.sh
  fi
}

start() {
  if pid="$(running_pid)"; then
    if realm_answers; then
      log "Keycloak already running (pid $pid) at $URL"
      print_env; return 0
    fi
    log "Keycloak (pid $pid) is running but the realm does not answer yet; waiting"
  else
    need_tool curl curl
    if curl -fsS -o /dev/null --max-time 2 "$URL/" 2>/dev/null; then
      die "port $PORT on $HOST is taken by another process; set NEXTCLOUD_MCP_KEYCLOAK_PORT"
    fi
    local java_home
    java_home="$(ensure_java)"
    fetch_dist
    mkdir -p "$RUN_DIR"
    # A fresh database each start, so the realm file is always what runs.
    rm -rf "$KC_HOME/data/h2" "$KC_HOME/data/import"
    mkdir -p "$KC_HOME/data/import"
    cp "$REALM_FILE" "$KC_HOME/data/import/$REALM-realm.json"
    local admin_user="${KC_BOOTSTRAP_ADMIN_USERNAME:-admin}"
    local admin_pass="${KC_BOOTSTRAP_ADMIN_PASSWORD:-}"
    if [[ -z "$admin_pass" ]]; then
      admin_pass="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
      (umask 077; echo "$admin_pass" > "$RUN_DIR/admin-password")
      log "admin console: user $admin_user, password in $RUN_DIR/admin-password"
    fi
    log "starting Keycloak $KC_VERSION on $URL (Java: $java_home, log: $LOG_FILE)"
    : > "$LOG_FILE"
    JAVA_HOME="$java_home" \
    JAVA_OPTS_KC_HEAP="-Xms64m -Xmx512m" \
    KC_BOOTSTRAP_ADMIN_USERNAME="$admin_user" \
    KC_BOOTSTRAP_ADMIN_PASSWORD="$admin_pass" \
      setsid nohup "$KC_HOME/bin/kc.sh" start-dev \
        --http-host="$HOST" --http-port="$PORT" \
        --import-realm \
        --log-level=info >>"$LOG_FILE" 2>&1 </dev/null &
    echo $! > "$PID_FILE"
    pid="$(cat "$PID_FILE")"
  fi
  local started=$SECONDS
  until realm_answers; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "Keycloak exited during start; last log lines:"
      tail -n 40 "$LOG_FILE" >&2 || true
      rm -f "$PID_FILE"
      die "Keycloak did not start"
    fi
    if (( SECONDS - started > START_TIMEOUT )); then
      log "realm discovery did not answer within ${START_TIMEOUT}s; last log lines:"
      tail -n 40 "$LOG_FILE" >&2 || true
      die "Keycloak start timed out (still running as pid $pid; '$0 stop' ends it)"
    fi
    sleep 2
  done
  log "Keycloak ready after $(( SECONDS - started ))s (pid $pid)"
  print_env
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then
    log "no Keycloak started by this script is running"
    rm -f "$PID_FILE"; return 0
  fi
  log "stopping Keycloak (pid $pid)"
  # setsid made it a process-group leader: end the group it started, only.
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 30); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$PID_FILE"; log "stopped"; return 0; }
    sleep 1
  done
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  rm -f "$PID_FILE"
  log "killed"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  env) print_env ;;
  status) if pid="$(running_pid)" && realm_answers; then log "running (pid $pid) at $URL"; else log "not running"; exit 1; fi ;;
  *) die "usage: $0 start|stop|env|status" ;;
esac
