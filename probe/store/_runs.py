"""Placing one probe among a series' segments: the store's write rule, with no I/O.

Backends load the few segments around a probe, call ``place`` and write back what
changed, so SQLite and PostgreSQL share one rule. In time order (what agents do) a
probe only ever extends the last segment or starts a new one. A late probe is placed
where it belongs: a success inside a failed segment splits it (every failure is kept,
so the split is exact), and probes in gaps join or bridge their neighbours.

One case cannot be exact, because an ok segment does not keep the times of the
successes inside it: the store reads an ok segment as its ``probes`` successes on a
grid (``grid``: evenly spaced from ``first_ts`` to ``prev_ts``, then ``last_ts``),
which is exact for an agent's fixed interval, and a late probe inside one is placed on
that grid:

* a success there is taken as one already counted (a re-sent probe and a new one look
  the same there, and idempotency wins);
* a failure there replaces the grid success at its instant, if there is one (always at
  ``first_ts``, ``prev_ts`` and ``last_ts``: so the common late case, the latest probe
  reported again as failed, is exact), and otherwise is inserted between the two grid
  successes around it; the down interval it opens then ends at the next grid success,
  which may be off the true one by less than ``max_step``.

Agents that retry a failed write should retry it before writing newer results: that
keeps every write on the exact path.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from itertools import pairwise

from probe.model import Instant, Seconds
from probe.store.base import Segment

_ON_GRID = 1e-6
"""Seconds within which an instant is taken to be a grid point (float arithmetic)."""


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
        pieces = [*around, Segment(first_ts=ts, last_ts=ts, probes=1, ok=ok)]
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
        pieces = [
            *others,
            *_failed(before),
            Segment(first_ts=ts, last_ts=ts, probes=1, ok=True),
            *_failed(after),
        ]
    return coalesce(sorted(pieces, key=lambda s: s.first_ts), break_gap)


def coalesce(segments: Sequence[Segment], break_gap: Seconds) -> list[Segment]:
    """Join neighbours with the same outcome no more than ``break_gap`` apart."""
    joined: list[Segment] = []
    for segment in segments:
        last = joined[-1] if joined else None
        gap = segment.first_ts - last.last_ts if last else 0.0
        if last is not None and last.ok == segment.ok and gap <= break_gap:
            joined[-1] = Segment(
                first_ts=last.first_ts,
                last_ts=segment.last_ts,
                probes=last.probes + segment.probes,
                ok=segment.ok,
                max_step=max(last.max_step, segment.max_step, gap),
                prev_ts=last.last_ts if segment.probes == 1 else segment.prev_ts,
            )
        else:
            joined.append(segment)
    return joined


def grid(segment: Segment) -> list[Instant]:
    """The instants an ok segment stands for; first, ``prev_ts`` and last are exact.

    The ``probes`` successes evenly spaced from ``first_ts`` to ``prev_ts`` (to
    ``last_ts`` when ``prev_ts`` is unknown), then ``last_ts``; no two further apart
    than the largest true gap, so R1 over the grid is R1 over the true probes.
    """
    n, first, last = segment.probes, segment.first_ts, segment.last_ts
    if n <= 2:
        return [first, last][:n]
    prev = segment.prev_ts
    if prev is None:
        step = (last - first) / (n - 1)
        return [first, *(first + i * step for i in range(1, n - 1)), last]
    step = (prev - first) / (n - 2)
    return [first, *(first + i * step for i in range(1, n - 2)), prev, last]


def _fail_inside(host: Segment, ts: Instant) -> list[Segment]:
    """A late failure inside an ok segment, placed on its grid (see the module doc)."""
    slots = grid(host)
    k = bisect_left(slots, ts - _ON_GRID)
    if k < len(slots) and abs(slots[k] - ts) <= _ON_GRID:
        left, right = slots[:k], slots[k + 1 :]  # it is the probe at a grid point
    else:
        left, right = slots[:k], slots[k:]
    return [
        *_ok_part(left, host),
        Segment(first_ts=ts, last_ts=ts, probes=1, ok=False),
        *_ok_part(right, host),
    ]


def _ok_part(slots: Sequence[Instant], host: Segment) -> list[Segment]:
    """Part of a split ok segment (none if empty); ``max_step`` stays the host's bound.

    Its ``prev_ts`` is known when its last two instants are: a two-probe part, or the
    host's own ``prev_ts`` before the part's end.
    """
    if not slots:
        return []
    if len(slots) == 1:
        return [Segment(first_ts=slots[0], last_ts=slots[0], probes=1, ok=True)]
    exact = len(slots) == 2 or slots[-2] == host.prev_ts
    prev = slots[-2] if exact else None
    return [
        Segment(
            first_ts=slots[0],
            last_ts=slots[-1],
            probes=len(slots),
            ok=True,
            max_step=host.max_step,
            prev_ts=prev,
        )
    ]


def _failed(times: Sequence[Instant]) -> list[Segment]:
    """A failed segment from the instants of its failures (all of them are known)."""
    if not times:
        return []
    steps = [b - a for a, b in pairwise(times)]
    prev = times[-2] if len(times) > 1 else None
    return [
        Segment(
            first_ts=times[0],
            last_ts=times[-1],
            probes=len(times),
            ok=False,
            max_step=max(steps, default=0.0),
            prev_ts=prev,
        )
    ]
