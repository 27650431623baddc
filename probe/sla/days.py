"""What each calendar day held for one account: the cells of the status page's day bar.

The contract judges months, but people judge a service by its days: "was it fine last
Tuesday?". A day's figures are R6 over that day, from the same ``AccountHistory`` as
every other figure, so a day and the month it falls in never disagree: a counted outage
that crosses midnight counts in both days (R5: qualification is decided on the whole
piece, then the piece is split), and a short one is short in both.

All days of an account are computed in one pass over its outages, coverage and
maintenance (each found by bisection), not by building 90 full ``AccountFigures``; and
``DayBars`` keeps the finished days of each account for as long as what they were
computed from is unchanged, so that a refresh computes only today for most accounts.

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
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Literal

from probe.model import MaintenanceWindow, Period, Seconds, Span
from probe.sla.history import AccountHistory
from probe.sla.maintenance import excluded_spans
from probe.sla.rules import availability
from probe.sla.spans import clip

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

    def touching(self, start: float, end: float) -> range:
        """The indexes of the spans that reach into ``[start, end)``."""
        return range(bisect_right(self._ends, start), bisect_left(self._starts, end))

    def measure(self, start: float, end: float) -> Seconds:
        """Time of ``[start, end)`` inside these spans (plain arithmetic: this runs 90
        times per account per refresh)."""
        total = 0.0
        for i in self.touching(start, end):
            total += max(0.0, min(end, self._ends[i]) - max(start, self._starts[i]))
        return total


def _day(
    history: AccountHistory, day: Period, outages: _Sorted, coverage: _Sorted, covering: _Sorted
) -> DayFigures:
    length = day.elapsed
    elapsed = Span(day.start, day.start + length)
    counted: list[Seconds] = []
    short: list[Seconds] = []
    for i in outages.touching(elapsed.start, elapsed.end):
        inside = clip(outages.spans[i], elapsed)
        if inside is not None:
            (counted if history.outages[i].counted else short).append(inside.seconds)
    covered = coverage.measure(elapsed.start, elapsed.end) / length if length > 0 else 0.0
    maintained = covering.measure(day.start, day.end)
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


class DayBars:
    """``day_figures``, with each account's finished days kept between calls.

    A finished day changes only when the evidence or maintenance inside it does (late
    results, a window declared afterwards), so the days before today are kept under a
    key made of exactly that: their boundaries, the outages and covered spans that touch
    them, and the maintenance windows. Any change to those computes them again; today is
    always computed. Memoisation only: the figures are those of ``day_figures``.
    """

    def __init__(self) -> None:
        self._kept: dict[str, tuple[Hashable, tuple[DayFigures, ...]]] = {}

    def figures(
        self, history: AccountHistory, days: Sequence[Period],
        maintenance: Sequence[MaintenanceWindow],
    ) -> tuple[DayFigures, ...]:
        if len(days) < 2:
            return day_figures(history, days, maintenance)
        finished, today = days[:-1], days[-1:]
        key = _inputs(history, Span(finished[0].start, finished[-1].end), maintenance)
        kept = self._kept.get(history.account)
        if kept is None or kept[0] != key:
            kept = self._kept[history.account] = (
                key, day_figures(history, finished, maintenance))
        return kept[1] + day_figures(history, today, maintenance)


def _inputs(
    history: AccountHistory, reach: Span, maintenance: Sequence[MaintenanceWindow]
) -> Hashable:
    """Everything the figures of the days in ``reach`` are computed from."""
    outages = tuple((o.start, o.end, o.counted) for o in history.outages
                    if o.end >= reach.start and o.start < reach.end)
    covered = tuple(c for c in history.coverage if c.end >= reach.start and c.start < reach.end)
    return (reach, outages, covered, tuple(maintenance))


def availability_over(days: Sequence[DayFigures]) -> float:
    """R6 over consecutive days (the figure beside the bar): 1 − their counted
    unavailable time / their whole length, today's included, as for a month to date."""
    if not days:
        return 1.0
    span = Period(label=f"{len(days)}d", start=days[0].day.start, end=days[-1].day.end,
                  as_of=days[-1].day.as_of)
    return float(availability(sum(d.unavailable_seconds for d in days), span))
