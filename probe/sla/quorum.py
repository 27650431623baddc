"""R2: the account timeline, where regions vote on whether the account is down."""

from __future__ import annotations

from collections.abc import Sequence

from probe.model import RegionTimeline, Span
from probe.sla.spans import at_least


def quorum_size(rule: str | int, regions: int) -> int:
    """R2: how many of ``regions`` must be down for the account to be down.

    ``any`` → 1, ``all`` → N, ``majority`` → floor(N/2)+1, an integer k → min(k, N).
    """
    if isinstance(rule, int):
        if rule < 1:
            raise ValueError(f"quorum must be at least 1, got {rule}")
        return min(rule, regions)
    sizes = {"any": 1, "all": regions, "majority": regions // 2 + 1}
    if rule not in sizes:
        raise ValueError(f"quorum must be any, all, majority or a number, got {rule!r}")
    return sizes[rule]


def account_down(timelines: Sequence[RegionTimeline], regions: int, rule: str | int) -> list[Span]:
    """R2: the spans during which at least Q of the account's N regions are down.

    ``regions`` is N: regions configured for the account or with results for it; a
    region with no timeline counts towards N but is never down.
    """
    layers = [[Span(d.start, d.end) for d in t.down] for t in timelines]
    return at_least(layers, quorum_size(rule, regions))


def account_coverage(
    timelines: Sequence[RegionTimeline], regions: int, rule: str | int
) -> list[Span]:
    """Where a quorum of regions was watching, so an account outage could be seen.

    Coverage of an account is the time during which at least Q regions were covered
    (R1): with fewer, the account could not have been found down whatever happened.
    """
    return at_least([list(t.covered) for t in timelines], quorum_size(rule, regions))
