"""The workload: a generated config, probes without the agent, the refresh in-process.

``write_config`` writes one config that drives both the agent and the simulator: N
accounts with one user each, password files under ``secrets/``. ``direct_probe_cpu``
runs the same lifesize flow without the agent (no scheduler, store or snapshot) to
price one probe; ``refresh_cost`` times capture → build → render on a synthetic state
of N series, since the agent does that inside worker threads nobody can see from out.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import anyio

from probe.agent.exporter import render as render_exposition
from probe.agent.refresh import build_snapshot, capture
from probe.agent.state import AgentCounters, SeriesState
from probe.config import Account, Settings, User
from probe.credentials import Secrets
from probe.flows import LifesizeFlow
from probe.model import ProbeResult
from probe.sla.timeline import TimelineBuilder

REGION = "bench"
INTERVAL = 60.0


def account_name(index: int) -> str:
    return f"acct-{index:05d}"


def write_config(folder: Path, *, series: int, sim_port: int, agent_port: int) -> Path:
    """The config of ``series`` accounts (one user each) in ``folder``; its path."""
    secrets = folder / "secrets"
    secrets.mkdir()
    (secrets / "api-key").write_text("bench-api-key\n")
    sim = f"http://127.0.0.1:{sim_port}"
    lines = [
        "agent:",
        f"  region: {REGION}",
        f"  listen: 127.0.0.1:{agent_port}",
        f"  database: sqlite:///{folder / 'bench.db'}",
        f"  interval: {INTERVAL:g}s",
        "target:",
        "  flow: lifesize",
        "  timeout: 20s",
        "  step_timeout: 10s",
        f"  hosts: {{login: {sim}, meeting: {sim}, call: {sim}}}",
        "  api_key_file: secrets/api-key",
        "  lifesize: {poll: {every: 250ms}}",
        "accounts:",
    ]
    for index in range(series):
        name = account_name(index)
        (secrets / name).write_text(f"pw-{index}\n")
        lines.append(f"  - {{name: {name}, regions: [{REGION}], users: [{{username: "
                     f"user-{index:05d}@bench.example, password_file: secrets/{name}}}]}}")
    path = folder / "bench.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def direct_probe_cpu(settings: Settings, base_dir: Path, *, probes: int,
                     concurrency: int) -> float:
    """CPU seconds of this process per probe of the lifesize flow, without the agent."""
    flow = LifesizeFlow(settings.target, region=REGION, secrets=Secrets(base_dir=base_dir))
    users = [(a, u) for a in settings.accounts[:probes] for u in a.users]
    anyio.run(_drive, flow, users, min(probes, 20), concurrency)  # imports, caches
    began = time.process_time()
    anyio.run(_drive, flow, users, probes, concurrency)
    return (time.process_time() - began) / probes


async def _drive(flow: LifesizeFlow, users: list[tuple[Account, User]], probes: int,
                 concurrency: int) -> None:
    numbers = iter(range(probes))

    async def worker() -> None:
        for number in numbers:
            account, user = users[number % len(users)]
            result = await flow.run(account, user)
            if not result.ok:
                raise RuntimeError(f"direct probe failed: {result.step} {result.error}")

    async with anyio.create_task_group() as tasks:
        for _ in range(concurrency):
            tasks.start_soon(worker)


@dataclass(frozen=True, slots=True)
class RefreshCost:
    """CPU seconds of one snapshot refresh, by part, and the exposition's size."""

    capture: float
    build: float
    render: float
    exposition_bytes: int

    @property
    def total(self) -> float:
        return self.capture + self.build + self.render


def synthetic_states(series: int, *, history: int, now: float) -> list[SeriesState]:
    """``series`` states with ``history`` probes each, a short outage in every tenth."""
    states = []
    for index in range(series):
        name = account_name(index)
        state = SeriesState(name, REGION, TimelineBuilder(name, REGION, max_gap=300.0))
        start = now - INTERVAL * history + INTERVAL * index / series
        for k in range(history):
            failed = index % 10 == 0 and k in (history // 2, history // 2 + 1)
            state.record(ProbeResult(
                ts=start + INTERVAL * k, account=name, region=REGION, ok=not failed,
                step="call" if failed else None, error="http_503" if failed else None,
                durations={"login": 0.012, "call": 0.02, "total": 0.032}))
        states.append(state)
    return states


def refresh_cost(settings: Settings, states: list[SeriesState], *, now: float) -> RefreshCost:
    """One refresh as ``Agent.refresh`` does it, timed part by part (CPU of this thread)."""
    counters = AgentCounters()
    began = time.thread_time()
    copies = capture(states)
    captured = time.thread_time()
    snapshot = build_snapshot(
        copies, counters, lateness=counters.lateness.frozen(), policy=settings.policy(),
        maintenance=settings.maintenance_windows(), regions=settings.account_regions(),
        now=now, version="bench", interval=INTERVAL, scheduler_running=True)
    built = time.thread_time()
    exposition = render_exposition(snapshot)
    rendered = time.thread_time()
    return RefreshCost(captured - began, built - captured, rendered - built, len(exposition))
