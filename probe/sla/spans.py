"""Interval arithmetic on half-open spans ``[start, end)``.

The rules are written in terms of these few operations; nothing here knows about
probes, accounts or months.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from probe.model import Instant, Seconds, Span


def merge(spans: Iterable[Span]) -> list[Span]:
    """Sorted, non-overlapping spans covering the same time; touching spans join."""
    merged: list[Span] = []
    for span in sorted(s for s in spans if s.end > s.start):
        if merged and span.start <= merged[-1].end:
            last = merged[-1]
            merged[-1] = Span(last.start, max(last.end, span.end))
        else:
            merged.append(span)
    return merged


def subtract(span: Span, cuts: Sequence[Span]) -> list[Span]:
    """The parts of ``span`` outside ``cuts`` (which must be merged and sorted)."""
    pieces: list[Span] = []
    cursor = span.start
    for cut in cuts:
        if cut.end <= cursor:
            continue
        if cut.start >= span.end:
            break
        if cut.start > cursor:
            pieces.append(Span(cursor, cut.start))
        cursor = max(cursor, cut.end)
    if cursor < span.end:
        pieces.append(Span(cursor, span.end))
    return pieces


def clip(span: Span, window: Span) -> Span | None:
    """The part of ``span`` inside ``window``, or None when they do not overlap."""
    start, end = max(span.start, window.start), min(span.end, window.end)
    return Span(start, end) if end > start else None


def overlap(a: Span, b: Span) -> Seconds:
    """Seconds that ``a`` and ``b`` share."""
    return max(0.0, min(a.end, b.end) - max(a.start, b.start))


def measure(spans: Iterable[Span], window: Span) -> Seconds:
    """Seconds of ``spans`` (assumed non-overlapping) inside ``window``."""
    return sum(overlap(span, window) for span in spans)


def at_least(layers: Sequence[Sequence[Span]], k: int) -> list[Span]:
    """Where at least ``k`` of ``layers`` are inside one of their spans.

    Each layer is one region's spans, non-overlapping. A span that ends exactly where
    another layer's begins does not leave a hole: starts are counted before ends.
    """
    if k <= 0 or k > len(layers):
        return []
    events: list[tuple[Instant, int]] = []
    for layer in layers:
        for span in layer:
            if span.end > span.start:
                events.append((span.start, -1))  # sorts first at equal times
                events.append((span.end, 1))
    events.sort()
    result: list[Span] = []
    depth, opened = 0, 0.0
    for at, kind in events:
        if kind < 0:
            depth += 1
            if depth == k:
                opened = at
        else:
            if depth == k:
                result.append(Span(opened, at))
            depth -= 1
    return merge(result)
