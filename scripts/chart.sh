#!/usr/bin/env bash
# Lints and renders the Helm chart (deploy/helm/nextcloud-mcp) with several
# value sets, validates every rendered manifest, and checks that settings
# that cannot work (several replicas on SQLite, ...) stop the rendering.
#
#   scripts/chart.sh
#
# Tools are installed on first use, without a prompt, into
# ${NEXTCLOUD_MCP_CACHE:-$HOME/.cache/nextcloud-mcp}/tools/bin: helm from the
# Go module proxy (a few minutes of compiling, once) and strict-decode
# (scripts/chart/strict-decode), which decodes each manifest strictly into
# the Kubernetes API types. Needs go for both, python3 with PyYAML for the
# structural checks (scripts/chart/validate.py).
#
# Exit status: 0 when every check passed or the step was skipped (it says
# "SKIPPED" and why: no go to install helm with, or NEXTCLOUD_MCP_SKIP_CHART=1),
# 1 when a check failed.
set -euo pipefail
cd "$(dirname "$0")/.."

HELM_VERSION=v4.3.2
CACHE="${NEXTCLOUD_MCP_CACHE:-$HOME/.cache/nextcloud-mcp}"
TOOLS="$CACHE/tools/bin"
CHART=deploy/helm/nextcloud-mcp
RELEASE=nextcloud-mcp
NAMESPACE=mcp

log() { printf '== chart: %s\n' "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }
skip() { log "SKIPPED: $*"; exit 0; }

if [[ "${NEXTCLOUD_MCP_SKIP_CHART:-}" == 1 ]]; then
  skip "NEXTCLOUD_MCP_SKIP_CHART=1"
fi

# helm: the pinned version in the cache (a stamp records which one it is:
# `go install` leaves the patch level out of `helm version`).
HELM="$TOOLS/helm"
if [[ ! -x "$HELM" || "$(cat "$TOOLS/helm.version" 2>/dev/null)" != "$HELM_VERSION" ]]; then
  command -v go >/dev/null 2>&1 || skip "helm $HELM_VERSION is not in $TOOLS and go is not installed to build it"
  log "installing helm $HELM_VERSION into $TOOLS (compiles once, a few minutes)"
  mkdir -p "$TOOLS"
  GOBIN="$TOOLS" go install "helm.sh/helm/v4/cmd/helm@$HELM_VERSION" \
    || die "go install helm.sh/helm/v4/cmd/helm@$HELM_VERSION failed"
  echo "$HELM_VERSION" >"$TOOLS/helm.version"
fi

# strict-decode: rebuilt whenever its sources change.
DECODE="$TOOLS/strict-decode"
DECODE_SRC=scripts/chart/strict-decode
decode_stamp="$(cat "$DECODE_SRC"/main.go "$DECODE_SRC"/go.mod "$DECODE_SRC"/go.sum | sha256sum | cut -d' ' -f1)"
if [[ ! -x "$DECODE" || "$(cat "$TOOLS/strict-decode.stamp" 2>/dev/null)" != "$decode_stamp" ]]; then
  if command -v go >/dev/null 2>&1; then
    log "building strict-decode"
    (cd "$DECODE_SRC" && go build -o "$DECODE" .) || die "building strict-decode failed"
    echo "$decode_stamp" >"$TOOLS/strict-decode.stamp"
  else
    DECODE=""
    log "strict decoding SKIPPED: go is not installed (the structural checks still run)"
  fi
fi

# PyYAML for the python3 on PATH (often not the system one, so pip first).
if ! python3 -c 'import yaml' 2>/dev/null; then
  log "installing PyYAML"
  python3 -m pip install --quiet pyyaml >&2 || true
fi
if ! python3 -c 'import yaml' 2>/dev/null; then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    log "installing python3-yaml"
    apt-get update -qq >&2 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-yaml >&2 || die "cannot install python3-yaml"
  else
    die "python3 with PyYAML is needed (apt-get install python3-yaml, or pip install pyyaml)"
  fi
fi

OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
passed=0

# render NAME VALUES_FILE [validate.py options...]: lint, render, validate.
render() {
  local name="$1" values="$2"
  shift 2
  log "$name: helm lint"
  "$HELM" lint --strict "$CHART" -f "$values" >"$OUT/$name.lint" 2>&1 \
    || { cat "$OUT/$name.lint" >&2; die "$name: helm lint"; }
  log "$name: helm template"
  "$HELM" template "$RELEASE" "$CHART" --namespace "$NAMESPACE" -f "$values" >"$OUT/$name.yaml" 2>"$OUT/$name.err" \
    || { cat "$OUT/$name.err" >&2; die "$name: helm template"; }
  python3 scripts/chart/validate.py "$@" <"$OUT/$name.yaml" >&2 || die "$name: rendered manifests are invalid"
  if [[ -n "$DECODE" ]]; then
    "$DECODE" <"$OUT/$name.yaml" >&2 || die "$name: strict decoding"
  fi
  passed=$((passed + 1))
}

# refuse NAME EXPECTED_MESSAGE [helm options...]: rendering must fail, for that reason.
refuse() {
  local name="$1" expected="$2"
  shift 2
  log "$name: must be refused"
  if "$HELM" template "$RELEASE" "$CHART" --namespace "$NAMESPACE" "$@" >"$OUT/$name.out" 2>&1; then
    die "$name: rendered, but must fail with \"$expected\""
  fi
  grep -qF -- "$expected" "$OUT/$name.out" \
    || { cat "$OUT/$name.out" >&2; die "$name: failed, but not with \"$expected\""; }
  passed=$((passed + 1))
}

CI="$CHART/ci"
ALL_HOSTS="localhost,127.0.0.1,$RELEASE,$RELEASE.$NAMESPACE,$RELEASE.$NAMESPACE.svc,$RELEASE.$NAMESPACE.svc.cluster.local"

render default "$CI/default-values.yaml" \
  --kinds Deployment,Service,Secret,ServiceAccount,PersistentVolumeClaim \
  --absent HorizontalPodAutoscaler,PodDisruptionBudget,Ingress,NetworkPolicy,ServiceMonitor \
  --replicas 1 --strategy Recreate \
  --env NEXTCLOUD_HOST=https://cloud.example.com --env NEXTCLOUD_USERNAME=alice \
  --env NEXTCLOUD_MCP_LISTEN=0.0.0.0:8000 --env NEXTCLOUD_MCP_ALLOWED_HOSTS="$ALL_HOSTS" \
  --env TOKEN_STORAGE_DB=/var/lib/nextcloud-mcp/store.db \
  --env NEXTCLOUD_MCP_BASIC_ALLOW_REMOTE=true --secret-env NEXTCLOUD_MCP_BASIC_TOKEN \
  --secret-env NEXTCLOUD_PASSWORD \
  --no-env DATABASE_URL --no-env NEXTCLOUD_MCP_METRICS_LISTEN --no-env NEXTCLOUD_OIDC_CLIENT_ID

render replicas-postgres "$CI/replicas-postgres-values.yaml" \
  --kinds Deployment,Service,Secret,PodDisruptionBudget \
  --absent PersistentVolumeClaim,HorizontalPodAutoscaler \
  --replicas 3 --strategy RollingUpdate \
  --secret-env DATABASE_URL --secret-env NEXTCLOUD_OIDC_CLIENT_SECRET --secret-env TOKEN_ENCRYPTION_KEY \
  --env NEXTCLOUD_OIDC_CLIENT_ID=nextcloud-mcp-server --env ENABLE_TOKEN_EXCHANGE=true \
  --env OIDC_DISCOVERY_URL=https://id.example.com/realms/nextcloud-mcp --env NEXTCLOUD_RESOURCE_URI=nextcloud \
  --env NEXTCLOUD_MCP_SERVER_URL=https://mcp.example.com/mcp \
  --no-env NEXTCLOUD_MCP_BASIC_ALLOW_REMOTE

render metrics "$CI/metrics-values.yaml" \
  --kinds Deployment,Service,ServiceMonitor,NetworkPolicy,PersistentVolumeClaim \
  --absent PodDisruptionBudget,HorizontalPodAutoscaler \
  --env NEXTCLOUD_MCP_METRICS_LISTEN=0.0.0.0:9464

render ingress "$CI/ingress-values.yaml" \
  --kinds Deployment,Service,Ingress \
  --absent ServiceMonitor,PodDisruptionBudget \
  --env NEXTCLOUD_MCP_SERVER_URL=https://mcp.example.com/mcp \
  --env NEXTCLOUD_MCP_ALLOWED_HOSTS="$ALL_HOSTS,mcp.example.com" \
  --env NEXTCLOUD_MCP_WEBHOOK_URL=https://mcp.example.com/webhooks/nextcloud \
  --secret-env WEBHOOK_SECRET --secret-env NEXTCLOUD_OIDC_CLIENT_SECRET \
  --no-env NEXTCLOUD_MCP_METRICS_LISTEN

render autoscaling-existing-secret "$CI/autoscaling-existing-secret-values.yaml" \
  --kinds Deployment,Service,HorizontalPodAutoscaler,PodDisruptionBudget,NetworkPolicy \
  --absent Secret,PersistentVolumeClaim \
  --replicas none --strategy RollingUpdate --external mcp-secrets \
  --secret-env DATABASE_URL --secret-env NEXTCLOUD_OIDC_CLIENT_SECRET

DB_MESSAGE="needs a shared PostgreSQL store"
refuse replicas-without-database "$DB_MESSAGE" -f "$CI/default-values.yaml" --set replicaCount=3
refuse autoscaling-without-database "$DB_MESSAGE" -f "$CI/default-values.yaml" --set autoscaling.enabled=true
refuse basic-without-token "basic mode (no config.oidc.clientId) needs secrets.basicToken" \
  -f "$CI/default-values.yaml" --set secrets.basicToken=
refuse without-nextcloud-host "config.nextcloudHost (NEXTCLOUD_HOST) is required"
refuse servicemonitor-without-metrics "metrics.serviceMonitor.enabled needs metrics.enabled" \
  -f "$CI/default-values.yaml" --set metrics.serviceMonitor.enabled=true
refuse non-postgres-database "must be a postgres:// or postgresql:// URL" \
  -f "$CI/default-values.yaml" --set database.url=mysql://db/mcp

log "$passed passed, 0 failed"
