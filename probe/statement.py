"""The monthly statement that ``report`` and ``claim`` share: one source, one ``Report``.

Both commands must show the same figures for the same month, so the way a report is put
together lives here once: where the probe history comes from (``Source``: a results
file or a store), what was read (``History``: R1 timelines, and from a store also the
maintenance windows declared at run time, which count exactly like the config's, R3),
and the statement itself: maintenance from the config plus the store's, each account's
own time zone, and every region's down intervals for the timeline drawing.
"""

from __future__ import annotations

import sys
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from probe.config import Settings
from probe.model import MaintenanceWindow, Period, RegionTimeline, SlaPolicy
from probe.results_file import Progress, read_timelines
from probe.sla import build_report, histories
from probe.sla.report import Report
from probe.store import Store, open_store


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    """Where the probe history comes from: exactly one of a results file or a store URL."""

    results: str | None = None
    database: str | None = None


def read_history(
    source: Source, settings: Settings, accounts: Collection[str],
    progress: Progress | None = None,
) -> History:
    """The timelines (and stored maintenance) of ``accounts`` (all when empty)."""
    policy = settings.policy()
    if source.results is not None:
        return from_results_file(source.results, policy, accounts, progress)
    assert source.database is not None, "a source names a results file or a database"
    return from_store(source.database, policy, accounts)



@dataclass(frozen=True, slots=True, kw_only=True)
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
    return History(timelines=timelines)


def from_store(url: str, policy: SlaPolicy, accounts: Collection[str]) -> History:
    """Read-only: a missing database file is an error, not an empty history."""
    store = open_store(url, interval=policy.max_gap / 2, max_gap=policy.max_gap, create=False)
    try:
        return read_store(store, policy, accounts)
    finally:
        store.close()


def read_store(store: Store, policy: SlaPolicy, accounts: Collection[str]) -> History:
    """The timelines of ``accounts`` (all when empty) and every stored window (R3)."""
    timelines = store.timelines(max_gap=policy.max_gap, accounts=accounts or None)
    return History(timelines=timelines, windows=tuple(w.to_window() for w in store.windows()))


def statement(
    history: History, settings: Settings, period: Period, accounts: Collection[str] = ()
) -> Report:
    """R1–R6 for ``period``, with what the HTML statement and the claim show beside them."""
    (report,) = statements(history, settings, [period], accounts)
    return report


def statements(
    history: History, settings: Settings, periods: Sequence[Period],
    accounts: Collection[str] = (),
) -> list[Report]:
    """``statement`` for each of ``periods``, the accounts' histories (R2–R4 over all
    their data) worked out once for all of them."""
    policy = settings.policy()
    regions = settings.account_regions()
    if accounts:
        regions = {name: r for name, r in regions.items() if name in accounts}
    windows = (*settings.maintenance_windows(), *history.windows)
    found = histories(history.timelines, policy, maintenance=windows, regions=regions)
    zones = {a.name: a.timezone for a in settings.accounts if a.timezone}
    return [build_report(found, period, policy, maintenance=windows, timezones=zones,
                         timelines=history.timelines) for period in periods]
