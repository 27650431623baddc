"""A real Prometheus (Debian's binary) scraping a real agent that probes the simulator.

Prometheus runs on 127.0.0.1 with the shipped scrape config, pointed at the agent and
with one-second scrape and evaluation intervals, and the shipped alert rules with one
documented change (``short_rules``): the five minutes of the five-minute rule become
the test's ``min_outage`` of 10 s, so that LifesizeAccountDown can fire within seconds.
Everything else in the rules (the majority across regions, fresh probes within three
of the agent's intervals, maintenance) is evaluated as shipped. A login fault for acme
is injected through the simulator, and Prometheus' HTTP API is asked until the alert
fires (a generous deadline, not a timing assertion). The dashboard's queries then run
against the same Prometheus.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from probe.http_server import running
from probe.simulator import create_app, load_simulator
from tests.agent.agent_config import write_config
from tests.agent.test_crash import AgentProcess
from tests.deploy.conftest import DEPLOY, tool
from tests.deploy.promql import fill
from tests.ports import free_port

pytestmark = pytest.mark.xdist_group("prometheus")
"""One worker starts the module's Prometheus, simulator and agent once for all its tests."""

MIN_OUTAGE = 10
"""Seconds: the test's sla.min_outage, and the rules' five minutes in ``short_rules``."""
DEADLINE = 240.0


def short_rules(text: str) -> str:
    """The shipped rules with the five-minute rule at ``MIN_OUTAGE`` seconds.

    Exactly two places hold the five minutes (see the rule's comment); each must be
    found once, so a changed rule makes this fail rather than test something else.
    """
    for five_minutes, short in ((">= 300)", f">= {MIN_OUTAGE})"),
                                ("lifesize_maintenance_active[5m]",
                                 f"lifesize_maintenance_active[{MIN_OUTAGE}s]")):
        assert text.count(five_minutes) == 1, five_minutes
        text = text.replace(five_minutes, short)
    return text


def scrape_config(agent: str, rules: Path) -> dict[str, Any]:
    """The shipped scrape config, pointed at ``agent``, fast, without Alertmanager."""
    config: dict[str, Any] = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    config["global"].update(scrape_interval="1s", evaluation_interval="1s", scrape_timeout="1s")
    config["rule_files"] = [str(rules)]
    del config["alerting"]  # nothing listens for alerts here; the API shows them
    (job,) = config["scrape_configs"]
    assert job["job_name"] == "lifesize-probe"
    (targets,) = job["static_configs"]
    targets["targets"] = [agent.removeprefix("http://")]
    return config


@dataclass
class Stack:
    agent: str
    simulator: str
    prometheus: str
    log: Path

    def api(self, path: str, **params: str) -> Any:
        answer = httpx.get(f"{self.prometheus}/api/v1/{path}", params=params, timeout=10)
        body = answer.json()
        assert body["status"] == "success", body
        return body["data"]

    def query(self, expression: str) -> list[dict[str, Any]]:
        data = self.api("query", query=expression)
        result: list[dict[str, Any]] = data["result"]
        return result

    def firing(self, alertname: str) -> list[dict[str, str]]:
        return [alert["labels"] for alert in self.api("alerts")["alerts"]
                if alert["labels"]["alertname"] == alertname and alert["state"] == "firing"]

    def until(self, check: Callable[[], object], what: str) -> None:
        deadline = time.monotonic() + DEADLINE
        while not check():
            if time.monotonic() > deadline:
                tail = self.log.read_text()[-3000:]
                raise AssertionError(f"{what}: not within {DEADLINE:.0f} s\n{tail}")
            time.sleep(0.5)


def start_prometheus(folder: Path, agent: str) -> tuple[subprocess.Popen[bytes], str, Path]:
    rules = folder / "rules.yml"
    rules.write_text(short_rules((DEPLOY / "prometheus" / "rules.yml").read_text()))
    config = folder / "prometheus.yml"
    config.write_text(yaml.safe_dump(scrape_config(agent, rules)))
    listen = f"127.0.0.1:{free_port()}"
    log = folder / "prometheus.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [tool("prometheus"), f"--config.file={config}", f"--web.listen-address={listen}",
             f"--storage.tsdb.path={folder / 'data'}", "--log.level=warn"],
            stdout=out, stderr=subprocess.STDOUT)
    return process, f"http://{listen}", log


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Simulator, agent (5 s probes) and Prometheus, all on 127.0.0.1; stopped after."""
    folder = tmp_path_factory.mktemp("prometheus-live")
    path = write_config(folder, simulator="http://127.0.0.1:1")
    with running(create_app(load_simulator(path))) as simulator:
        config = write_config(folder, simulator=simulator, interval="5s", max_gap="30s",
                              min_outage=f"{MIN_OUTAGE}s")
        agent = AgentProcess(config)
        prometheus: subprocess.Popen[bytes] | None = None
        try:
            url = agent.wait_url()
            prometheus, prometheus_url, log = start_prometheus(folder, url)
            stack = Stack(url, simulator, prometheus_url, log)
            stack.until(lambda: ready(prometheus_url), "Prometheus ready")
            yield stack
        finally:
            httpx.delete(f"{simulator}/_sim/faults", timeout=10)
            if prometheus is not None:
                prometheus.terminate()
                prometheus.wait(60)
            agent.stop()


def ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/-/ready", timeout=5).status_code == 200
    except httpx.TransportError:
        return False


def has(stack: Stack, expression: str) -> bool:
    return bool(stack.query(expression))


@pytest.fixture(scope="module")
def outage(stack: Stack) -> Stack:
    """acme fails to log in from now on; returns once LifesizeAccountDown fires for it."""
    stack.until(lambda: has(stack, 'lifesize_probe_success{account="acme",region="lab"} == 1'),
                "acme probed successfully")
    assert has(stack, 'up{job="lifesize-probe"} == 1')
    assert stack.firing("LifesizeAccountDown") == []
    fault = {"step": "login", "mode": "error", "status": 503, "accounts": ["acme"],
             "seconds": 600}
    httpx.post(f"{stack.simulator}/_sim/faults", json=fault, timeout=10).raise_for_status()
    stack.until(lambda: stack.firing("LifesizeAccountDown"), "LifesizeAccountDown firing")
    return stack


def test_account_down_fires_for_the_account_that_is_down(outage: Stack) -> None:
    (alert,) = outage.firing("LifesizeAccountDown")
    assert alert == {"alertname": "LifesizeAccountDown", "account": "acme",
                     "severity": "page"}
    (down,) = outage.query('lifesize_account_down{account="acme"}')
    assert down["metric"]["job"] == "lifesize-probe"
    assert down["value"][1] == "1"
    (since,) = outage.query('time() - lifesize_account_down_since_timestamp_seconds')
    assert float(since["value"][1]) >= MIN_OUTAGE


def test_every_rule_evaluates_without_error(outage: Stack) -> None:
    groups = outage.api("rules")["groups"]
    rules = [rule for group in groups for rule in group["rules"]]
    shipped = yaml.safe_load((DEPLOY / "prometheus" / "rules.yml").read_text())
    assert len(rules) == sum(len(group["rules"]) for group in shipped["groups"])
    for rule in rules:
        assert rule["health"] == "ok", (rule["name"], rule.get("lastError"))


DASHBOARD = json.loads((DEPLOY / "grafana" / "lifesize-sla.json").read_text())
QUERIES = [(panel["title"], target["expr"]) for panel in DASHBOARD["panels"]
           for target in panel["targets"]]


def test_the_dashboard_queries_return_data(outage: Stack) -> None:
    """Each panel's query, Grafana's variables filled in, finds series in Prometheus."""
    for title, expression in QUERIES:
        filled = fill(expression)
        outage.until(lambda e=filled: has(outage, e), f"data for {title!r}")
