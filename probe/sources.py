"""Where ``report`` (and later ``claim``) read probe history from: a results file or a store.

Both give R1 timelines; a store also holds the maintenance windows declared at run
time (its API), which count exactly like those in the config (R3).
"""

from __future__ import annotations

import sys
from collections.abc import Collection
from dataclasses import dataclass

from probe.model import MaintenanceWindow, RegionTimeline, SlaPolicy
from probe.results_file import Progress, read_timelines
from probe.store import open_store


@dataclass(frozen=True, slots=True)
class History:
    """Timelines to report on, with the maintenance windows that came with them."""

    timelines: list[RegionTimeline]
    windows: tuple[MaintenanceWindow, ...] = ()


def from_results_file(
    path: str, policy: SlaPolicy, accounts: Collection[str], progress: Progress | None = None
) -> History:
    timelines, stats = read_timelines(
        path, max_gap=policy.max_gap, accounts=accounts, progress=progress
    )
    if stats.sorted_fallback:
        print(f"note: {path} is not in time order per account and region; it was sorted "
              "in memory", file=sys.stderr)
    return History(timelines)


def from_store(url: str, policy: SlaPolicy, accounts: Collection[str]) -> History:
    """Read-only: a missing database file is an error, not an empty history."""
    store = open_store(url, interval=policy.max_gap / 2, max_gap=policy.max_gap, create=False)
    try:
        timelines = store.timelines(max_gap=policy.max_gap, accounts=accounts or None)
        windows = tuple(w.to_window() for w in store.windows())
    finally:
        store.close()
    return History(timelines, windows)
