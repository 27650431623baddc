"""R3: maintenance windows, one-off or recurring, and their removal from down time."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from cronsim import CronSim, CronSimError

from probe.model import MAINTENANCE_KINDS, Instant, MaintenanceWindow, Seconds, Span
from probe.sla.spans import merge, subtract


def check_cron(expression: str) -> str | None:
    """Why ``expression`` is not a valid cron expression, or None when it is."""
    try:
        CronSim(expression, datetime(2000, 1, 1, tzinfo=UTC))
    except CronSimError as exc:
        return str(exc) or "invalid cron expression"
    return None


def window_problem(
    *,
    kind: object,
    accounts: Collection[str] | None,
    start: Instant | None = None,
    end: Instant | None = None,
    every: str | None = None,
    duration: Seconds | None = None,
) -> tuple[str, str] | None:
    """What is wrong with a maintenance window, as ``(key, message)``, or None.

    The one statement of what a window is, whoever declares it (the config, the
    maintenance API, an importer, a row read back from the store): one-off (``start``
    before ``end``) or recurring (a cron ``every`` and a ``duration`` above 0), never
    both; a kind the contract excludes; every account (``None``) or some, named. The
    cron expression itself is checked by ``check_cron``.
    """
    shape = _shape_problem(start=start, end=end, every=every, duration=duration)
    if shape is not None:
        return shape
    if kind not in MAINTENANCE_KINDS:
        return "kind", f"kind must be one of {', '.join(MAINTENANCE_KINDS)}, got {kind!r}"
    if accounts is not None and (
            not accounts or not all(name and name == name.strip() for name in accounts)):
        return "accounts", ('accounts must be non-empty names without surrounding spaces,'
                            ' or "*" for every account')
    return None


def _shape_problem(*, start: Instant | None, end: Instant | None, every: str | None,
                   duration: Seconds | None) -> tuple[str, str] | None:
    """One-off or recurring, never both, and complete."""
    one_off = start is not None or end is not None
    recurring = every is not None or duration is not None
    if one_off == recurring:
        return "start", "give either start and end, or every and duration"
    if one_off and (start is None or end is None):
        return ("end" if end is None else "start"), "a one-off window needs both start and end"
    if recurring and (every is None or not duration):
        return ("every" if every is None else "duration",
                "a recurring window needs every (cron) and a duration above 0")
    if start is not None and end is not None and not end > start:
        return "end", "end must be after start"
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
        for occurrence in _occurrences(window, span)
    )


@lru_cache(maxsize=4096)
def _occurrences(window: MaintenanceWindow, span: Span) -> tuple[Span, ...]:
    """``occurrences``, kept: every account asks for the same windows over the same
    stretch (the status page's 90 days, once per account per refresh), and a cron
    expression is slow to step through. Both arguments are frozen values."""
    return tuple(occurrences(window, span))


def remove_maintenance(down: Sequence[Span], maintenance: Sequence[Span]) -> list[Span]:
    """R3: down time with maintenance cut out, splitting spans where it falls inside."""
    return [piece for span in down for piece in subtract(span, maintenance)]

