#!/usr/bin/env bash
# A throwaway PostgreSQL for the store contract tests.
#
#   eval "$(scripts/live/postgres.sh start)"   # prints: export NEXTCLOUD_MCP_TEST_POSTGRES_URL=...
#   scripts/live/postgres.sh status
#   scripts/live/postgres.sh stop              # stops it and deletes its data
#
# Idempotent and prompt-free. Installs the `postgresql` Debian package if no
# initdb is found, and builds the pgvector extension from Debian's source
# tarball when it is missing (bookworm does not package it for PostgreSQL 15;
# set NEXTCLOUD_MCP_PG_VECTOR=0 to skip), then enables it in the test database. The cluster lives in ${TMPDIR:-/tmp}/nextcloud-mcp-postgres,
# owned by the `postgres` OS user when run as root (PostgreSQL refuses to run as
# root), listens on 127.0.0.1 only (port 54329, or the next free one; override
# with NEXTCLOUD_MCP_PG_PORT), and trusts loopback connections. Logs go to
# stderr; stdout carries only the export line.
set -euo pipefail

log() { printf '[postgres.sh] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

BASE="${TMPDIR:-/tmp}"
DIR="${NEXTCLOUD_MCP_PG_DIR:-$BASE/nextcloud-mcp-postgres}"
DATA="$DIR/data"
DB_NAME="nextcloud_mcp_test"
FIRST_PORT="${NEXTCLOUD_MCP_PG_PORT:-54329}"

is_root() { [ "$(id -u)" = 0 ]; }

# Runs a command as the OS user that owns the cluster.
as_pg() {
  if is_root; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

find_bindir() {
  local initdb
  initdb=$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$initdb" ] && dirname "$initdb"
}

install_postgres() {
  local sudo=()
  if ! is_root; then
    command -v sudo >/dev/null 2>&1 || die "PostgreSQL is not installed and this user cannot install it (no root, no sudo)"
    sudo=(sudo -n)
  fi
  log "PostgreSQL not found: installing the postgresql package"
  export DEBIAN_FRONTEND=noninteractive
  if ! "${sudo[@]}" apt-get install -y -q postgresql >&2; then
    log "install failed: refreshing the package lists and trying again"
    "${sudo[@]}" apt-get update -q >&2
    "${sudo[@]}" apt-get install -y -q postgresql >&2
  fi
}

PGVECTOR_VERSION=0.8.0
PGVECTOR_URL="http://deb.debian.org/debian/pool/main/p/pgvector/pgvector_${PGVECTOR_VERSION}.orig.tar.gz"

apt_install() {
  local sudo=()
  if ! is_root; then
    command -v sudo >/dev/null 2>&1 || return 1
    sudo=(sudo -n)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get install -y -q "$@" >&2 \
    || { "${sudo[@]}" apt-get update -q >&2 && "${sudo[@]}" apt-get install -y -q "$@" >&2; }
}

# pgvector into the installed server: built once from source, quietly; a
# failure leaves the cluster without it (the server then searches vectors
# in the process) instead of failing the start.
install_pgvector() {
  local major extdir
  major=$(basename "$(dirname "$BINDIR")")
  extdir="/usr/share/postgresql/$major/extension"
  [ -f "$extdir/vector.control" ] && return 0
  [ "${NEXTCLOUD_MCP_PG_VECTOR:-1}" = 0 ] && return 1
  log "pgvector not found: building $PGVECTOR_VERSION from source"
  if ! command -v pg_config >/dev/null 2>&1 || [ ! -d "/usr/include/postgresql/$major/server" ] \
    || ! command -v make >/dev/null 2>&1; then
    apt_install "postgresql-server-dev-$major" build-essential || { log "pgvector: build tools could not be installed"; return 1; }
  fi
  local src
  src=$(mktemp -d)
  if ! curl -fsSL "$PGVECTOR_URL" | tar -xz -C "$src" --strip-components=1; then
    log "pgvector: download failed"; rm -rf "$src"; return 1
  fi
  local sudo=()
  is_root || sudo=(sudo -n)
  # OPTFLAGS= : no -march=native, so the build runs on any x86-64 machine.
  if make -s -C "$src" PG_CONFIG="/usr/lib/postgresql/$major/bin/pg_config" OPTFLAGS= >"$src/build.log" 2>&1 \
    && "${sudo[@]}" make -s -C "$src" PG_CONFIG="/usr/lib/postgresql/$major/bin/pg_config" install >>"$src/build.log" 2>&1; then
    log "pgvector $PGVECTOR_VERSION installed"
    rm -rf "$src"
  else
    tail -n 20 "$src/build.log" >&2 || true
    log "pgvector: build failed"; rm -rf "$src"; return 1
  fi
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pick_port() {
  local port=$FIRST_PORT
  while port_busy "$port"; do
    port=$((port + 1))
    [ "$port" -lt $((FIRST_PORT + 100)) ] || die "no free port in $FIRST_PORT..$port"
  done
  echo "$port"
}

# Running and answering: a postmaster killed hard can leave a pid that still
# looks alive (an unreaped zombie), so ask the server itself too.
running() {
  [ -n "${BINDIR:-}" ] && [ -f "$DATA/PG_VERSION" ] && [ -f "$DIR/port" ] \
    && as_pg "$BINDIR/pg_ctl" -D "$DATA" status >/dev/null 2>&1 \
    && "$BINDIR/pg_isready" -q -h 127.0.0.1 -p "$(cat "$DIR/port")" -t 5
}

url() { echo "postgres://postgres@127.0.0.1:$(cat "$DIR/port")/$DB_NAME"; }

init_cluster() {
  rm -rf "$DIR"
  mkdir -p "$DIR"
  if is_root; then
    id postgres >/dev/null 2>&1 || die "the postgres OS user is missing (is the postgresql package installed?)"
    chown postgres: "$DIR"
  fi
  chmod 700 "$DIR"
  as_pg test -w "$DIR" || die "$DIR is not writable by the postgres user; set TMPDIR to a folder it can use"
  log "initdb in $DATA"
  as_pg "$BINDIR/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >&2 \
    || as_pg "$BINDIR/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --no-locale >&2
  as_pg tee "$DATA/pg_hba.conf" >/dev/null <<'HBA'
# Throwaway test cluster: trust the local socket and IPv4 loopback only.
local all all              trust
host  all all 127.0.0.1/32 trust
HBA
}

write_config() {
  local port=$1
  echo "$port" | as_pg tee "$DIR/port" >/dev/null
  as_pg tee "$DATA/postgresql.auto.conf" >/dev/null <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$DIR'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
}

start() {
  BINDIR=$(find_bindir || true)
  if [ -z "$BINDIR" ]; then
    install_postgres
    BINDIR=$(find_bindir || true)
    [ -n "$BINDIR" ] || die "initdb still not found under /usr/lib/postgresql after installing"
  fi
  if running; then
    log "already running on port $(cat "$DIR/port")"
  else
    if [ ! -f "$DATA/PG_VERSION" ]; then
      init_cluster
    elif is_root; then
      chown -R postgres: "$DIR"
    fi
    write_config "$(pick_port)"
    log "starting on 127.0.0.1:$(cat "$DIR/port")"
    if ! as_pg "$BINDIR/pg_ctl" -D "$DATA" -l "$DIR/postgres.log" -w -t 60 start >&2; then
      tail -n 30 "$DIR/postgres.log" >&2 || true
      die "PostgreSQL did not start"
    fi
  fi
  local port psql
  port=$(cat "$DIR/port")
  psql=("$BINDIR/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA)
  if [ "$(as_pg "${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" != 1 ]; then
    as_pg "${psql[@]}" -c "CREATE DATABASE $DB_NAME" >&2
  fi
  if install_pgvector; then
    # template1 too: the contract tests create a database per test from it.
    local db
    for db in "$DB_NAME" template1; do
      as_pg "$BINDIR/psql" -h 127.0.0.1 -p "$port" -U postgres -d "$db" -v ON_ERROR_STOP=1 -qtA \
        -c "CREATE EXTENSION IF NOT EXISTS vector" >&2 || log "pgvector: CREATE EXTENSION failed in $db"
    done
  fi
  log "ready: $(url)"
  echo "export NEXTCLOUD_MCP_TEST_POSTGRES_URL=$(url)"
}

stop() {
  BINDIR=$(find_bindir || true)
  if running; then
    log "stopping"
    as_pg "$BINDIR/pg_ctl" -D "$DATA" -m fast -w stop >&2
  else
    log "not running"
  fi
  rm -rf "$DIR"
}

status() {
  BINDIR=$(find_bindir || true)
  if running; then
    log "running: $(url)"
    echo "export NEXTCLOUD_MCP_TEST_POSTGRES_URL=$(url)"
  else
    log "not running"
    return 1
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) die "usage: $0 start|stop|status" ;;
esac
