"""R3: maintenance windows, one-off or recurring, and their removal from down time."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from cronsim import CronSim, CronSimError

from probe.model import MaintenanceWindow, Span
from probe.sla.spans import merge, subtract


def check_cron(expression: str) -> str | None:
    """Why ``expression`` is not a valid cron expression, or None when it is."""
    try:
        CronSim(expression, datetime(2000, 1, 1, tzinfo=UTC))
    except CronSimError as exc:
        return str(exc) or "invalid cron expression"
    return None


def occurrences(window: MaintenanceWindow, span: Span) -> Iterator[Span]:
    """The times ``window`` is in force that overlap ``span``.

    A recurring window starts at each time its cron expression ``every`` matches, on
    the wall clock of its own time zone (so "02:00 on Sundays" stays 02:00 across DST),
    and lasts ``duration`` seconds of real time.
    """
    if window.every is None:
        assert window.start is not None
        assert window.end is not None
        if window.start < span.end and window.end > span.start:
            yield Span(window.start, window.end)
        return
    assert window.duration is not None
    zone = ZoneInfo(window.timezone)
    # Occurrences strictly after this instant can still reach into the span.
    since = datetime.fromtimestamp(span.start - window.duration, tz=zone)
    for begin in CronSim(window.every, since):
        start = begin.timestamp()
        if start >= span.end:
            return
        yield Span(start, start + window.duration)


def excluded_spans(
    account: str, windows: Sequence[MaintenanceWindow], span: Span
) -> list[Span]:
    """R3: the merged maintenance time that applies to ``account`` within ``span``."""
    return merge(
        occurrence
        for window in windows
        if window.applies_to(account)
        for occurrence in occurrences(window, span)
    )


def remove_maintenance(down: Sequence[Span], maintenance: Sequence[Span]) -> list[Span]:
    """R3: down time with maintenance cut out, splitting spans where it falls inside."""
    return [piece for span in down for piece in subtract(span, maintenance)]

