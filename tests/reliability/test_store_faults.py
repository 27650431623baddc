"""The store refuses writes (disk full, locked by another process): probing goes on,
``lifesize_probe_store_errors_total`` counts, ``/readyz`` turns red, and when the store
comes back everything probed meanwhile is written — nothing that was acknowledged is lost.

The agent is a real process with its SQLite file on a real, tiny tmpfs (mounted here:
the tests run as root on Linux; elsewhere the disk-full test is skipped) that the test
fills up, or whose database another process holds with ``BEGIN EXCLUSIVE`` for 30 s.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from probe.agent.probing_role import WINDOWS_WAIT, Agent
from probe.http_server import running
from probe.simulator import create_app, load_simulator
from probe.store import Store, open_store
from probe.store.base import StoredWindow
from tests.agent.agent_config import write_config
from tests.agent.test_crash import AgentProcess, wait_for
from tests.agent.test_end_to_end import metric
from tests.agent.test_runner import ScriptedFlow, settings
from tests.reliability.agent_run import committed, record

SERIES = [("acme", "lab"), ("globex", "lab")]


class Lab:
    """An agent process probing a simulator, with its store at ``database``."""

    def __init__(self, folder: Path, database: Path) -> None:
        self.folder, self.database = folder, database
        first = write_config(folder, simulator="http://127.0.0.1:1")
        self._sim = running(create_app(load_simulator(first)))
        self.sim = self._sim.__enter__()
        # 3 s probes: /readyz wants a probe within two intervals of the latest snapshot,
        # which is refreshed every 2 s or so.
        self.config = write_config(folder, simulator=self.sim, database=f"sqlite:///{database}",
                                   interval="3s", max_gap="120s")
        self.agent = AgentProcess(self.config)
        self.url = self.agent.wait_url()

    def scrape(self) -> str:
        return httpx.get(f"{self.url}/metrics", timeout=30).text

    def readyz(self) -> httpx.Response:
        return httpx.get(f"{self.url}/readyz", timeout=30)

    def runs(self) -> float:
        text = self.scrape()
        return sum(metric(text, "lifesize_probe_runs_total", account=a, region=r)
                   for a, r in SERIES)

    def fault(self, seconds: float) -> None:
        httpx.post(f"{self.sim}/_sim/faults", json={
            "step": "login", "mode": "error", "status": 503, "accounts": ["acme"],
            "seconds": seconds}, timeout=10).raise_for_status()

    def close(self) -> None:
        self.agent.stop()
        self._sim.__exit__(None, None, None)


def refuse_and_recover(lab: Lab, refuse: Callable[[], None], allow: Callable[[], None],
                       name: str) -> None:
    """The shared scenario: store refuses writes during a fault, then comes back."""
    wait_for(lambda: lab.readyz().status_code == 200)
    lab.fault(seconds=20)
    refuse()
    refused_at, runs_before = time.time(), lab.runs()
    wait_for(lambda: lab.readyz().status_code == 503)
    reason = lab.readyz().text
    assert reason.startswith("store not writable: ")
    wait_for(lambda: lab.runs() >= runs_before + 8)  # probing goes on meanwhile
    errors = metric(lab.scrape(), "lifesize_probe_store_errors_total")
    assert errors >= 1
    allow()
    wait_for(lambda: lab.readyz().status_code == 200)
    recovered_at = time.time()
    wait_for(lambda: metric(lab.scrape(), "lifesize_account_down", account="acme",
                            region="lab") == 0)
    time.sleep(4)  # a few more probes after the fault, then a scrape to compare with
    text = lab.scrape()
    runs = sum(metric(text, "lifesize_probe_runs_total", account=a, region=r) for a, r in SERIES)
    failures = metric(text, "lifesize_probe_failures_total", account="acme", region="lab",
                      step="login", reason="http_503")
    lab.agent.process.send_signal(signal.SIGTERM)
    assert lab.agent.process.wait(120) == 0, "".join(lab.agent.log)

    stored = committed(lab.database, SERIES)
    assert stored.problems == ()
    assert len(stored.failures) == failures >= 5
    assert sum(probes_of(lab.database)) >= runs
    record(name, {"refused_seconds": round(recovered_at - refused_at, 1),
                  "readyz_while_refused": reason, "store_errors_total": errors,
                  "probes_counted": runs, "probes_stored": sum(probes_of(lab.database)),
                  "failures_counted": failures, "failures_stored": len(stored.failures)})


def probes_of(database: Path) -> list[int]:
    store = open_store(f"sqlite:///{database}", interval=1, max_gap=120, create=False)
    try:
        return [s.probes for a, r in SERIES for s in store.segments(a, r)]
    finally:
        store.close()


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MB tmpfs mounted for this test."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)],
                             check=False, capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=True)


def fill(disk: Path) -> None:
    """Write a filler file until the disk has no space left."""
    with (disk / "filler").open("wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError:
            pass


@pytest.mark.slow
def test_disk_full(tiny_disk: Path, tmp_path: Path) -> None:
    lab = Lab(tmp_path, tiny_disk / "agent.db")
    try:
        refuse_and_recover(lab, lambda: fill(tiny_disk),
                           (tiny_disk / "filler").unlink, "disk_full")
    finally:
        lab.close()


LOCKER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("ROLLBACK")
"""


@pytest.mark.slow
def test_database_locked_by_another_process_for_30_s(tmp_path: Path) -> None:
    lab = Lab(tmp_path, tmp_path / "agent.db")
    locker: list[subprocess.Popen[str]] = []

    def lock() -> None:
        locker.append(subprocess.Popen([sys.executable, "-c", LOCKER, str(lab.database), "30"],
                                       stdout=subprocess.PIPE, text=True))
        assert locker[0].stdout is not None
        assert locker[0].stdout.readline().strip() == "locked"

    def released() -> None:
        assert locker[0].wait(60) == 0

    try:
        refuse_and_recover(lab, lock, released, "db_locked")
    finally:
        for process in locker:
            process.kill()
            process.wait(10)
            if process.stdout is not None:
                process.stdout.close()
        lab.close()


class StuckWindows:
    """A store whose ``windows()`` waits, like one whose lock another process holds."""

    def __init__(self, inner: Store) -> None:
        self.inner, self.release = inner, threading.Event()

    def windows(self) -> list[StoredWindow]:
        self.release.wait(60)
        return self.inner.windows()

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


@pytest.mark.anyio
async def test_a_stuck_store_read_does_not_freeze_the_snapshot(tmp_path: Path) -> None:
    """What made /readyz and /metrics freeze while the database was locked: the snapshot
    waited for the maintenance windows. It now goes on with those read last."""
    config = settings(tmp_path)
    real = open_store(config.agent.database, interval=10, max_gap=300)
    store = StuckWindows(real)
    flow = ScriptedFlow([None] * 2, start=1_790_000_000.0)
    agent = Agent(settings=config, store=store, flow=flow, clock=lambda: flow.now)
    try:
        await agent.resume()
        acme = agent.series["acme/eu"]
        for _ in range(2):
            agent.record(acme, await flow.run(acme.account, acme.account.users[0]))
            await asyncio.wait_for(agent.refresh(), timeout=30)
            assert agent.snapshot.last_probe_at == flow.now
        # The wait for the store is not the cost that paces refreshes (4 x cost): else a
        # locked database spaces snapshots out until /readyz calls the probes stale.
        stop = asyncio.Event()
        refresher = asyncio.create_task(agent.refresher(stop))
        await asyncio.sleep(WINDOWS_WAIT + 0.5)
        stop.set()
        await asyncio.wait_for(refresher, timeout=30)
        assert 0 < agent._refresh_cost < WINDOWS_WAIT
    finally:
        store.release.set()
        await asyncio.sleep(0.1)
        real.close()
