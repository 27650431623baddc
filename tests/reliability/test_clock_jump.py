"""The wall clock jumps while the agent runs: probes go on at their pace, without a
pause or a burst, and durations stay true.

The honest way to move a running process's wall clock without moving the machine's is
libfaketime (Debian's ``faketime``; ``scripts/test`` installs it): the agent runs under
``LD_PRELOAD`` with its offset read from a file on every call, which the test rewrites,
and ``FAKETIME_DONT_FAKE_MONOTONIC=1`` leaves the monotonic clock alone — as NTP
stepping the clock does. The simulator and the test keep the real time.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from probe.agent.scheduler import ProbeScheduler
from probe.config import Account, TargetSection
from probe.credentials import Secrets
from probe.flows import SystemClock, make_flow
from probe.http_server import running
from probe.simulator import create_app, load_simulator
from tests.agent.agent_config import write_config
from tests.agent.test_crash import AgentProcess, wait_for
from tests.agent.test_end_to_end import metric
from tests.conftest import LiveSimulator
from tests.reliability.agent_run import record

LIBFAKETIME = next(iter(sorted(Path("/usr/lib").glob("*/faketime/libfaketime.so.1"))),
                   Path("/usr/lib/faketime/libfaketime.so.1"))
SERIES = [("acme", "lab"), ("globex", "lab")]
WATCH = 8.0
"""Real seconds watched after each jump: about 8 probes per series at 1 s."""

pytestmark = pytest.mark.anyio
NO_FAKETIME = pytest.mark.skipif(not LIBFAKETIME.exists(),
                                 reason="needs libfaketime (apt-get install faketime)")


class FakedAgent(AgentProcess):
    """An agent whose wall clock is ``offset`` (libfaketime syntax, e.g. ``-1h``)."""

    def __init__(self, config: Path, offset_file: Path) -> None:
        offset_file.write_text("+0\n")
        saved = dict(os.environ)
        os.environ.update(LD_PRELOAD=str(LIBFAKETIME), FAKETIME_TIMESTAMP_FILE=str(offset_file),
                          FAKETIME_NO_CACHE="1", FAKETIME_DONT_FAKE_MONOTONIC="1")
        try:
            super().__init__(config)
        finally:
            os.environ.clear()
            os.environ.update(saved)


@pytest.fixture
def agent(tmp_path: Path) -> Iterator[tuple[FakedAgent, Path]]:
    first = write_config(tmp_path, simulator="http://127.0.0.1:1")
    with running(create_app(load_simulator(first))) as sim:
        config = write_config(tmp_path, simulator=sim, max_gap="60s")
        offset = tmp_path / "faketime"
        agent = FakedAgent(config, offset)
        try:
            agent.wait_url()
            yield agent, offset
        finally:
            agent.stop()


def figures(url: str) -> dict[str, float]:
    text = httpx.get(f"{url}/metrics", timeout=30).text
    total = {"runs": 0.0, "skipped": 0.0, "duration_sum": 0.0, "duration_count": 0.0,
             "over_5s": 0.0}
    for account, region in SERIES:
        labels = {"account": account, "region": region}
        total["runs"] += metric(text, "lifesize_probe_runs_total", **labels)
        total["skipped"] += metric(text, "lifesize_probe_skipped_runs_total", **labels)
        total["duration_sum"] += metric(text, "lifesize_probe_duration_seconds_sum",
                                        step="total", **labels)
        count = metric(text, "lifesize_probe_duration_seconds_count", step="total", **labels)
        total["duration_count"] += count
        total["over_5s"] += count - metric(text, "lifesize_probe_duration_seconds_bucket",
                                           step="total", le="5.0", **labels)
    return total


def watch(url: str) -> dict[str, float]:
    """Probes (and skipped runs) over ``WATCH`` real seconds."""
    before, began = figures(url), time.monotonic()
    time.sleep(WATCH)
    after, watched = figures(url), time.monotonic() - began
    return {"seconds": watched, **{k: after[k] - before[k] for k in before}}


@pytest.mark.slow
@NO_FAKETIME
def test_clock_jumps_neither_pause_nor_burst_and_durations_stay_true(
        agent: tuple[FakedAgent, Path]) -> None:
    process, offset = agent
    assert process.url is not None
    url = process.url
    wait_for(lambda: figures(url)["runs"] >= 6)
    steady = watch(url)
    seen = {"steady": steady}
    for name, jump in (("back 1 h", "-1h"), ("forward 3 h", "+2h")):
        (offset.parent / "faketime.new").write_text(f"{jump}\n")
        (offset.parent / "faketime.new").replace(offset)  # never seen half-written
        seen[name] = watch(url)
    record("clock_jump", seen)
    said = [line for line in process.log if "wall clock" in line]
    assert sum("the wall clock jumped" in line for line in said) == 2, (said, seen)
    assert sum("the wall clock moved back" in line for line in said) <= len(SERIES), said
    expected = len(SERIES) * WATCH  # one probe per series per second
    for name, got in seen.items():
        assert got["runs"] >= expected / 2, f"{name}: probing paused: {got}"
        assert got["runs"] <= got["seconds"] * len(SERIES) + 2 * len(SERIES), (
            f"{name}: a burst: {got}")
        assert got["skipped"] <= len(SERIES) * 2, f"{name}: {got}"
        assert got["over_5s"] == 0, f"{name}: a probe took the jump as its duration: {got}"
        assert 0 <= got["duration_sum"] <= got["duration_count"] * 5


class JumpingClock(SystemClock):
    """The real clock, whose wall time steps back an hour once it has been read."""

    def __init__(self) -> None:
        self.reads = 0

    def time(self) -> float:
        self.reads += 1
        return super().time() - (3600.0 if self.reads > 1 else 0.0)


async def test_a_probe_across_a_jump_measures_its_durations_on_the_monotonic_clock(
        live_sim: LiveSimulator, make_target: Callable[..., TargetSection], acme: Account,
        secrets: Secrets) -> None:
    clock = JumpingClock()
    before = time.time()
    flow = make_flow(make_target(live_sim.url), region="eu", secrets=secrets, clock=clock)
    result = await flow.run(acme, acme.users[0])
    assert result.ok, result
    assert before <= result.ts <= time.time()  # the probe's start, before the jump
    assert 0 < result.durations["total"] < 60
    assert all(0 <= seconds <= result.durations["total"] for seconds in result.durations.values())


async def test_the_scheduler_moves_its_anchor_by_the_jump_and_only_then() -> None:
    clocks = {"wall": time.time(), "mono": 50.0}
    anchor = clocks["wall"]
    scheduler = ProbeScheduler(interval=60, anchor=anchor,
                               wall=lambda: clocks["wall"], monotonic=lambda: clocks["mono"])

    async def job() -> None: ...

    scheduler.add("acme/eu", job, offset=15)
    scheduler.start()
    try:
        clocks["wall"] += 30.4
        clocks["mono"] += 30.0  # 0.4 s of drift is no jump
        assert scheduler.follow_clock() == 0
        clocks["wall"] -= 3600 - 10
        clocks["mono"] += 10
        assert scheduler.follow_clock() == pytest.approx(-3600)
        assert scheduler.anchor == pytest.approx(anchor - 3600)
        planned = scheduler._scheduler.get_job("acme/eu")
        assert planned.trigger.start_date.timestamp() == pytest.approx(anchor - 3600 + 15)
        assert scheduler.running
    finally:
        scheduler.shutdown()
