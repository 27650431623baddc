"""From region timelines to an account's outages: R2, R3 and R4 over all the data.

Qualification (R4) is decided here, on whole pieces, before any window is cut out of
the history (R5): the monthly figures of one history always add up to the figures of
the whole period.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from probe.model import (
    DownInterval,
    Failure,
    Instant,
    MaintenanceWindow,
    Outage,
    RegionTimeline,
    SlaPolicy,
    Span,
)
from probe.sla.maintenance import excluded_spans, remove_maintenance
from probe.sla.quorum import account_coverage, account_down
from probe.sla.rules import qualifies


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountHistory:
    """Everything the figures of any window need about one account."""

    account: str
    regions: tuple[str, ...]
    down: tuple[Span, ...]
    """R2: account-level down time, before maintenance and the five-minute rule."""
    outages: tuple[Outage, ...]
    """R3 + R4: the pieces left after maintenance, each counted or not."""
    coverage: tuple[Span, ...]
    ignored: Mapping[str, Sequence[Instant]]


def account_history(
    account: str,
    timelines: Sequence[RegionTimeline],
    *,
    regions: Sequence[str],
    policy: SlaPolicy,
    maintenance: Sequence[MaintenanceWindow] = (),
) -> AccountHistory:
    """R2–R4 for one account over all of its data.

    ``regions`` are the account's configured regions; regions with results count too.
    """
    names = tuple(sorted({*regions, *(t.region for t in timelines)}))
    down = account_down(timelines, len(names), policy.quorum)
    reach = Span(down[0].start, down[-1].end) if down else Span(0.0, 0.0)
    excluded = excluded_spans(account, maintenance, reach) if down else []
    locator = _FailureLocator(timelines)
    outages = tuple(
        locator.outage(account, piece, policy.min_outage)
        for piece in remove_maintenance(down, excluded)
    )
    return AccountHistory(
        account=account,
        regions=names,
        down=tuple(down),
        outages=outages,
        coverage=tuple(account_coverage(timelines, len(names), policy.quorum)),
        ignored=_merge_ignored(timelines),
    )


class _FailureLocator:
    """Finds the region intervals and failed probes behind a piece of account down time."""

    def __init__(self, timelines: Sequence[RegionTimeline]) -> None:
        self._regions = [
            (t.region, list(t.down), [d.start for d in t.down], [d.end for d in t.down])
            for t in timelines
        ]

    def outage(self, account: str, piece: Span, min_outage: float) -> Outage:
        regions: list[str] = []
        failures: list[Failure] = []
        is_open = False
        for region, intervals, starts, ends in self._regions:
            lo, hi = bisect_right(ends, piece.start), bisect_left(starts, piece.end)
            hits = [d for d in intervals[lo:hi] if d.end > d.start]
            if not hits:
                continue
            regions.append(region)
            is_open = is_open or any(d.open and d.end == piece.end for d in hits)
            failures.extend(f for d in hits for f in _failures_in(d, piece))
        return Outage(
            account=account,
            start=piece.start,
            end=piece.end,
            open=is_open,
            counted=qualifies(piece, min_outage),
            regions=tuple(sorted(regions)),
            failures=tuple(sorted(failures, key=lambda f: (f.ts, f.region))),
        )


def _failures_in(interval: DownInterval, piece: Span) -> Sequence[Failure]:
    """Failed probes inside ``piece``; its end is included only where it is still open."""
    found = interval.failures
    lo = bisect_left(found, piece.start, key=lambda f: f.ts)
    if interval.open and interval.end == piece.end:
        hi = bisect_right(found, piece.end, key=lambda f: f.ts)
    else:
        hi = bisect_left(found, piece.end, key=lambda f: f.ts)
    return found[lo:hi]


def _merge_ignored(timelines: Sequence[RegionTimeline]) -> Mapping[str, Sequence[Instant]]:
    merged: dict[str, list[Instant]] = {}
    for timeline in timelines:
        for error, stamps in timeline.ignored.items():
            merged.setdefault(error, []).extend(stamps)
    return MappingProxyType({error: sorted(stamps) for error, stamps in merged.items()})
