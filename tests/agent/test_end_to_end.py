"""The agent end to end on loopback: the simulator, the agent, faults, the figures move.

One agent probes two accounts every second with ``min_outage: 10s`` against a real
simulator; faults are injected through the simulator's control API and maintenance
through the agent's. Figures are read from ``/metrics``, the way Prometheus reads them.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from probe.http_server import running
from probe.instants import utc
from probe.simulator import create_app, load_simulator
from tests.agent.agent_config import TOKEN, write_config
from tests.agent.in_loop import agent_in_loop

pytestmark = pytest.mark.anyio


@pytest.fixture
def config(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A config for acme and globex whose simulator runs on a free loopback port."""
    path = write_config(tmp_path, simulator="http://127.0.0.1:1")  # hosts fixed below
    with running(create_app(load_simulator(path))) as url:
        yield write_config(tmp_path, simulator=url), url


@pytest.fixture
async def agent(config: tuple[Path, str]) -> AsyncIterator[str]:
    """The agent running in this event loop; yields its base URL."""
    path, _ = config
    async with agent_in_loop(path, timeout=30) as url:
        yield url


def metric(text: str, name: str, **labels: str) -> float:
    """The value of one series in an exposition (0 when absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        if line.startswith(f"{name}{{") or line.startswith(f"{name} "):
            series, _, value = line.rpartition(" ")
            found = series[len(name):].strip("{}")
            if ",".join(sorted(found.split(","))) == wanted:
                return float(value)
    return 0.0


async def until(check: Callable[[], Any], timeout: float = 240) -> None:
    """Poll ``check`` (an async callable) until it is true."""
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.25)


async def scrape(client: httpx.AsyncClient, url: str) -> str:
    return (await client.get(f"{url}/metrics")).text


@pytest.mark.slow
async def test_faults_move_the_figures_by_the_five_minute_rule(
    agent: str, config: tuple[Path, str]
) -> None:
    _, sim = config
    async with httpx.AsyncClient(timeout=10) as client:
        async def ready() -> bool:
            return (await client.get(f"{agent}/readyz")).status_code == 200
        await until(ready)

        async def fault_and_settle(account: str, mode: str, seconds: float) -> str:
            spec = {"step": "login", "mode": mode, "status": 503, "accounts": [account],
                    "seconds": seconds}
            assert (await client.post(f"{sim}/_sim/faults", json=spec)).status_code == 201
            runs = metric(await scrape(client, agent), "lifesize_probe_runs_total",
                          account=account, region="lab")

            async def recovered() -> bool:
                text = await scrape(client, agent)
                return (metric(text, "lifesize_probe_runs_total", account=account,
                               region="lab") >= runs + seconds + 3
                        and metric(text, "lifesize_account_down", account=account,
                                   region="lab") == 0)
            await until(recovered)
            return await scrape(client, agent)

        # A 20-second login fault: counted in full (about 20 s, give or take the probes'
        # interval and lateness).
        text = await fault_and_settle("acme", "error", 20)
        acme = metric(text, "lifesize_sla_unavailable_seconds", account="acme", window="month")
        assert 14 <= acme <= 30
        assert metric(text, "lifesize_probe_failures_total", account="acme", region="lab",
                      step="login", reason="http_503") >= 5

        # A 3-second fault: seen, but shorter than min_outage, so nothing counts.
        text = await fault_and_settle("globex", "error", 3)
        assert metric(text, "lifesize_sla_unavailable_seconds", account="globex",
                      window="month") == 0
        assert metric(text, "lifesize_sla_observed_down_seconds", account="globex",
                      window="month") > 0

        # Refused credentials: the probe's problem, never downtime.
        text = await fault_and_settle("globex", "reject_auth", 20)
        assert metric(text, "lifesize_sla_unavailable_seconds", account="globex",
                      window="month") == 0
        assert metric(text, "lifesize_probe_failures_total", account="globex", region="lab",
                      step="login", reason="auth_rejected") >= 5

        # Maintenance declared over the API excludes a fault inside it.
        now = time.time()
        window = {"kind": "emergency", "accounts": ["acme"], "name": "e2e",
                  "start": utc(now - 1), "end": utc(now + 600)}
        declared = await client.post(f"{agent}/api/v1/maintenance", json=window,
                                     headers={"Authorization": f"Bearer {TOKEN}"})
        assert declared.status_code == 201, declared.text
        text = await fault_and_settle("acme", "error", 20)
        assert metric(text, "lifesize_sla_unavailable_seconds", account="acme",
                      window="month") == acme
        assert metric(text, "lifesize_maintenance_active", account="acme") == 1



async def test_scraping_in_a_tight_loop_does_not_delay_probes(agent: str) -> None:
    """Scrapes serve the exposition rendered with the snapshot, so probes keep running.

    The criteria are deliberately loose (probes kept to at least half their schedule and
    most runs started within 250 ms): this guards against scrapes blocking the loop on a
    possibly starved CI machine, not a latency target (``benchmarks/agent_scale.py``
    measures that).
    """
    async with httpx.AsyncClient(timeout=10) as client:
        before = await scrape(client, agent)
    stop = threading.Event()
    scrapes = 0

    def hammer() -> None:
        nonlocal scrapes
        with httpx.Client(timeout=10) as client:
            while not stop.is_set():
                client.get(f"{agent}/metrics").raise_for_status()
                scrapes += 1

    thread = threading.Thread(target=hammer)
    began = time.monotonic()
    thread.start()
    try:
        await asyncio.sleep(10)
    finally:
        stop.set()
        await asyncio.to_thread(thread.join, 30)
    elapsed = time.monotonic() - began
    async with httpx.AsyncClient(timeout=10) as client:
        text = await scrape(client, agent)
    assert scrapes > 20
    for account in ("acme", "globex"):
        ran = (metric(text, "lifesize_probe_runs_total", account=account, region="lab")
               - metric(before, "lifesize_probe_runs_total", account=account, region="lab"))
        assert ran >= elapsed / 2 - 2, (account, ran)
    total = metric(text, "lifesize_probe_scheduler_lateness_seconds_count")
    prompt = metric(text, "lifesize_probe_scheduler_lateness_seconds_bucket", le="0.25")
    assert prompt >= total / 2
