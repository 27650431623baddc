"""Formatting of figures shared by the renderers, the claim and the status page:
durations, percentages, counts (instants are formatted by ``probe.instants``)."""

from __future__ import annotations

from probe.model import Seconds
from probe.sla.report import AccountFigures


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
