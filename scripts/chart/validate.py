#!/usr/bin/env python3
"""Checks manifests rendered by `helm template` (read from stdin).

Every document must parse as YAML and carry apiVersion, kind and a valid
metadata.name; then the objects must fit together the way the cluster needs
them to: selectors that match the pod labels, ports and volumes that exist,
Secrets and claims that are rendered or named as provided from outside, and
the security settings the chart promises (non-root, read-only root
filesystem, no privilege escalation, probes on /healthz and /readyz).

Options state what a given set of values must produce:
  --kinds K1,K2        these kinds must be rendered
  --absent K1,K2       these kinds must not be rendered
  --env NAME=VALUE     the server container has this plain variable
  --secret-env NAME    the server container takes NAME from a Secret
  --no-env NAME        the server container does not have NAME
  --external NAME      a Secret or claim that lives outside the release
  --replicas N         the Deployment's replicas ("none": left to the HPA)
  --strategy TYPE      the Deployment's update strategy
"""

import argparse
import base64
import re
import sys

import yaml

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
CONTAINER = "nextcloud-mcp"


class Problems:
    def __init__(self):
        self.items = []

    def add(self, where, message):
        self.items.append(f"{where}: {message}")

    def check(self, condition, where, message):
        if not condition:
            self.add(where, message)


def load(stream, problems):
    docs = []
    for index, doc in enumerate(yaml.safe_load_all(stream)):
        if doc is None:
            continue
        where = f"document {index}"
        if not isinstance(doc, dict):
            problems.add(where, "is not a mapping")
            continue
        for field in ("apiVersion", "kind", "metadata"):
            problems.check(field in doc, where, f"has no {field}")
        name = (doc.get("metadata") or {}).get("name", "")
        kind = doc.get("kind", "?")
        # Service names become DNS labels; the rest only need subdomains.
        pattern = DNS_LABEL if kind == "Service" else DNS_SUBDOMAIN
        problems.check(
            isinstance(name, str) and len(name) <= 63 and pattern.match(name or ""),
            f"{kind} {name!r}",
            "metadata.name is not a valid Kubernetes name",
        )
        docs.append(doc)
    return docs


def by_kind(docs, kind):
    return [d for d in docs if d.get("kind") == kind]


def matches(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def spec_selector(deployment):
    return deployment["spec"]["selector"].get("matchLabels")


def hook(doc):
    return (doc["metadata"].get("annotations") or {}).get("helm.sh/hook")


def check_deployment(dep, docs, args, problems):
    where = f"Deployment {dep['metadata']['name']}"
    spec = dep["spec"]
    pod = spec["template"]
    labels = pod["metadata"].get("labels") or {}
    problems.check(
        matches(spec["selector"].get("matchLabels"), labels),
        where,
        "selector does not match the pod template labels",
    )
    pod_spec = pod["spec"]
    pod_sc = pod_spec.get("securityContext") or {}
    problems.check(pod_sc.get("runAsNonRoot") is True, where, "pod is not runAsNonRoot")
    problems.check(
        pod_spec.get("automountServiceAccountToken") is False,
        where,
        "mounts a service account token it never uses",
    )
    containers = {c["name"]: c for c in pod_spec["containers"]}
    problems.check(CONTAINER in containers, where, f"has no container {CONTAINER}")
    server = containers.get(CONTAINER, {})
    sc = server.get("securityContext") or {}
    problems.check(sc.get("readOnlyRootFilesystem") is True, where, "root filesystem is writable")
    problems.check(sc.get("allowPrivilegeEscalation") is False, where, "allows privilege escalation")
    problems.check("ALL" in ((sc.get("capabilities") or {}).get("drop") or []), where, "keeps capabilities")
    port_names = {p.get("name") for p in server.get("ports") or []}
    probes = {"livenessProbe": "/healthz", "readinessProbe": "/readyz"}
    for probe, path in probes.items():
        get = (server.get(probe) or {}).get("httpGet") or {}
        problems.check(get.get("path") == path, where, f"{probe} is not on {path}")
        problems.check(get.get("port") in port_names, where, f"{probe} port {get.get('port')!r} is not a container port")
    volumes = {v["name"]: v for v in pod_spec.get("volumes") or []}
    for mount in server.get("volumeMounts") or []:
        problems.check(mount["name"] in volumes, where, f"mounts undeclared volume {mount['name']!r}")
    claims = {d["metadata"]["name"] for d in by_kind(docs, "PersistentVolumeClaim")}
    for volume in volumes.values():
        claim = (volume.get("persistentVolumeClaim") or {}).get("claimName")
        if claim:
            problems.check(
                claim in claims or claim in args.external,
                where,
                f"claim {claim!r} is neither rendered nor declared external",
            )

    env = server.get("env") or []
    names = [e["name"] for e in env]
    dupes = sorted({n for n in names if names.count(n) > 1})
    problems.check(not dupes, where, f"duplicate variables {dupes}")
    plain = {e["name"]: e.get("value") for e in env if "value" in e}
    from_secret = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in env if "secretKeyRef" in (e.get("valueFrom") or {})}
    secrets = {d["metadata"]["name"]: d for d in by_kind(docs, "Secret")}
    for name, ref in from_secret.items():
        secret = secrets.get(ref["name"])
        if secret is None:
            problems.check(ref["name"] in args.external, where, f"{name} refers to Secret {ref['name']!r}, neither rendered nor external")
        elif not ref.get("optional"):
            problems.check(ref["key"] in (secret.get("data") or {}), where, f"{name}: Secret {ref['name']!r} has no key {ref['key']!r}")
    for expected in args.env:
        name, _, value = expected.partition("=")
        problems.check(plain.get(name) == value, where, f"{name} is {plain.get(name)!r}, expected {value!r}")
    for name in args.secret_env:
        problems.check(name in from_secret, where, f"{name} does not come from a Secret")
    for name in args.no_env:
        problems.check(name not in plain and name not in from_secret, where, f"{name} is set but should not be")

    if args.replicas is not None:
        want = None if args.replicas == "none" else int(args.replicas)
        problems.check(spec.get("replicas") == want, where, f"replicas is {spec.get('replicas')!r}, expected {want!r}")
    if args.strategy:
        got = (spec.get("strategy") or {}).get("type")
        problems.check(got == args.strategy, where, f"strategy is {got!r}, expected {args.strategy!r}")
    return labels, server


def check(docs, args, problems):
    kinds = {d["kind"] for d in docs if not hook(d)}
    for kind in args.kinds:
        problems.check(kind in kinds, "release", f"renders no {kind}")
    for kind in args.absent:
        problems.check(kind not in kinds, "release", f"renders a {kind} it should not")

    deployments = by_kind(docs, "Deployment")
    problems.check(len(deployments) == 1, "release", f"renders {len(deployments)} Deployments, expected 1")
    if not deployments:
        return
    pod_labels, server = check_deployment(deployments[0], docs, args, problems)
    container_ports = {p.get("name"): p for p in server.get("ports") or []}

    for secret in by_kind(docs, "Secret"):
        for key, value in (secret.get("data") or {}).items():
            try:
                base64.b64decode(value, validate=True)
            except Exception:
                problems.add(f"Secret {secret['metadata']['name']}", f"{key} is not base64")

    services = {}
    for svc in by_kind(docs, "Service"):
        where = f"Service {svc['metadata']['name']}"
        problems.check(matches(svc["spec"].get("selector"), pod_labels), where, "selector matches no pod")
        for port in svc["spec"]["ports"]:
            problems.check(port.get("targetPort") in container_ports, where, f"targetPort {port.get('targetPort')!r} is not a container port")
        services[svc["metadata"]["name"]] = svc

    for ing in by_kind(docs, "Ingress"):
        where = f"Ingress {ing['metadata']['name']}"
        for rule in ing["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]
                svc = services.get(backend["name"])
                problems.check(svc is not None, where, f"backend Service {backend['name']!r} is not rendered")
                if svc:
                    names = {p["name"] for p in svc["spec"]["ports"]}
                    problems.check(backend["port"].get("name") in names, where, "backend port is not a Service port")

    for hpa in by_kind(docs, "HorizontalPodAutoscaler"):
        where = f"HorizontalPodAutoscaler {hpa['metadata']['name']}"
        target = hpa["spec"]["scaleTargetRef"]
        problems.check(
            target["kind"] == "Deployment" and target["name"] == deployments[0]["metadata"]["name"],
            where,
            "does not scale the Deployment",
        )
        problems.check("replicas" not in deployments[0]["spec"], where, "the Deployment also fixes replicas")
        problems.check(hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"], where, "minReplicas > maxReplicas")

    # Hook pods (helm test) must stay out of the Service and the budget.
    for pod in by_kind(docs, "Pod"):
        problems.check(
            not matches(spec_selector(deployments[0]), pod["metadata"].get("labels") or {}),
            f"Pod {pod['metadata']['name']}",
            "carries the Deployment's selector labels, so the Service would route to it",
        )

    for pdb in by_kind(docs, "PodDisruptionBudget"):
        problems.check(matches(pdb["spec"]["selector"].get("matchLabels"), pod_labels), f"PodDisruptionBudget {pdb['metadata']['name']}", "selector matches no pod")

    for policy in by_kind(docs, "NetworkPolicy"):
        where = f"NetworkPolicy {policy['metadata']['name']}"
        problems.check(matches(policy["spec"]["podSelector"].get("matchLabels"), pod_labels), where, "podSelector matches no pod")
        for rule in policy["spec"].get("ingress") or []:
            for port in rule.get("ports") or []:
                problems.check(port.get("port") in container_ports, where, f"port {port.get('port')!r} is not a container port")

    for monitor in by_kind(docs, "ServiceMonitor"):
        where = f"ServiceMonitor {monitor['metadata']['name']}"
        selected = [s for s in services.values() if matches(monitor["spec"]["selector"].get("matchLabels"), s["metadata"].get("labels") or {})]
        problems.check(selected, where, "selects no Service")
        for endpoint in monitor["spec"]["endpoints"]:
            problems.check(
                any(endpoint["port"] in {p["name"] for p in s["spec"]["ports"]} for s in selected),
                where,
                f"endpoint port {endpoint['port']!r} is not on the Service",
            )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    split = lambda text: [part for part in text.split(",") if part]
    parser.add_argument("--kinds", type=split, default=[])
    parser.add_argument("--absent", type=split, default=[])
    parser.add_argument("--env", action="append", default=[])
    parser.add_argument("--secret-env", action="append", default=[])
    parser.add_argument("--no-env", action="append", default=[])
    parser.add_argument("--external", action="append", default=[])
    parser.add_argument("--replicas")
    parser.add_argument("--strategy")
    args = parser.parse_args()

    problems = Problems()
    try:
        docs = load(sys.stdin, problems)
        check(docs, args, problems)
    except (yaml.YAMLError, KeyError, TypeError, AttributeError) as error:
        problems.add("manifests", f"unreadable or incomplete: {error!r}")
        docs = []
    for item in problems.items:
        print(f"INVALID: {item}")
    print(f"validate: {len(docs)} documents, {len(problems.items)} problems")
    sys.exit(1 if problems.items else 0)


if __name__ == "__main__":
    main()
