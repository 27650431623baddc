"""Building a ``Snapshot``: the SLA engine over the live timelines, off the event loop.

``capture`` runs on the loop and only copies (the builders' ``finish`` and the counters);
``build_snapshot`` runs in a worker thread and does the expensive part: quorum,
maintenance, figures for the month to date and the trailing 30 days, coverage.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from probe.agent.snapshot import (
    DAYS,
    AccountState,
    Histogram,
    LastProbe,
    RegionState,
    Snapshot,
    recent_period,
)
from probe.agent.state import AgentCounters, SeriesState
from probe.model import (
    Instant,
    MaintenanceWindow,
    Period,
    RegionTimeline,
    Seconds,
    SlaPolicy,
    Span,
)
from probe.sla import AccountHistory, histories, month_to_date, trailing, window_figures
from probe.sla.days import DayBars
from probe.sla.maintenance import occurrences
from probe.sla.report import applied_maintenance, coverage_ratio, evidence_gaps
from probe.sla.rules import calendar_days
from probe.sla.spans import clip


@dataclass(frozen=True, slots=True, kw_only=True)
class SeriesCopy:
    """One series' counters and timeline, copied on the loop for the worker thread."""

    timeline: RegionTimeline
    last: LastProbe | None
    runs: int
    skipped: int
    failures: Mapping[tuple[str, str], int]
    durations: Mapping[str, Histogram]


def capture(series: Iterable[SeriesState]) -> list[SeriesCopy]:
    """Copy what a snapshot needs; cheap, and the only part that runs on the loop."""
    return [
        SeriesCopy(
            timeline=s.builder.finish(),
            last=s.last,
            runs=s.runs,
            skipped=s.skipped,
            failures=MappingProxyType(dict(s.failures)),
            durations=MappingProxyType({k: h.frozen() for k, h in s.durations.items()}),
        )
        for s in series
    ]


def build_snapshot(
    copies: Sequence[SeriesCopy],
    counters: AgentCounters,
    *,
    lateness: Histogram,
    policy: SlaPolicy,
    maintenance: Sequence[MaintenanceWindow],
    regions: Mapping[str, Sequence[str]],
    now: Instant,
    version: str,
    interval: Seconds,
    scheduler_running: bool,
    day_bars: DayBars | None = None,
) -> Snapshot:
    """The frozen picture of everything, as of ``now``.

    ``day_bars`` keeps the finished days of each account's bar from one refresh to the
    next (a role passes its own); without it every day is computed.
    """
    periods = _Periods(now, policy.timezone)
    accounts = histories((c.timeline for c in copies), policy,
                         maintenance=maintenance, regions=regions)
    account = functools.partial(_account, periods=periods, policy=policy,
                                maintenance=maintenance, bars=day_bars or DayBars())
    return Snapshot(
        generated_at=now,
        version=version,
        objective=policy.objective,
        regions=tuple(_region(c, periods.windows, periods.recent) for c in copies),
        accounts=tuple(account(h) for h in accounts),
        lateness=lateness,
        store_errors_total=counters.store_errors,
        last_store_error=counters.last_store_error,
        scheduler_running=scheduler_running,
        store_writable=counters.store_writable,
        last_probe_at=counters.last_probe_at,
        interval=interval,
    )


class _Periods:
    """The stretches a snapshot shows, as of ``now``: the metrics' windows (month to date,
    30 days), the days of the bars, and the last hours of the account pages."""

    def __init__(self, now: Instant, timezone: str) -> None:
        self.now = now
        self.windows = (month_to_date(now, timezone), trailing(now, 30))
        self.days = calendar_days(now, timezone, DAYS)
        self.recent = recent_period(now)


def _account(
    history: AccountHistory, *, periods: _Periods, policy: SlaPolicy,
    maintenance: Sequence[MaintenanceWindow], bars: DayBars,
) -> AccountState:
    active = _active(history.account, maintenance, periods.now)
    return AccountState(
        account=history.account,
        figures=MappingProxyType({w.label: window_figures(history, w, policy)
                                  for w in periods.windows}),
        maintenance_active=bool(active),
        active_windows=active,
        down=any(outage.open for outage in history.outages),
        days=bars.figures(history, periods.days, maintenance),
        recent_maintenance=applied_maintenance(history.account, maintenance, periods.recent),
    )


def _region(copy: SeriesCopy, windows: Sequence[Period], recent: Period) -> RegionState:
    timeline = copy.timeline
    stretch = Span(recent.start, recent.end)
    latest = timeline.down[-1] if timeline.down else None
    down = latest is not None and latest.open
    return RegionState(
        account=timeline.account,
        region=timeline.region,
        last=copy.last,
        runs_total=copy.runs,
        skipped_runs_total=copy.skipped,
        failures_total=copy.failures,
        durations=copy.durations,
        down=down,
        down_since=latest.start if down and latest is not None else None,
        coverage=MappingProxyType({w.label: coverage_ratio(timeline.covered, w) for w in windows}),
        recent_down=tuple(inside for d in timeline.down
                          if (inside := clip(Span(d.start, d.end), stretch)) is not None),
        recent_gaps=evidence_gaps(timeline.covered, recent),
    )


def _active(
    account: str, maintenance: Sequence[MaintenanceWindow], now: Instant
) -> tuple[MaintenanceWindow, ...]:
    instant = Span(now, now + 1e-6)
    return tuple(
        w for w in maintenance
        if w.applies_to(account) and any(True for _ in occurrences(w, instant))
    )
