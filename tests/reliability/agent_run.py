"""Helpers for tests that run agents as real processes: stores read from outside, outages.

A store is read with its own connection while the agent writes (SQLite in WAL mode
lets a reader in); what a reader sees is what was committed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from probe.config import load_config
from probe.model import Outage, Seconds
from probe.sla import histories
from probe.statement import from_store
from probe.store import open_store


@dataclass(frozen=True, slots=True)
class Committed:
    """What a store holds: segments ``(account, region, first, last, ok)`` and failures
    ``(account, region, ts, step, error)``."""

    segments: frozenset[tuple[str, str, float, float, bool]]
    failures: frozenset[tuple[str, str, float, str | None, str | None]]
    problems: tuple[str, ...]

    def lost_from(self, earlier: Committed) -> list[str]:
        """What ``earlier`` holds that this later picture does not: empty when nothing was
        lost. A segment may have grown since, so it is looked for inside a later one."""
        lost = [f"failure {f}" for f in earlier.failures - self.failures]
        for account, region, first, last, ok in earlier.segments - self.segments:
            if not any(a == account and r == region and o == ok and f <= first and last <= t
                       for a, r, f, t, o in self.segments):
                lost.append(f"segment {(account, region, first, last, ok)}")
        return lost


def committed(database: Path, series: Iterable[tuple[str, str]]) -> Committed:
    """Everything committed in ``database``, and its integrity check."""
    store = open_store(f"sqlite:///{database}", interval=1, max_gap=60, create=False)
    try:
        segments = frozenset(
            (account, region, s.first_ts, s.last_ts, s.ok)
            for account, region in series for s in store.segments(account, region))
        failures = frozenset((r.account, r.region, r.ts, r.step, r.error)
                             for r in store.results() if not r.ok)
        return Committed(segments, failures, tuple(store.integrity_check()))
    finally:
        store.close()


def outages(config: Path, database: Path, since: float, until: float) -> list[Outage]:
    """The account-level outages (R1–R4) that overlap ``[since, until]``, by account."""
    policy = load_config(config).policy()
    history = from_store(f"sqlite:///{database}", policy, ())
    found = histories(history.timelines, policy, maintenance=history.windows)
    return sorted((o for h in found for o in h.outages if o.end >= since and o.start <= until),
                  key=lambda o: (o.account, o.start))


def slack(instant: float, gaps: Iterable[tuple[float, float]]) -> Seconds:
    """How long the agent was away (killed, restarting) around ``instant``: 0 if it was up."""
    return max((end - start for start, end in gaps if start - 1 <= instant <= end + 1),
               default=0.0)


ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "reliability"


def record(name: str, figures: dict[str, Any]) -> None:
    """Keep a test's figures (``artifacts/reliability/NAME.json``, git-ignored) for
    docs/reliability.md."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{name}.json").write_text(json.dumps(figures, indent=2) + "\n")
