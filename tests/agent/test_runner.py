"""The agent's core without the network: scheduling arithmetic, recording, store trouble."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence
from pathlib import Path

import pytest

from probe.agent.probing_role import CAPTURE_BATCH, Agent, probed_accounts
from probe.agent.scheduler import jitter_delay, lateness, offsets, slot
from probe.agent.state import SeriesState
from probe.config import Account, Settings, User
from probe.model import ProbeResult
from probe.sla.timeline import TimelineBuilder
from probe.store import StoreError, open_store
from probe.store.base import Store

pytestmark = pytest.mark.anyio


def test_offsets_spread_evenly() -> None:
    assert offsets(4, 60) == [0, 15, 30, 45]
    assert offsets(0, 60) == []


def test_lateness_is_measured_against_the_exact_period() -> None:
    anchor = 1000.0
    assert lateness(anchor + 15 + 60 * 7 + 0.25, anchor, 15, 60) == pytest.approx(0.25)
    assert lateness(anchor + 15, anchor, 15, 60) == 0


def test_a_run_a_hair_early_is_on_time() -> None:
    """The wall clock stepped back 10 ms: not 59.99 s late."""
    assert lateness(1000.0 + 60 * 3 - 0.01, 1000.0, 0, 60) == 0


def test_slots_count_runs_that_never_started() -> None:
    anchor, offset, interval = 1000.0, 5.0, 60.0
    assert [slot(anchor + offset + t, anchor, offset, interval)
            for t in (0, 0.3, 59.9, 60.2, 185)] == [0, 0, 1, 1, 3]
    state = SeriesState("acme", "eu", TimelineBuilder("acme", "eu", max_gap=300))
    for number in (0, 1, 4, 5, 9):
        state.started(number)
    assert state.skipped == 2 + 3


def test_jitter_stays_within_its_bound() -> None:
    rng = random.Random(1)
    draws = [jitter_delay(2.0, rng) for _ in range(1000)]
    assert 0 <= min(draws) < 0.1
    assert 1.9 < max(draws) <= 2.0
    assert jitter_delay(0, rng) == 0


def settings(tmp_path: Path, region: str = "eu") -> Settings:
    user = User(username="u@example", password_env="X")
    return Settings.model_validate({
        "agent": {"region": region, "database": f"sqlite:///{tmp_path / 'a.db'}",
                  "interval": "10s"},
        "accounts": [
            Account(name="acme", regions=("eu", "us"), users=(user,)),
            Account(name="globex", regions=("us",), users=(user,)),
            Account(name="initech", users=(user,)),
            Account(name="nobody", regions=("eu",)),
        ],
    })


def test_an_agent_probes_accounts_of_its_region_with_users(tmp_path: Path) -> None:
    names = [a.name for a in probed_accounts(settings(tmp_path))]
    assert names == ["acme", "initech"]


class ScriptedFlow:
    """Answers from a list of outcomes: ``None`` succeeds, a string is the error."""

    def __init__(self, outcomes: Sequence[str | None], start: float) -> None:
        self.outcomes, self.now = list(outcomes), start

    async def run(self, account: Account, user: User) -> ProbeResult:
        error = self.outcomes.pop(0)
        self.now += 10
        return ProbeResult(ts=self.now, account=account.name, region="eu", ok=error is None,
                           step=None if error is None else "login", error=error,
                           durations={"login": 0.2, "total": 0.3})


class BrokenStore:
    """A store whose writes fail until ``healed``; delegates everything else."""

    def __init__(self, inner: Store) -> None:
        self.inner, self.healed, self.writes = inner, False, 0

    def write(self, results: Sequence[ProbeResult]) -> None:
        self.writes += 1
        if not self.healed:
            raise StoreError("database or disk is full: /tmp/a.db")
        self.inner.write(results)

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


async def test_store_trouble_is_counted_reported_and_recovered(tmp_path: Path) -> None:
    config = settings(tmp_path)
    real = open_store(config.agent.database, interval=10, max_gap=300)
    store = BrokenStore(real)
    flow = ScriptedFlow(["http_503"] * 3 + [None] * 3, start=1_790_000_000.0)
    agent = Agent(settings=config, store=store, flow=flow, clock=lambda: flow.now)
    await agent.resume()
    acme = agent.series["acme/eu"]
    for _ in range(3):
        agent.record(acme, await flow.run(acme.account, acme.account.users[0]))
    assert not await agent.flush()
    await agent.refresh()
    ready, reason = agent.snapshot.ready(flow.now)
    assert not ready
    assert reason == "store not writable: database or disk is full: /tmp/a.db"
    assert agent.snapshot.store_errors_total == 1
    assert b"lifesize_probe_store_errors_total 1.0" in agent.snapshot.plain_exposition()

    store.healed = True
    for _ in range(3):
        agent.record(acme, await flow.run(acme.account, acme.account.users[0]))
    assert await agent.flush()
    await agent.refresh()
    assert agent.snapshot.store_writable
    stored = real.timelines(max_gap=300)
    (timeline,) = [t for t in stored if t.account == "acme"]
    assert timeline.probes == 6
    assert [(d.start, d.end) for d in timeline.down] == [
        (1_790_000_010.0, 1_790_000_040.0)
    ]
    real.close()


async def test_a_restarted_agent_resumes_the_open_outage(tmp_path: Path) -> None:
    config = settings(tmp_path)
    store = open_store(config.agent.database, interval=10, max_gap=300)
    flow = ScriptedFlow(["http_503"] * 2, start=1_790_000_000.0)
    first = Agent(settings=config, store=store, flow=flow, clock=lambda: flow.now)
    await first.resume()
    acme = first.series["acme/eu"]
    for _ in range(2):
        first.record(acme, await flow.run(acme.account, acme.account.users[0]))
    assert await first.flush()

    second = Agent(settings=config, store=store, flow=flow, clock=lambda: flow.now)
    await second.resume()
    await second.refresh()
    (region,) = [r for r in second.snapshot.regions if r.account == "acme"]
    assert region.down
    assert region.down_since == 1_790_000_010.0
    store.close()


async def test_a_refresh_lets_the_loop_run_while_it_copies_many_series(tmp_path: Path) -> None:
    """Series are copied ``CAPTURE_BATCH`` at a time; other tasks run in between, and
    only changed series are copied again."""
    user = User(username="u@example", password_env="X")
    count = 3 * CAPTURE_BATCH + 1
    config = Settings.model_validate({
        "agent": {"region": "eu", "database": "sqlite://:memory:", "interval": "60s"},
        "accounts": [Account(name=f"a{i:04d}", users=(user,)) for i in range(count)],
    })
    store = open_store(config.agent.database, interval=60, max_gap=300)
    agent = Agent(settings=config, store=store, flow=ScriptedFlow([], start=0), clock=lambda: 1e9)
    await agent.resume()
    for series in agent.series.values():
        agent.record(
            series, ProbeResult(ts=1e9, account=series.state.account, region="eu", ok=True)
        )
    turns = 0

    async def other_task() -> None:
        nonlocal turns
        while True:
            turns += 1
            await asyncio.sleep(0)

    ticker = asyncio.create_task(other_task())
    await asyncio.sleep(0)
    before = turns
    first = await agent._capture()
    during = turns - before
    again = await agent._capture()
    ticker.cancel()
    store.close()
    assert len(first) == count
    assert during >= 3
    assert all(a is b for a, b in zip(first, again, strict=True))
