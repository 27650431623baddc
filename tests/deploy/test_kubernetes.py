"""The Kubernetes manifests, rendered by a real kustomize and validated against schemas.

Core kinds are checked with kubernetes-validate (the API's JSON schemas, strict: an
unknown field is an error); ServiceMonitor and PrometheusRule with the Prometheus
Operator's CRD schemas (``tools/validate_crds.mjs``). Each overlay's config is merged
the way its init container merges it and loaded with the agent's own loader.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import kubernetes_validate
import pytest
import yaml

from probe.config import load_config
from tests.deploy.conftest import DEPLOY, OVERLAYS, TOOLS, docker_script, run, tool

pytestmark = pytest.mark.xdist_group("kustomize")
"""One worker renders every overlay with kustomize once for all its tests."""

KUBE = DEPLOY / "kubernetes"
VERSIONS = ("1.28", "1.37")
"""The oldest Kubernetes still commonly run and the newest that kubernetes-validate knows."""
SECRETS = "/run/secrets/lifesize-probe/"
AGENTS = (*OVERLAYS, "sla")
STORE = "lifesize-probe-db.example.internal:5432/lifesize_probe"
Resources = dict[str, list[dict[str, Any]]]


def by_kind(resources: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    (found,) = [r for r in resources if r["kind"] == kind]
    return found


def pod(resources: list[dict[str, Any]]) -> dict[str, Any]:
    spec: dict[str, Any] = by_kind(resources, "Deployment")["spec"]["template"]["spec"]
    return spec


def secret_template() -> dict[str, dict[str, Any]]:
    documents = yaml.safe_load_all((KUBE / "base" / "secret.template.yaml").read_text())
    return {d["metadata"]["name"]: d for d in documents}


def validate_crds(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    node = tool("node")
    if not (TOOLS / "node_modules" / "@kubernetes-models").exists():
        pytest.skip("the CRD schemas are not installed: scripts/test installs them (npm)")
    done = subprocess.run([node, "validate_crds.mjs"], cwd=TOOLS, input=json.dumps(resources),
                          capture_output=True, text=True, timeout=120, check=True)
    results: list[dict[str, Any]] = json.loads(done.stdout)
    return results


def test_each_overlay_renders_the_agent_and_its_monitoring(rendered: Resources) -> None:
    for name in AGENTS:
        kinds = sorted(r["kind"] for r in rendered[name])
        assert kinds == ["ConfigMap", "Deployment", "PodDisruptionBudget", "Service",
                         "ServiceMonitor"], name
        assert {r["metadata"]["namespace"] for r in rendered[name]} == {"lifesize-probe"}
    assert [r["kind"] for r in rendered["alerting"]] == ["PrometheusRule"]


@pytest.mark.parametrize("version", VERSIONS)
def test_core_resources_match_the_kubernetes_schemas(rendered: Resources, version: str) -> None:
    core = [r for name in AGENTS for r in rendered[name]
            if not r["apiVersion"].startswith("monitoring.coreos.com/")]
    core += secret_template().values()
    for resource in core:
        kubernetes_validate.validate(resource, version, strict=True)


def test_the_schemas_do_reject_a_misspelt_field(rendered: Resources) -> None:
    deployment = json.loads(json.dumps(by_kind(rendered["eu-west"], "Deployment")))
    deployment["spec"]["template"]["spec"]["containers"][0]["livenesProbe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, VERSIONS[-1], strict=True)


def test_operator_resources_match_their_crd_schemas(rendered: Resources) -> None:
    operator = [r for name in (*AGENTS, "alerting") for r in rendered[name]
                if r["apiVersion"].startswith("monitoring.coreos.com/")]
    assert len(operator) == len(AGENTS) + 1
    assert [r["error"] for r in validate_crds(operator)] == [None] * len(operator)
    broken = json.loads(json.dumps(operator[0]))
    broken["spec"]["endpoints"][0]["interval"] = 30
    (result,) = validate_crds([broken])
    assert "interval must be string" in result["error"]


def merged_config(resources: list[dict[str, Any]], folder: Path) -> Path:
    """The overlay's ConfigMap mounted and merged as the init container does."""
    folder.mkdir(parents=True, exist_ok=True)
    config_map = by_kind(resources, "ConfigMap")
    for key, text in config_map["data"].items():
        (folder / key).write_text(text)
    (init,) = pod(resources)["initContainers"]
    command = list(init["command"])
    assert command[:2] == ["python", "/opt/lifesize-probe/libexec/merge_config.py"]
    mount = next(m["mountPath"] for m in init["volumeMounts"] if m["name"] == "config")
    output = folder / "out" / "config.yaml"
    args = [str(output) if word == command[3] else
            str(folder / Path(word).relative_to(mount)) if word.startswith(mount) else word
            for word in command[2:]]
    run(sys.executable, str(DEPLOY / "docker" / "merge_config.py"), *args)
    return output


@pytest.mark.parametrize("region", OVERLAYS)
def test_each_overlay_sets_its_region_and_the_shared_store(
    rendered: Resources, region: str, tmp_path: Path
) -> None:
    settings = load_config(merged_config(rendered[region], tmp_path))
    assert settings.agent.region == region
    assert settings.agent.role == "region"
    assert settings.agent.listen == "0.0.0.0:9464"
    assert shared_store(settings.agent.database)
    assert region in [r for a in settings.accounts for r in a.regions]


def shared_store(url: str) -> bool:
    """A postgresql:// URL of the one store, without a password (PGPASSWORD has it)."""
    store = urlsplit(url)
    return (store.scheme == "postgresql" and store.password is None
            and f"{store.hostname}:{store.port}{store.path}" == STORE)


def test_the_sla_agent_reads_the_regions_store(rendered: Resources, tmp_path: Path) -> None:
    sla = load_config(merged_config(rendered["sla"], tmp_path / "sla"))
    assert sla.agent.role == "sla"
    assert shared_store(sla.agent.database)
    region = load_config(merged_config(rendered["eu-west"], tmp_path / "eu"))
    assert sla.accounts == region.accounts  # the same accounts and sla: settings
    assert sla.policy() == region.policy()


def test_the_agent_runs_the_merged_config(rendered: Resources) -> None:
    spec = pod(rendered["eu-west"])
    (init,) = spec["initContainers"]
    (agent,) = spec["containers"]
    assert agent["args"] == ["run", "--config", init["command"][3]]
    mounts = {m["name"]: m["mountPath"] for m in agent["volumeMounts"]}
    assert init["command"][3].startswith(mounts["run"])
    volumes = {v["name"]: v for v in spec["volumes"]}
    assert volumes["config"]["configMap"]["name"] == \
        by_kind(rendered["eu-west"], "ConfigMap")["metadata"]["name"]


def test_every_secret_the_agent_reads_is_in_the_template(
    rendered: Resources, tmp_path: Path
) -> None:
    settings = load_config(merged_config(rendered["eu-west"], tmp_path))
    files = [u.password_file for a in settings.accounts for u in a.users]
    files += [settings.target.api_key_file, settings.agent.api_token_file]
    spec = pod(rendered["eu-west"])
    (agent,) = spec["containers"]
    mount = next(m for m in agent["volumeMounts"] if m["mountPath"] == SECRETS.rstrip("/"))
    volume = next(v for v in spec["volumes"] if v["name"] == mount["name"])
    template = secret_template()
    keys = template[volume["secret"]["secretName"]]["stringData"]
    for file in files:
        assert file is not None
        assert file.startswith(SECRETS), file
        assert file.removeprefix(SECRETS) in keys
    for env in agent["env"]:
        ref = env["valueFrom"]["secretKeyRef"]
        assert ref["key"] in template[ref["name"]]["stringData"]


def test_probes_resources_and_a_locked_down_pod(rendered: Resources) -> None:
    spec = pod(rendered["us-east"])
    (agent,) = spec["containers"]
    assert agent["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert agent["startupProbe"]["httpGet"]["path"] == "/healthz"
    assert agent["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert agent["ports"] == [{"name": "http", "containerPort": 9464}]
    for container in (agent, *spec["initContainers"]):
        assert container["resources"]["requests"]["cpu"]
        assert container["resources"]["requests"]["memory"]
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert spec["securityContext"]["runAsNonRoot"] is True
    deployment = by_kind(rendered["us-east"], "Deployment")["spec"]
    assert deployment["replicas"] == 1
    assert deployment["strategy"] == {"type": "Recreate"}


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(key) == value for key, value in selector.items())


def test_selectors_find_their_own_region_only(rendered: Resources) -> None:
    """Names and selectors are per region, so one namespace could hold all three."""
    names = {(r["kind"], r["metadata"]["name"]) for name in AGENTS for r in rendered[name]}
    assert len(names) == len(AGENTS) * 5
    for name in AGENTS:
        pods = by_kind(rendered[name], "Deployment")["spec"]["template"]["metadata"]["labels"]
        own_service = by_kind(rendered[name], "Service")["metadata"]["labels"]
        for other in AGENTS:
            service = by_kind(rendered[other], "Service")
            monitor = by_kind(rendered[other], "ServiceMonitor")
            budget = by_kind(rendered[other], "PodDisruptionBudget")
            mine = other == name
            assert selects(service["spec"]["selector"], pods) is mine
            assert selects(budget["spec"]["selector"]["matchLabels"], pods) is mine
            assert selects(monitor["spec"]["selector"]["matchLabels"], own_service) is mine


def test_the_service_monitor_names_the_job_the_rules_expect(rendered: Resources) -> None:
    service = by_kind(rendered["ap-southeast"], "Service")
    monitor = by_kind(rendered["ap-southeast"], "ServiceMonitor")
    assert service["metadata"]["labels"][monitor["spec"]["jobLabel"]] == "lifesize-probe"
    assert 'job="lifesize-probe"' in (DEPLOY / "prometheus" / "rules.yml").read_text()
    (endpoint,) = monitor["spec"]["endpoints"]
    assert endpoint["port"] == "http"
    assert endpoint["path"] == "/metrics"


def test_the_prometheus_rule_is_the_shipped_rules(rendered: Resources, tmp_path: Path) -> None:
    run(sys.executable, str(KUBE / "alerting" / "generate.py"), "--check")
    (rule,) = rendered["alerting"]
    rules = yaml.safe_load((DEPLOY / "prometheus" / "rules.yml").read_text())
    assert rule["spec"] == rules
    embedded = tmp_path / "embedded.yml"
    embedded.write_text(yaml.safe_dump(rule["spec"]))
    run(tool("promtool"), "check", "rules", str(embedded))


def test_merging_configs() -> None:
    merge = docker_script("merge_config").merge
    base = {"agent": {"region": "x", "interval": "60s"}, "accounts": [{"name": "a"}]}
    region = {"agent": {"region": "eu-west"}, "accounts": [{"name": "b"}]}
    assert merge([base, region]) == {"agent": {"region": "eu-west", "interval": "60s"},
                                     "accounts": [{"name": "b"}]}


def test_a_bad_region_file_stops_the_init_step_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text((KUBE / "base" / "lifesize-probe.yaml").read_text())
    (tmp_path / "region.yaml").write_text("agent:\n  region: eu-west\n  intervall: 30s\n")
    output = tmp_path / "out" / "config.yaml"
    done = run(sys.executable, str(DEPLOY / "docker" / "merge_config.py"), "--output",
               str(output), str(tmp_path / "base.yaml"), str(tmp_path / "region.yaml"),
               check=False)
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert "agent.intervall" in line
    assert str(output) in line
    assert not output.exists()
    assert list(output.parent.iterdir()) == []  # nothing half-written
