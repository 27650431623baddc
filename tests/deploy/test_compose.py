"""deploy/docker-compose.yml: the compose schema (docker-compose's ``config``, no daemon),
and that its services, files, ports and addresses fit together."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from probe.config import load_config
from tests.deploy.conftest import DEPLOY, run, tool

COMPOSE_FILE = DEPLOY / "docker-compose.yml"
COMPOSE: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text())
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]


def mounts(service: str) -> dict[str, Path]:
    """Bind mounts of ``service``: container path → host path (named volumes left out)."""
    found = {}
    for volume in SERVICES[service].get("volumes", []):
        source, target = volume.split(":")[:2]
        if source.startswith("."):
            found[target] = (COMPOSE_FILE.parent / source).resolve()
    return found


def on_host(service: str, inside: str) -> Path:
    """Where a path of ``service``'s container comes from, through its bind mounts."""
    for target, source in mounts(service).items():
        if inside == target or inside.startswith(target + "/"):
            return source / inside[len(target):].lstrip("/")
    raise AssertionError(f"{inside} is not mounted into {service}")


def test_the_compose_schema_accepts_it() -> None:
    run(tool("docker-compose"), "-f", str(COMPOSE_FILE), "config", "--quiet")


def test_the_whole_stack_is_there() -> None:
    assert set(SERVICES) == {"simulator", "agent", "prometheus", "alertmanager", "grafana"}
    for name, service in SERVICES.items():
        image = service["image"]
        assert ":" in image
        assert not image.endswith(":latest"), name
        for dependency in service.get("depends_on", []):
            assert dependency in SERVICES


def test_every_mounted_file_exists_and_the_image_is_built_here() -> None:
    build = SERVICES["simulator"]["build"]
    assert (COMPOSE_FILE.parent / build["context"] / build["dockerfile"]).resolve() == \
        (DEPLOY.parent / "Dockerfile")
    for name in SERVICES:
        for target, source in mounts(name).items():
            assert source.exists(), (name, target, source)


def test_ports_are_published_on_loopback_only() -> None:
    for name, service in SERVICES.items():
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), (name, port)


def test_the_agent_probes_the_simulator_and_prometheus_scrapes_the_agent() -> None:
    config_path = mounts("agent")["/etc/lifesize-probe/config.yaml"]
    assert mounts("simulator")["/etc/lifesize-probe/config.yaml"] == config_path
    settings = load_config(config_path)
    simulator = SERVICES["simulator"]["command"]
    listen = simulator[simulator.index("--listen") + 1]
    assert set(settings.target.hosts.values()) == {f"http://simulator:{listen.split(':')[1]}"}
    secrets = [u.password_file for a in settings.accounts for u in a.users]
    for secret in [*secrets, settings.target.api_key_file]:
        assert secret is not None
        for service in ("agent", "simulator"):
            assert on_host(service, f"/etc/lifesize-probe/{secret}").is_file()

    prometheus = mounts("prometheus")
    scrape = yaml.safe_load(prometheus["/etc/prometheus/prometheus.yml"].read_text())
    (job,) = scrape["scrape_configs"]
    assert job["job_name"] == "lifesize-probe"
    port = settings.agent.listen.rsplit(":", 1)[1]
    assert job["static_configs"][0]["targets"] == [f"agent:{port}"]
    for rule_file in scrape["rule_files"]:
        assert f"/etc/prometheus/{rule_file}" in prometheus
    (alertmanagers,) = scrape["alerting"]["alertmanagers"]
    assert alertmanagers["static_configs"][0]["targets"] == ["alertmanager:9093"]


def test_grafana_gets_prometheus_and_the_dashboard() -> None:
    grafana = mounts("grafana")
    provisioning = grafana["/etc/grafana/provisioning"]
    sources = yaml.safe_load((provisioning / "datasources" / "prometheus.yml").read_text())
    assert [s["url"] for s in sources["datasources"]] == ["http://prometheus:9090"]
    providers = yaml.safe_load((provisioning / "dashboards" / "lifesize.yml").read_text())
    (provider,) = providers["providers"]
    folder = provider["options"]["path"]
    dashboards = [t for t in grafana if t.startswith(folder + "/")]
    assert [grafana[t].name for t in dashboards] == ["lifesize-sla.json"]
