"""Three regions, one truth: three agents and an sla agent on one PostgreSQL (processes).

Every agent is a real ``lifesize-probe run`` process started at once on a fresh
schema (so their migrations race too); faults go to one simulator. Faults for acme
hit one region, then two, then all three; then the ap-south agent is killed and one
region fails again. The account-level outages then follow the quorum:

    phase   regions failing        any   majority   all
    1       eu-west                 x
    2       eu-west, us-east        x       x
    3       all three               x       x        x
    4       eu-west, ap-south dead  x

The figures come from ``lifesize-probe report --database`` for each quorum, and the
sla agent (majority) must converge to the same figure. A dead region is an evidence
gap: not down (phase 4 is no majority outage), and its coverage stops growing.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from probe.cli import main
from probe.http_server import running
from probe.simulator import create_app, load_simulator
from tests.agent.test_crash import AgentProcess, wait_for
from tests.agent.test_end_to_end import metric
from tests.multiregion.topology import (
    REGIONS,
    write_agent_config,
    write_simulator_config,
)
from tests.postgres import Postgres

FAULT = 20.0


class Lab:
    """The simulator's URL, the agents by region (and ``sla``), the database URL."""

    def __init__(self, folder: Path, sim: str, database: str) -> None:
        self.folder, self.sim, self.database = folder, sim, database
        self.agents: dict[str, AgentProcess] = {}

    def start(self) -> None:
        configs = {region: write_agent_config(self.folder, role="region", region=region,
                                              database=self.database, simulator=self.sim)
                   for region in REGIONS}
        configs["sla"] = write_agent_config(self.folder, role="sla", region="all",
                                            database=self.database, simulator=self.sim)
        self.agents = {name: AgentProcess(path) for name, path in configs.items()}

    def url(self, name: str) -> str:
        return self.agents[name].wait_url()

    def scrape(self, name: str) -> str:
        return httpx.get(f"{self.url(name)}/metrics", timeout=10).text

    def region_metric(self, region: str, name: str, account: str = "acme") -> float:
        return metric(self.scrape(region), name, account=account, region=region)

    def fail(self, regions: tuple[str, ...]) -> None:
        """A 20 s login fault for acme in ``regions``; returns once all have recovered."""
        runs = {r: self.region_metric(r, "lifesize_probe_runs_total") for r in regions}
        spec = {"step": "login", "mode": "error", "status": 503, "seconds": FAULT,
                "accounts": [f"acme.{r}" for r in regions]}
        httpx.post(f"{self.sim}/_sim/faults", json=spec, timeout=10).raise_for_status()
        for region in regions:
            wait_for(lambda r=region: self.region_metric(r, "lifesize_account_down") == 1)
        for region in regions:
            wait_for(lambda r=region: (
                self.region_metric(r, "lifesize_probe_runs_total") >= runs[r] + FAULT + 3
                and self.region_metric(r, "lifesize_account_down") == 0))

    def stop(self) -> None:
        for agent in self.agents.values():
            agent.stop()


@pytest.fixture
def lab(tmp_path: Path, postgres: Postgres) -> Iterator[Lab]:
    with running(create_app(load_simulator(write_simulator_config(tmp_path)))) as sim:
        started = Lab(tmp_path, sim, postgres.schema("regions"))
        try:
            started.start()
            yield started
        finally:
            started.stop()


def report(lab: Lab, quorum: str, month: str) -> dict[str, Any]:
    """``lifesize-probe report --database`` for acme with ``quorum``, as JSON."""
    config = write_agent_config(lab.folder, role="sla", region="all", database=lab.database,
                                simulator=lab.sim, quorum=quorum)
    output = lab.folder / f"report-{quorum}.json"
    assert main(["report", "--database", lab.database, "--config", str(config), "--month",
                 month, "--format", "json", "--account", "acme", "--output", str(output)]) == 0
    (acme,) = json.loads(output.read_text())["accounts"]
    return dict(acme)


def phase_of(outage: dict[str, Any], starts: list[float]) -> int:
    """1-based number of the phase an outage started in."""
    began = datetime.fromisoformat(outage["start"]).timestamp()
    return sum(1 for start in starts if start - 1 <= began)


@pytest.mark.slow
def test_account_level_unavailable_time_follows_the_quorum(lab: Lab) -> None:
    sla = lab.url("sla")
    for region in REGIONS:
        wait_for(lambda r=region: lab.region_metric(r, "lifesize_probe_runs_total") >= 3)
    wait_for(lambda: httpx.get(f"{sla}/readyz", timeout=10).status_code == 200)
    month = time.strftime("%Y-%m", time.gmtime())
    starts = []
    for regions in (("eu-west",), ("eu-west", "us-east"), REGIONS):
        starts.append(time.time())
        lab.fail(regions)

    # Phase 4: ap-south's agent dies; its region is a gap, neither up nor down.
    dead = lab.agents["ap-south"].process
    os.kill(dead.pid, signal.SIGKILL)
    dead.wait(30)
    coverage = "lifesize_probe_coverage_ratio"

    def seen(region: str) -> float:
        return metric(lab.scrape("sla"), coverage, account="acme", region=region, window="30d")

    time.sleep(3)  # the sla agent's next refreshes read ap-south's last writes
    frozen = seen("ap-south")
    starts.append(time.time())
    lab.fail(("eu-west",))
    assert seen("ap-south") == frozen
    assert seen("eu-west") > frozen

    reports = {q: report(lab, q, month) for q in ("any", "majority", "all")}
    outages = {q: found["outages"] for q, found in reports.items()}
    phases = {q: [phase_of(o, starts) for o in found] for q, found in outages.items()}
    assert phases == {"any": [1, 2, 3, 4], "majority": [2, 3], "all": [3]}, (
        f"phases {phases}, phase starts {starts}, outages {json.dumps(outages)}")
    for found in outages.values():
        for outage in found:
            assert outage["counted"]
            assert 14 <= outage["seconds"] <= 30, outage
    assert [o["regions"] for o in outages["majority"]] == [
        ["eu-west", "us-east"], ["ap-south", "eu-west", "us-east"]]

    # The sla agent (majority) shows the figure of the report (which rounds to the ms).
    want = reports["majority"]["unavailable_seconds"]
    wait_for(lambda: metric(lab.scrape("sla"), "lifesize_sla_unavailable_seconds",
                            account="acme", window="30d") == pytest.approx(want, abs=0.001))
    sla_text = lab.scrape("sla")
    assert metric(sla_text, "lifesize_sla_unavailable_seconds", account="globex",
                  window="30d") == 0
    assert "lifesize_probe_runs_total" not in sla_text
    assert "lifesize_sla_unavailable_seconds{" not in lab.scrape("eu-west")
