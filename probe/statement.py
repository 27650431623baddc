"""The monthly statement that ``report`` and ``claim`` share: one source, one ``Report``.

Both commands must show the same figures for the same month, so the way a report is put
together lives here once: timelines from a results file or a store, maintenance from the
config plus the windows the store keeps (the agent's API and importers, R3), each
account's own time zone, and every region's down intervals for the timeline drawing.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from probe.config import Settings
from probe.model import Window
from probe.results_file import Progress
from probe.sla import build_report, histories
from probe.sla.report import Report
from probe.sources import History, from_results_file, from_store


@dataclass(frozen=True, slots=True)
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


def statement(
    history: History, settings: Settings, window: Window, accounts: Collection[str] = ()
) -> Report:
    """R1–R6 for ``window``, with what the HTML statement and the claim show beside them."""
    policy = settings.policy()
    regions = settings.account_regions()
    if accounts:
        regions = {name: r for name, r in regions.items() if name in accounts}
    windows = (*settings.maintenance_windows(), *history.windows)
    found = histories(history.timelines, policy, maintenance=windows, regions=regions)
    zones = {a.name: a.timezone for a in settings.accounts if a.timezone}
    return build_report(found, window, policy, maintenance=windows, timezones=zones,
                        timelines=history.timelines)
