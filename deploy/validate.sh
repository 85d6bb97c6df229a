#!/usr/bin/env bash
# Checks what this machine can check of deploy/ (make deploy-check): the systemd units with
# systemd-analyze (binaries from the release build), the Kubernetes manifests' structure (objects,
# selectors, what each container runs; kubectl needs an API server even for a dry run), the compose files as YAML with the services and keys Sluice relies on.
# Not checked: the Docker image and the compose files' run (no Docker engine), the manifests
# against a live API server (no cluster).
set -euo pipefail
cd "$(dirname "$0")"
BIN="$(cd .. && pwd)/.build/release"
status=0
if command -v systemd-analyze >/dev/null; then
  units="$(mktemp -d)"
  for unit in systemd/*.service; do sed "s|/usr/local/bin/|$BIN/|g; s|^User=.*|User=root|" "$unit" > "$units/$(basename "$unit")"; done
  if systemd-analyze verify "$units"/*.service; then echo "systemd units: ok"; else status=1; fi
  rm -rf "$units"
else
  echo "systemd-analyze not found: units not checked"
fi
python3 - kubernetes/sluice.yaml <<'PY' || status=1
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
kinds = {}
for doc in docs:
    assert doc.get("apiVersion") and doc.get("kind") and doc.get("metadata", {}).get("name"), f"incomplete object: {doc}"
    kinds.setdefault(doc["kind"], []).append(doc["metadata"]["name"])
    if doc["kind"] == "Deployment":
        spec = doc["spec"]
        assert spec["selector"]["matchLabels"].items() <= spec["template"]["metadata"]["labels"].items(), f"{doc['metadata']['name']}: selector does not match its pods"
        for container in spec["template"]["spec"]["containers"]:
            assert container["args"][0] in ("worker", "scheduler", "resumer"), f"{container['name']} runs {container['args'][0]}"
print(f"{sys.argv[1]}: ok ({', '.join(f'{len(v)} {k}' for k, v in sorted(kinds.items()))}; structure only, no API server here)")
PY
python3 - compose.yaml compose.sentinel.yaml <<'PY' || status=1
import sys, yaml
for path in sys.argv[1:]:
    doc = yaml.safe_load(open(path))
    services = doc["services"]
    for name in ("scheduler", "worker", "resumer"):
        env = services[name].get("environment", {})
        assert "SLUICE_REDIS_URL" in env, f"{path}: {name} has no SLUICE_REDIS_URL"
        assert "${SLUICE_REDIS_PASSWORD" in env["SLUICE_REDIS_URL"], f"{path}: {name}'s Redis URL has no password"
        assert services[name]["command"][0] == name, f"{path}: {name} runs {services[name]['command'][0]}"
    for name, service in services.items():
        command = service.get("command", [])
        if isinstance(command, list) and command[:1] == ["redis-server"]:
            assert "--requirepass" in command, f"{path}: {name} starts Redis without a password"
    print(f"{path}: ok ({len(services)} services)")
PY
exit $status
