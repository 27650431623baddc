"""``kill -9`` at random moments during a two-minute run with faults: nothing is lost.

SLOW (about 2.5 minutes, marked ``slow``): two agents probe the same simulator with the
same config, one left alone (the reference), one killed with SIGKILL at random moments
and started again on the same SQLite file, at least 20 times. About one kill in three
lands in the first moments after the spawn (startup and migration), never two in a row,
so the agent is never away for longer than two startups, however slowly a loaded machine
starts Python; it counts as up from when its /metrics show it has probed every series.
Faults are injected on a fixed schedule that both agents see at the same time.

After every kill, before the restart, the store is read from outside: it passes the
integrity check (SQLite's and the store's invariants), and everything committed before
is still there. At the end the killed agent's outages (R1–R4, from its store) equal the
reference's: the same outages, counted alike, each start and end within one probe
interval (plus both agents' lateness) — or, where a boundary fell while the agent was
dead or starting, within the time it was away, since no agent can see what happens
while it is not running. Faults last well over the longest restart, so none can hide
in one.
"""

from __future__ import annotations

import itertools
import os
import random
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from probe.http_server import running
from probe.simulator import create_app, load_simulator
from tests.agent.agent_config import write_config
from tests.agent.test_crash import AgentProcess
from tests.agent.test_end_to_end import metric
from tests.reliability.agent_run import Committed, committed, outages, record, slack

pytestmark = pytest.mark.slow

RUN = 120.0
INTERVAL = 1.0
LATENESS = 3.0
"""Seconds a probe may start late on a loaded machine: two agents, one restarting, and
the rest of the suite running beside them on other xdist workers. Either agent's probe
may be late, and so may a restarted agent's first probes after it said it was serving,
so an edge may be off by twice this (8.3 s off was seen, the agent away for 2.3 s; with
1.5 s once, 4.2 s off where 3.5 s was allowed)."""
MIN_KILLS = 20
"""Kills the run must reach: it goes on past ``RUN`` until it has them (a loaded
machine starts agents slowly), up to ``RUN_LONGEST``."""
RUN_LONGEST = 3 * RUN
STARTUP_KILL = 1.5
"""Seconds after the spawn within which a startup kill lands."""
SERIES = [("acme", "lab"), ("globex", "lab")]

FAULTS = [  # (at seconds into the run, fault); each lasts 12 s or more
    (8, {"step": "login", "mode": "error", "status": 503, "accounts": ["acme"],
         "seconds": 15}),
    (30, {"step": "call", "mode": "error", "status": 502, "accounts": ["globex"],
          "seconds": 12}),
    (50, {"step": "call", "mode": "garbage", "accounts": ["acme"], "seconds": 20}),
    (56, {"step": "login", "mode": "error", "status": 500, "accounts": ["globex"],
          "seconds": 14}),
    (85, {"step": "any", "mode": "error", "status": 503, "accounts": ["*"], "seconds": 16}),
]


@pytest.fixture
def labs(tmp_path: Path) -> Iterator[tuple[Path, Path, str]]:
    """Two agent configs (killed, reference) in two folders, one simulator for both."""
    killed, reference = tmp_path / "killed", tmp_path / "reference"
    killed.mkdir()
    reference.mkdir()
    first = write_config(killed, simulator="http://127.0.0.1:1")
    with running(create_app(load_simulator(first))) as sim:
        # min_outage well under the shortest fault (12 s) less the longest absence (a
        # startup kill, then a whole startup: about 7 s on a loaded machine).
        options = {"simulator": sim, "max_gap": "60s", "min_outage": "3s"}
        yield write_config(killed, **options), write_config(reference, **options), sim


def inject(sim: str, start: float, stop: threading.Event) -> None:
    for at, fault in FAULTS:
        if stop.wait(max(0.0, start + at - time.time())):
            return
        httpx.post(f"{sim}/_sim/faults", json=fault, timeout=10).raise_for_status()


def kill_and_check(agent: AgentProcess, database: Path, seen: list[Committed]) -> None:
    """SIGKILL, then read the store from outside: sound, and nothing committed is gone."""
    os.kill(agent.process.pid, signal.SIGKILL)
    agent.process.wait(30)
    agent.stop()
    if not database.exists():
        return  # killed before it created its store
    now = committed(database, SERIES)
    assert now.problems == (), now.problems
    for earlier in seen:
        assert now.lost_from(earlier) == []
    seen.append(now)


def test_kill_9_at_random_moments_loses_nothing_and_changes_no_outage(
        labs: tuple[Path, Path, str]) -> None:
    killed_config, reference_config, sim = labs
    database = killed_config.parent / "agent.db"
    seed = int(time.time())
    rng = random.Random(seed)
    reference = AgentProcess(reference_config)
    reference.wait_url()
    start = time.time()
    stop = threading.Event()
    injector = threading.Thread(target=inject, args=(sim, start, stop), daemon=True)
    injector.start()
    seen: list[Committed] = []
    probing: list[tuple[float, float]] = []  # (probing from, killed at) of each agent
    kills, startup_kill = 0, False
    try:
        while time.time() < start + RUN or (kills < MIN_KILLS and
                                            time.time() < start + RUN_LONGEST):
            agent = AgentProcess(killed_config)
            startup_kill = not startup_kill and rng.random() < 1 / 3
            if startup_kill:  # during startup or migration, or just after on a fast machine
                time.sleep(rng.uniform(0.0, STARTUP_KILL))
                up_since = None  # whether it probed at all is not known
            else:
                up_since = wait_probing(agent)
                time.sleep(rng.uniform(0.2, 1.5))
            kill_and_check(agent, database, seen)
            kills += 1
            if up_since is not None:
                probing.append((up_since, time.time()))
        last = AgentProcess(killed_config)
        up_since = wait_probing(last)
        time.sleep(20)  # the last fault (85 s + 16 s) is over and seen to be over
        for agent in (last, reference):
            agent.process.send_signal(signal.SIGTERM)
            assert agent.process.wait(120) == 0, "".join(agent.log)
        probing.append((up_since, time.time()))
    finally:
        stop.set()
        injector.join(30)
        reference.stop()
    end = time.time()
    last.stop()

    assert kills >= MIN_KILLS, f"only {kills} kills (seed {seed})"
    final = committed(database, SERIES)
    assert final.problems == ()
    for earlier in seen:
        assert final.lost_from(earlier) == [], f"seed {seed}"
    assert not any("Traceback" in line for line in last.log + reference.log)

    ours = outages(killed_config, database, start, end)
    theirs = outages(reference_config, reference_config.parent / "agent.db", start, end)
    assert [(o.account, o.counted) for o in ours] == [(o.account, o.counted) for o in theirs], (
        f"seed {seed}: {ours} != {theirs}")
    assert sum(o.counted for o in theirs) == 6  # acme and globex, three faults each
    away = [(killed, back) for (_, killed), (back, _) in itertools.pairwise(probing)]
    worst = {"while up": 0.0, "while away": 0.0}
    for mine, ref in zip(ours, theirs, strict=True):
        for edge, other in ((mine.start, ref.start), (mine.end, ref.end)):
            allowed = INTERVAL + 2 * LATENESS + slack(other, away)
            assert abs(edge - other) <= allowed, (
                f"seed {seed}: {mine.account} {edge} vs {other} (allowed {allowed:.1f} s)")
            which = "while away" if slack(other, away) else "while up"
            worst[which] = max(worst[which], abs(edge - other))
    record("kill9", {
        "seed": seed, "kills": kills, "run_seconds": round(end - start, 1),
        "killed_in_startup": kills + 1 - len(probing), "outages": len(theirs),
        "counted": sum(o.counted for o in theirs),
        "longest_away_seconds": round(max(b - k for k, b in away), 2),
        "worst_boundary_difference_seconds": {k: round(v, 2) for k, v in worst.items()},
        "committed_pictures_checked": len(seen),
        "failures_stored": len(final.failures), "segments_stored": len(final.segments)})


def wait_probing(agent: AgentProcess, timeout: float = 180) -> float:
    """When the agent was seen to have probed every series (its /metrics): from then on it
    is up. Its "serving" log line comes earlier, and on a loaded machine its first probes
    have come seconds after it."""
    url = agent.wait_url(timeout)
    deadline = time.monotonic() + timeout
    while True:
        try:
            text = httpx.get(f"{url}/metrics", timeout=10).text
        except httpx.TransportError:
            text = ""
        if all(metric(text, "lifesize_probe_runs_total", account=a, region=r) >= 1
               for a, r in SERIES):
            return time.time()
        assert time.monotonic() < deadline, "".join(agent.log)
        time.sleep(0.1)
