"""What the agent counts while it runs, per series, on the event loop.

Counters and histograms live here, mutable and cheap to update after every probe; the
snapshot copies them into frozen values for readers. The R1 ``TimelineBuilder`` of each
series lives here too, resumed from the store at start, so the current down state and
an outage open before a restart carry on.
"""

from __future__ import annotations

import logging
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from types import MappingProxyType

from probe.agent.snapshot import DURATION_BUCKETS, LATENESS_BUCKETS, Histogram, LastProbe
from probe.model import ProbeResult, Seconds
from probe.sla.timeline import OutOfOrder, TimelineBuilder

_log = logging.getLogger(__name__)


class HistogramCounter:
    """A histogram being filled: per-bucket counts, made cumulative on ``frozen()``."""

    __slots__ = ("_buckets", "_count", "_counts", "_sum")

    def __init__(self, buckets: tuple[float, ...]) -> None:
        self._buckets = buckets
        self._counts = [0] * len(buckets)
        self._count, self._sum = 0, 0.0

    def observe(self, value: Seconds) -> None:
        index = bisect_left(self._buckets, value)
        if index < len(self._counts):
            self._counts[index] += 1
        self._count += 1
        self._sum += value

    def frozen(self) -> Histogram:
        cumulative, running = [], 0
        for count in self._counts:
            running += count
            cumulative.append(running)
        return Histogram(
            buckets=self._buckets, counts=tuple(cumulative), count=self._count, sum=self._sum
        )


@dataclass(slots=True)
class SeriesState:
    """One account-region: its counters, its last probe and its R1 builder."""

    account: str
    region: str
    builder: TimelineBuilder
    runs: int = 0
    skipped: int = 0
    failures: Counter[tuple[str, str]] = field(default_factory=Counter)
    durations: dict[str, HistogramCounter] = field(default_factory=dict)
    last: LastProbe | None = None
    last_slot: int | None = None
    version: int = 0
    """Bumped on every change, so an unchanged series is not copied again."""
    behind: bool = False
    """Probes arrive older than the last one (the wall clock moved back): said once."""

    def started(self, slot: int) -> None:
        """A run started in schedule slot ``slot``: any slots jumped over were skipped."""
        if self.last_slot is not None and slot > self.last_slot + 1:
            self.skipped += slot - self.last_slot - 1
            self.version += 1
        self.last_slot = slot

    def record(self, result: ProbeResult) -> None:
        """Count one finished probe and fold it into the timeline."""
        self.version += 1
        self.runs += 1
        if not result.ok:
            self.failures[(result.step or "unknown", result.error or "unknown")] += 1
        for step, seconds in result.durations.items():
            histogram = self.durations.get(step)
            if histogram is None:
                histogram = self.durations[step] = HistogramCounter(DURATION_BUCKETS)
            histogram.observe(seconds)
        durations = MappingProxyType(dict(result.durations))
        self.last = LastProbe(
            ts=result.ts, ok=result.ok, step=result.step, error=result.error, durations=durations
        )
        try:
            self.builder.add(result.ts, result.ok, result.step, result.error)
            self.behind = False
        except OutOfOrder:
            # The wall clock stepped back. The store keeps the probe and the next
            # rebuild places it; the live state skips probes until the clock is past
            # the last one again, and says so once rather than for every probe.
            if not self.behind:
                _log.warning("probe of %s/%s at %.3f is older than the last one; the wall "
                             "clock moved back (the live state waits for the clock to catch "
                             "up; the store keeps every probe)", self.account, self.region,
                             result.ts)
            self.behind = True


@dataclass(slots=True)
class AgentCounters:
    """Agent-wide counters."""

    lateness: HistogramCounter = field(default_factory=lambda: HistogramCounter(LATENESS_BUCKETS))
    store_errors: int = 0
    last_store_error: str | None = None
    store_writable: bool = True
    last_probe_at: float | None = None

    def store_failed(self, error: str) -> bool:
        """Count a store error; true when it is the first since the store last worked
        (the one worth logging)."""
        first = self.store_writable
        self.store_errors += 1
        self.last_store_error = error
        self.store_writable = False
        return first
