{{/* Chart name, shortened to the 63 characters Kubernetes names allow. */}}
{{- define "nextcloud-mcp.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-scoped name of every object. */}}
{{- define "nextcloud-mcp.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "nextcloud-mcp.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "nextcloud-mcp.selectorLabels" -}}
app.kubernetes.io/name: {{ include "nextcloud-mcp.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "nextcloud-mcp.labels" -}}
helm.sh/chart: {{ include "nextcloud-mcp.chart" . }}
{{ include "nextcloud-mcp.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "nextcloud-mcp.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "nextcloud-mcp.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "nextcloud-mcp.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* The Secret the secret env vars come from. */}}
{{- define "nextcloud-mcp.secretName" -}}
{{- default (include "nextcloud-mcp.fullname" .) .Values.secrets.existingSecret }}
{{- end }}

{{/* "true" when a PostgreSQL store is configured. */}}
{{- define "nextcloud-mcp.hasDatabase" -}}
{{- if or .Values.database.url .Values.database.existingSecret }}true{{ end }}
{{- end }}

{{/* "true" when SQLite lives on a PersistentVolumeClaim. */}}
{{- define "nextcloud-mcp.usesClaim" -}}
{{- if and .Values.persistence.enabled (not (include "nextcloud-mcp.hasDatabase" .)) }}true{{ end }}
{{- end }}

{{/* "true" when more than one pod may run at once. */}}
{{- define "nextcloud-mcp.scaledOut" -}}
{{- if or .Values.autoscaling.enabled (gt (int .Values.replicaCount) 1) }}true{{ end }}
{{- end }}

{{/* The public URL of /mcp: configured, or from the first ingress host. */}}
{{- define "nextcloud-mcp.serverUrl" -}}
{{- if .Values.config.serverUrl }}
{{- .Values.config.serverUrl }}
{{- else if and .Values.ingress.enabled .Values.ingress.hosts }}
{{- $host := (first .Values.ingress.hosts).host }}
{{- $scheme := ternary "https" "http" (gt (len .Values.ingress.tls) 0) }}
{{- printf "%s://%s/mcp" $scheme $host }}
{{- end }}
{{- end }}

{{/* Host names accepted on /mcp: configured ones, ingress hosts, the
Service's in-cluster names and loopback (kubectl port-forward). */}}
{{- define "nextcloud-mcp.allowedHosts" -}}
{{- $svc := include "nextcloud-mcp.fullname" . }}
{{- $hosts := list "localhost" "127.0.0.1" $svc (printf "%s.%s" $svc .Release.Namespace) (printf "%s.%s.svc" $svc .Release.Namespace) (printf "%s.%s.svc.cluster.local" $svc .Release.Namespace) }}
{{- if .Values.ingress.enabled }}
{{- range .Values.ingress.hosts }}
{{- $hosts = append $hosts .host }}
{{- end }}
{{- end }}
{{- range .Values.config.allowedHosts }}
{{- $hosts = append $hosts . }}
{{- end }}
{{- join "," (uniq $hosts) }}
{{- end }}

{{/* Settings that cannot work together stop the rendering with a reason. */}}
{{- define "nextcloud-mcp.validate" -}}
{{- if not .Values.config.nextcloudHost }}
{{- fail "config.nextcloudHost (NEXTCLOUD_HOST) is required: the base URL of Nextcloud" }}
{{- end }}
{{- if and (include "nextcloud-mcp.scaledOut" .) (not (include "nextcloud-mcp.hasDatabase" .)) }}
{{- fail "more than one replica (replicaCount > 1 or autoscaling.enabled) needs a shared PostgreSQL store: set database.url or database.existingSecret (DATABASE_URL=postgres://...); SQLite on a pod's volume cannot be shared" }}
{{- end }}
{{- if and .Values.database.url (not (regexMatch "^(?i)postgres(ql)?://" .Values.database.url)) }}
{{- fail "database.url must be a postgres:// or postgresql:// URL" }}
{{- end }}
{{- if and (not .Values.config.oidc.clientId) (not .Values.secrets.existingSecret) (not .Values.secrets.basicToken) }}
{{- fail "basic mode (no config.oidc.clientId) needs secrets.basicToken (NEXTCLOUD_MCP_BASIC_TOKEN, 32+ characters, e.g. openssl rand -hex 32): the pod listens beyond loopback and every /mcp request must carry it" }}
{{- end }}
{{- if and .Values.metrics.serviceMonitor.enabled (not .Values.metrics.enabled) }}
{{- fail "metrics.serviceMonitor.enabled needs metrics.enabled: there is no /metrics listener to scrape otherwise" }}
{{- end }}
{{- if and .Values.autoscaling.enabled (gt (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) }}
{{- fail "autoscaling.minReplicas must not exceed autoscaling.maxReplicas" }}
{{- end }}
{{- end }}
