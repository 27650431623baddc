"""Placing one probe among a series' segments: the store's write rule, with no I/O.

Backends load the few segments around a probe, call ``place`` and write back what
changed, so SQLite and PostgreSQL share one rule. In time order (what agents do) a
probe only ever extends the last segment or starts a new one. A late probe is placed
where it belongs: a success inside a failed segment splits it (every failure is kept,
so the split is exact), and probes in gaps join or bridge their neighbours.

One case cannot be exact, because an ok segment does not keep the times of the
successes inside it: the store reads an ok segment as ``probes`` successes evenly
spaced from ``first_ts`` to ``last_ts`` (which is exact for an agent's fixed
interval), and a late probe inside one is placed on that grid:

* a success there is taken as one already counted (a re-sent probe and a new one look
  the same, and idempotency wins);
* a failure there replaces the success at its exact instant when one is on the grid
  (always true at ``first_ts`` and ``last_ts``, so a duplicate of the latest probe that
  failed is exact), and otherwise is inserted between the two grid successes around it.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from probe.model import Instant, Seconds
from probe.store.base import Segment

_ON_GRID = 1e-9
"""How close to a whole number a grid position must be to be that grid point."""


def place(
    around: Sequence[Segment],
    ts: Instant,
    ok: bool,
    *,
    failures: Sequence[Instant],
    break_gap: Seconds,
) -> list[Segment] | None:
    """The segments ``around`` with the probe ``(ts, ok)`` added; ``None`` if unchanged.

    ``around`` are consecutive segments of one series in time order that include the
    one containing ``ts`` (if any), the one before it and the one after; ``failures``
    are the instants of the failed probes in the segment containing ``ts`` when that
    one failed (empty otherwise).
    """
    host = next((s for s in around if s.contains(ts)), None)
    if host is None:
        pieces = [*around, Segment(ts, ts, 1, ok)]
    elif host.ok == ok:
        if ok or ts in failures:
            return None  # the same outcome at a known instant: already stored
        pieces = [s for s in around if s is not host] + _failed(sorted([*failures, ts]))
    elif not ok:
        pieces = [s for s in around if s is not host] + _fail_inside(host, ts)
    elif ts in failures:
        return None  # failed if any failed (SLA_RULES, Input)
    else:
        before = [t for t in failures if t < ts]
        after = [t for t in failures if t > ts]
        others = [s for s in around if s is not host]
        pieces = [*others, *_failed(before), Segment(ts, ts, 1, True), *_failed(after)]
    return coalesce(sorted(pieces, key=lambda s: s.first_ts), break_gap)


def coalesce(segments: Sequence[Segment], break_gap: Seconds) -> list[Segment]:
    """Join neighbours with the same outcome no more than ``break_gap`` apart."""
    joined: list[Segment] = []
    for segment in segments:
        last = joined[-1] if joined else None
        gap = segment.first_ts - last.last_ts if last else 0.0
        if last is not None and last.ok == segment.ok and gap <= break_gap:
            joined[-1] = Segment(
                last.first_ts,
                segment.last_ts,
                last.probes + segment.probes,
                segment.ok,
                max(last.max_step, segment.max_step, gap),
            )
        else:
            joined.append(segment)
    return joined


def grid(segment: Segment) -> list[Instant]:
    """The instants an ok segment stands for: ``probes`` evenly spaced, ends exact."""
    n = segment.probes
    if n == 1:
        return [segment.first_ts]
    step = (segment.last_ts - segment.first_ts) / (n - 1)
    inner = [segment.first_ts + i * step for i in range(1, n - 1)]
    return [segment.first_ts, *inner, segment.last_ts]


def _fail_inside(host: Segment, ts: Instant) -> list[Segment]:
    """A late failure inside an ok segment, placed on its grid (see the module doc)."""
    if host.probes == 1:
        return [Segment(ts, ts, 1, False)]
    slots = grid(host)
    step = (host.last_ts - host.first_ts) / (host.probes - 1)
    position = (ts - host.first_ts) / step
    nearest = round(position)
    if ts in (host.first_ts, host.last_ts) or abs(position - nearest) < _ON_GRID:
        left, right = slots[:nearest], slots[nearest + 1 :]
    else:
        below = int(position)
        left, right = slots[: below + 1], slots[below + 1 :]
    return [*_ok_part(left, host), Segment(ts, ts, 1, False), *_ok_part(right, host)]


def _ok_part(slots: Sequence[Instant], host: Segment) -> list[Segment]:
    """Part of a split ok segment (none if empty); ``max_step`` stays the host's bound."""
    if not slots:
        return []
    step = host.max_step if len(slots) > 1 else 0.0
    return [Segment(slots[0], slots[-1], len(slots), True, step)]


def _failed(times: Sequence[Instant]) -> list[Segment]:
    """A failed segment from the instants of its failures (all of them are known)."""
    if not times:
        return []
    steps = [b - a for a, b in pairwise(times)]
    return [Segment(times[0], times[-1], len(times), False, max(steps, default=0.0))]
