"""Formatting shared by the renderers: times, durations, figures."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from probe.model import Instant, Seconds
from probe.sla.report import AccountFigures


def utc(instant: Instant) -> str:
    """RFC 3339 in UTC: ``2026-10-05T10:00:00Z`` (milliseconds only when present)."""
    moment = datetime.fromtimestamp(instant, tz=UTC)
    spec = "seconds" if moment.microsecond == 0 else "milliseconds"
    return moment.isoformat(timespec=spec).replace("+00:00", "Z")


def local(instant: Instant, zone: str) -> str:
    """RFC 3339 on the wall clock of ``zone``: ``2026-10-05T12:00:00+02:00``."""
    moment = datetime.fromtimestamp(instant, tz=ZoneInfo(zone))
    spec = "seconds" if moment.microsecond == 0 else "milliseconds"
    return moment.isoformat(timespec=spec)


def wall(instant: Instant, zone: str) -> str:
    """For people: ``2026-10-05 12:00:00 CEST`` (``UTC`` for UTC)."""
    moment = datetime.fromtimestamp(instant, tz=ZoneInfo(zone))
    return moment.strftime("%Y-%m-%d %H:%M:%S ") + (moment.tzname() or zone)


def seconds(value: Seconds) -> float:
    """Seconds rounded to the millisecond, so float noise never reaches a statement."""
    return round(value, 3) + 0.0


def duration(value: Seconds) -> str:
    """``45m 0s``, ``2h 5m``, ``1d 3h``: for people reading a table."""
    total = round(value)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m {secs}s" if minutes else f"{secs}s"


def period(value: Seconds) -> str:
    """``30 days`` for whole days (claim periods), else as ``duration``."""
    days, rest = divmod(round(value), 86400)
    if days and not rest:
        return f"{days} day" + ("s" if days > 1 else "")
    return duration(value)


def signed(value: Seconds) -> str:
    """``-22s`` for a budget overspent by 22 seconds, else as ``duration``."""
    return "-" + duration(-value) if value < 0 else duration(value)


def percent(ratio: float, places: int = 4) -> str:
    """``99.8992 %``."""
    return f"{ratio * 100:.{places}f} %"


def counts(tally: dict[str, int]) -> str:
    """``login×5, call×1``."""
    return ", ".join(f"{name}×{n}" for name, n in sorted(tally.items())) or "-"


def credit_text(f: AccountFigures) -> str:
    """The credit tier reached, or "not configured" (there are no published tiers)."""
    return "not configured" if f.credit_percent is None else f"{f.credit_percent:g} %"


def figure_fields(f: AccountFigures) -> dict[str, float]:
    """The numeric R6 figures under their contract names, rounded for statements."""
    return {
        "availability": round(f.availability, 9),
        "unavailable_seconds": seconds(f.unavailable_seconds),
        "error_budget_seconds": seconds(f.error_budget_seconds),
        "error_budget_remaining_seconds": seconds(f.error_budget_remaining_seconds),
        "observed_down_seconds": seconds(f.observed_down_seconds),
        "excluded_seconds": seconds(f.excluded_seconds),
        "short_outage_seconds": seconds(f.short_outage_seconds),
        "coverage": round(f.coverage, 6),
    }
