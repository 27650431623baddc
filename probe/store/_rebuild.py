"""From stored rows back to R1: builders to resume, and probes to export.

Shared by every backend: a backend reads one series' segments, failures and ignored
failures in time order and hands them here. ``StoredSeries`` is the reading half of a
``Store`` written once on that: a backend only says how it reads series
(``_each_series``).
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Iterable, Iterator, Sequence

from probe.model import Instant, ProbeResult, RegionTimeline, Seconds
from probe.sla.timeline import TimelineBuilder
from probe.store._runs import grid
from probe.store.base import Segment, SeriesRows, StoreError


def fold(
    account: str,
    region: str,
    segments: Sequence[Segment],
    failures: Iterable[ProbeResult],
    ignored: Iterable[ProbeResult],
    *,
    max_gap: Seconds,
) -> TimelineBuilder:
    """R1 of one series from its stored rows, as the builder an agent carries on with.

    Exact when every ok segment's ``max_step`` is at most ``max_gap``: then no evidence
    gap hides inside a segment. ``StoreError`` when one is not (the segments were
    written for a larger ``max_gap`` than the one asked for).
    """
    builder = TimelineBuilder(account, region, max_gap=max_gap)
    pending = iter(failures)
    for segment in segments:
        if segment.ok:
            _check_step(account, region, segment, max_gap)
            builder.add_run(segment.first_ts, segment.last_ts, segment.probes)
            continue
        for failure in _take(pending, segment):
            builder.add(failure.ts, False, failure.step, failure.error)
    for result in ignored:
        builder.add(result.ts, False, result.step, result.error)
    return builder


def expand(
    account: str,
    region: str,
    segments: Sequence[Segment],
    failures: Iterable[ProbeResult],
    ignored: Iterable[ProbeResult],
) -> Iterator[ProbeResult]:
    """The stored probes of one series in time order, for export.

    Failures come back exactly as written. An ok segment comes back as its ``probes``
    successes evenly spaced from its first to its last (the instants in between were
    not kept, nor their durations): the first and last are exact, the count is exact
    and no two are further apart than the segment's ``max_step``, so R1 over the
    exported probes (down intervals, coverage, probe count) equals R1 over the stored.
    """
    pending = iter(failures)

    def evidence() -> Iterator[ProbeResult]:
        for segment in segments:
            if not segment.ok:
                yield from _take(pending, segment)
                continue
            for ts in grid(segment):
                yield ProbeResult(ts=ts, account=account, region=region, ok=True)

    return heapq.merge(evidence(), ignored, key=lambda r: r.ts)


def _take(pending: Iterator[ProbeResult], segment: Segment) -> list[ProbeResult]:
    """The failures of a failed segment, checked against its count."""
    taken = [next(pending, None) for _ in range(segment.probes)]
    found = [f for f in taken if f is not None and segment.contains(f.ts)]
    if len(found) != segment.probes:
        raise StoreError(
            f"damaged store: failed segment from {segment.first_ts} has {segment.probes} "
            f"probes but {len(found)} failures were found in it (run integrity_check)"
        )
    return found


def _check_step(account: str, region: str, segment: Segment, max_gap: Seconds) -> None:
    if segment.max_step > max_gap:
        raise StoreError(
            f"{account}/{region}: probes stored {segment.max_step:g}s apart inside one "
            f"segment, more than max_gap {max_gap:g}s; R1 cannot be rebuilt exactly "
            f"with this max_gap (use at least {segment.max_step:g}s)"
        )


class StoredSeries:
    """``builders``, ``timelines``, ``segments``, ``results`` and ``dump`` of a store,
    from the one read each backend implements."""

    def _each_series(
        self, accounts: Collection[str] | None, *, durations: bool
    ) -> Iterator[SeriesRows]:
        """The rows of each series wanted (all when ``accounts`` is ``None``), by account
        and region; ``durations`` decodes the failures' timings."""
        raise NotImplementedError

    def builders(
        self, *, max_gap: Seconds, accounts: Collection[str] | None = None
    ) -> dict[tuple[str, str], TimelineBuilder]:
        return {
            (s.account, s.region): fold(
                s.account, s.region, s.segments, s.failures, s.ignored, max_gap=max_gap
            )
            for s in self._each_series(accounts, durations=False)
        }

    def timelines(
        self, *, max_gap: Seconds, accounts: Collection[str] | None = None
    ) -> list[RegionTimeline]:
        built = self.builders(max_gap=max_gap, accounts=accounts)
        return [builder.finish() for builder in built.values()]

    def segments(self, account: str, region: str) -> list[Segment]:
        found = list(self._each_series([account], durations=False))
        return next((s.segments for s in found if s.region == region), [])

    def results(
        self, *, since: Instant | None = None, until: Instant | None = None
    ) -> Iterator[ProbeResult]:
        """Stored probes, series by series (``expand`` says how ok segments come back)."""
        low = float("-inf") if since is None else since
        high = float("inf") if until is None else until
        for s in self._each_series(None, durations=True):
            for probe in expand(s.account, s.region, s.segments, s.failures, s.ignored):
                if low <= probe.ts < high:
                    yield probe

    def dump(self) -> Iterator[SeriesRows]:
        return self._each_series(None, durations=True)
