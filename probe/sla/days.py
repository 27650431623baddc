"""What each calendar day held for one account: the cells of the status page's day bar.

The contract judges months, but people judge a service by its days: "was it fine last
Tuesday?". A day's figures are R6 over that day, from the same ``AccountHistory`` as
every other figure, so a day and the month it falls in never disagree: a counted outage
that crosses midnight counts in both days (R5: qualification is decided on the whole
piece, then the piece is split), and a short one is short in both.

All days of an account are computed in one pass over its outages, coverage and
maintenance (each found by bisection), not by building 90 full ``AccountFigures``: at
1,000 accounts the status page's bars must cost milliseconds per refresh.

A day's ``kind`` is the first that applies of:

1. ``counted``: some unavailable time counted under the five-minute rule (R4);
2. ``missing``: coverage under 100 % of the elapsed day, so the day cannot be called
   clear (an agent down, a store unreachable, no probes yet);
3. ``short``: outages, all shorter than ``min_outage`` (not counted);
4. ``maintenance``: a maintenance window covered the account for part of the day (R3);
5. ``clear``: none of these.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from probe.model import MaintenanceWindow, Period, Seconds, Span
from probe.sla.history import AccountHistory
from probe.sla.maintenance import excluded_spans
from probe.sla.rules import availability
from probe.sla.spans import clip, measure

DayKind = Literal["counted", "missing", "short", "maintenance", "clear"]
DAY_KINDS: tuple[DayKind, ...] = ("counted", "missing", "short", "maintenance", "clear")
"""In order of precedence: a day is of the first kind that applies."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DayFigures:
    """One account's calendar day (in ``sla.timezone``)."""

    day: Period
    """Local midnight to local midnight; ``label`` is ``YYYY-MM-DD``."""
    kind: DayKind
    unavailable_seconds: Seconds
    """R4: counted unavailable time inside the day."""
    counted_outages: int
    short_outage_seconds: Seconds
    short_outages: int
    maintenance_seconds: Seconds
    """R3: time of the day a maintenance window covered the account."""
    coverage: float
    """R1/R2: covered share of the elapsed day."""


def day_figures(
    history: AccountHistory,
    days: Sequence[Period],
    maintenance: Sequence[MaintenanceWindow],
) -> tuple[DayFigures, ...]:
    """The figures of each of ``days`` (consecutive, oldest first) for one account."""
    if not days:
        return ()
    reach = Span(days[0].start, days[-1].end)
    outages = _Sorted([Span(o.start, o.end) for o in history.outages])
    coverage = _Sorted(history.coverage)
    covering = _Sorted(excluded_spans(history.account, maintenance, reach))
    return tuple(_day(history, day, outages, coverage, covering) for day in days)


class _Sorted:
    """Disjoint spans in time order, and the run of them that touches a window, found by
    bisection (a long history holds thousands of spans; a day touches a few)."""

    def __init__(self, spans: Sequence[Span]) -> None:
        self.spans = spans
        self._starts = [span.start for span in spans]
        self._ends = [span.end for span in spans]

    def touching(self, window: Span) -> range:
        return range(bisect_right(self._ends, window.start),
                     bisect_left(self._starts, window.end))

    def measure(self, window: Span) -> Seconds:
        return measure((self.spans[i] for i in self.touching(window)), window)


def _day(
    history: AccountHistory, day: Period, outages: _Sorted, coverage: _Sorted, covering: _Sorted
) -> DayFigures:
    elapsed = Span(day.start, day.start + day.elapsed)
    counted: list[Seconds] = []
    short: list[Seconds] = []
    for i in outages.touching(elapsed):
        inside = clip(outages.spans[i], elapsed)
        if inside is not None:
            (counted if history.outages[i].counted else short).append(inside.seconds)
    covered = coverage.measure(elapsed) / day.elapsed if day.elapsed > 0 else 0.0
    maintained = covering.measure(Span(day.start, day.end))
    return DayFigures(
        day=day,
        kind=_kind(counted=bool(counted), short=bool(short), coverage=covered,
                   maintenance=maintained > 0),
        unavailable_seconds=sum(counted),
        counted_outages=len(counted),
        short_outage_seconds=sum(short),
        short_outages=len(short),
        maintenance_seconds=maintained,
        coverage=covered,
    )


def _kind(*, counted: bool, short: bool, coverage: float, maintenance: bool) -> DayKind:
    """The precedence of the module docstring."""
    if counted:
        return "counted"
    if coverage < 1.0:
        return "missing"
    if short:
        return "short"
    return "maintenance" if maintenance else "clear"


def availability_over(days: Sequence[DayFigures]) -> float:
    """R6 over consecutive days (the figure beside the bar): 1 − their counted
    unavailable time / their whole length, today's included, as for a month to date."""
    if not days:
        return 1.0
    span = Period(label=f"{len(days)}d", start=days[0].day.start, end=days[-1].day.end,
                  as_of=days[-1].day.as_of)
    return float(availability(sum(d.unavailable_seconds for d in days), span))
