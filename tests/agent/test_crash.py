"""``kill -9`` during an outage: after a restart the outage carries on, once, not twice.

The agent runs as a real process writing a real SQLite file; it is killed without
warning in the middle of a fault and started again on the same store.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest

from probe.http_server import running
from probe.simulator import create_app, load_simulator
from tests.agent.agent_config import write_config
from tests.agent.test_end_to_end import metric

LISTENING = re.compile(r"agent for region \S+ on (http://\S+):")


PRIORITY = -5
"""The agents' nice value, where the tests may raise it (as root): they are what the tests
time. The suite runs in parallel on two cores, and a starved agent probes late, which is
the machine's doing, not the agent's; hypothesis and the other workers can wait."""


class AgentProcess:
    """``lifesize-probe run`` as a child process; knows its URL from its log.

    ``argv`` runs another command whose log says the same (``lifesize-probe demo``), and
    ``popen`` goes to ``subprocess.Popen`` (``env``, ``cwd``).
    """

    def __init__(self, config: Path | None, *, argv: Sequence[str] = (),
                 **popen: Any) -> None:
        command = argv or [sys.executable, "-m", "probe", "run", "--config", str(config)]
        self.process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, **popen)
        with contextlib.suppress(PermissionError, ProcessLookupError):
            os.setpriority(os.PRIO_PROCESS, self.process.pid, PRIORITY)
        self.url: str | None = None
        self.log: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.log.append(line)
            if (found := LISTENING.search(line)) is not None:
                self.url = found.group(1)

    def wait_url(self, timeout: float = 180) -> str:
        deadline = time.monotonic() + timeout
        while self.url is None:
            assert self.process.poll() is None, "".join(self.log)
            assert time.monotonic() < deadline, "".join(self.log)
            time.sleep(0.1)
        return self.url

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)
        self._reader.join(10)
        if self.process.stderr is not None:
            self.process.stderr.close()


def wait_for(check: object, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.25)


def series(url: str, name: str) -> float:
    return metric(httpx.get(f"{url}/metrics", timeout=10).text, name, account="acme", region="lab")


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    path = write_config(tmp_path, simulator="http://127.0.0.1:1")
    with running(create_app(load_simulator(path))) as sim:
        # max_gap leaves a restart on a slow machine time to come back within it.
        yield write_config(tmp_path, simulator=sim, max_gap="120s"), sim


def test_kill_9_mid_outage_gives_one_continuous_outage(lab: tuple[Path, str]) -> None:
    config, sim = lab
    first = AgentProcess(config)
    try:
        url = first.wait_url()
        httpx.post(f"{sim}/_sim/faults", json={"step": "call", "mode": "error",
                                               "status": 502, "accounts": ["acme"],
                                               "seconds": 300}).raise_for_status()
        wait_for(lambda: metric(httpx.get(f"{url}/metrics", timeout=10).text,
                                "lifesize_probe_failures_total", account="acme", region="lab",
                                step="call", reason="http_502") >= 4)
        os.kill(first.process.pid, signal.SIGKILL)
        first.process.wait(10)
    finally:
        first.stop()

    second = AgentProcess(config)
    try:
        url = second.wait_url()
        wait_for(lambda: series(url, "lifesize_account_down") == 1)
        wait_for(lambda: series(url, "lifesize_probe_runs_total") >= 3)
        # long enough to count (min_outage 10 s), however fast the restart was
        wait_for(lambda: time.time() - series(
            url, "lifesize_account_down_since_timestamp_seconds") >= 12)
        httpx.delete(f"{sim}/_sim/faults").raise_for_status()
        wait_for(lambda: series(url, "lifesize_account_down") == 0)
        second.process.send_signal(signal.SIGTERM)
        assert second.process.wait(120) == 0
    finally:
        second.stop()

    month = time.strftime("%Y-%m", time.gmtime())
    done = subprocess.run(
        [sys.executable, "-m", "probe", "report", "--database",
         f"sqlite:///{config.parent / 'agent.db'}", "--config", str(config),
         "--month", month, "--format", "json", "--account", "acme"],
        capture_output=True, text=True, check=True)
    (acme,) = json.loads(done.stdout)["accounts"]
    assert len(acme["outages"]) == 1, acme["outages"]
    (outage,) = acme["outages"]
    assert outage["counted"]
    assert not outage["open"]
    assert outage["errors"]["http_502"] >= 6
