"""R4–R6: the five-minute rule, calendar months, and the contractual figures."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from fractions import Fraction
from functools import lru_cache
from zoneinfo import ZoneInfo

from probe.model import CreditTier, Instant, Period, Seconds, Span


def qualifies(piece: Span, min_outage: Seconds) -> bool:
    """R4: the five-minute rule.

    A continuous piece of down time left after maintenance is unavailable time in full
    when it lasts at least ``min_outage`` (exactly five minutes counts), and not at all
    when it is shorter.
    """
    return piece.end - piece.start >= min_outage


def calendar_month(year: int, month: int, timezone: str, *, as_of: Instant | None = None) -> Period:
    """R5: a calendar month on the wall clock of ``timezone``, at its true length.

    Both ends are local midnights converted to UTC, so a month with a DST change is an
    hour longer or shorter than its days suggest.
    """
    zone = ZoneInfo(timezone)
    start = datetime(year, month, 1, tzinfo=zone)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
    begin, finish = start.timestamp(), end.timestamp()
    reach = finish if as_of is None else min(as_of, finish)
    return Period(label=f"{year:04d}-{month:02d}", start=begin, end=finish, as_of=reach)


def calendar_days(now: Instant, timezone: str, count: int) -> tuple[Period, ...]:
    """The last ``count`` calendar days of ``timezone`` up to ``now``, oldest first.

    Each runs from local midnight to local midnight (23 or 25 hours across a DST
    change), labelled ``YYYY-MM-DD``; today is measured up to ``now``.
    """
    zone = ZoneInfo(timezone)
    today = datetime.fromtimestamp(now, tz=zone).date()
    days = []
    for back in range(count - 1, -1, -1):
        day = today - timedelta(days=back)
        start = datetime(day.year, day.month, day.day, tzinfo=zone).timestamp()
        after = day + timedelta(days=1)
        end = datetime(after.year, after.month, after.day, tzinfo=zone).timestamp()
        days.append(Period(label=day.isoformat(), start=start, end=end, as_of=min(now, end)))
    return tuple(days)


def month_of(instant: Instant, timezone: str) -> tuple[int, int]:
    """R5: the (year, month) that ``instant`` falls in, in ``timezone``."""
    local = datetime.fromtimestamp(instant, tz=ZoneInfo(timezone))
    return local.year, local.month


def recent_months(now: Instant, timezone: str, count: int) -> list[tuple[int, int]]:
    """``(year, month)`` of the ``count`` calendar months up to ``now``, newest first."""
    year, month = month_of(now, timezone)
    found = []
    for _ in range(count):
        found.append((year, month))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return found


def previous_month(now: Instant, timezone: str) -> Period:
    """The last full calendar month before ``now`` (the default report)."""
    year, month = recent_months(now, timezone, 2)[1]
    return calendar_month(year, month, timezone)


def parse_month(text: str) -> tuple[int, int]:
    """``2026-10`` as ``(2026, 10)``: how a month is named on the command line and in
    the agent's statement URLs; ``ValueError`` saying what is expected otherwise."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", text)
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"expected a month like 2026-10, got {text!r}")
    return int(match.group(1)), int(match.group(2))


def month_to_date(now: Instant, timezone: str) -> Period:
    """The calendar month containing ``now``, measured up to ``now``.

    Availability and budget use the whole month's length: the contract judges the
    month, and this is how much of it is already spent.
    """
    year, month = month_of(now, timezone)
    window = calendar_month(year, month, timezone, as_of=now)
    return Period(label="month", start=window.start, end=window.end, as_of=now)


def trailing(now: Instant, days: int = 30) -> Period:
    """The trailing ``days`` days up to ``now``."""
    length = timedelta(days=days).total_seconds()
    return Period(label=f"{days}d", start=now - length, end=now, as_of=now)


def availability(unavailable: Seconds, period: Period) -> Fraction:
    """R6: 1 − unavailable / period length (maintenance does not shrink the length).

    Exact, so that a customer exactly on the objective or on a credit tier's edge is
    judged as the contract reads, not as binary floating point rounds: seconds are taken
    at their shortest decimal form (2678.4, not the binary float a hair above it).
    """
    return _availability(unavailable, period.seconds)


@lru_cache(maxsize=4096)
def _availability(unavailable: Seconds, window_seconds: Seconds) -> Fraction:
    """Memoised: exact arithmetic is slow, and a live agent asks again for the same
    figures every few seconds (most accounts at 0 unavailable seconds, one month length)."""
    return 1 - _decimal(unavailable) / _decimal(window_seconds)


@lru_cache(maxsize=4096)
def _decimal(value: float) -> Fraction:
    """``value`` at its shortest decimal form, exactly (Fractions are immutable: shared)."""
    return Fraction(repr(value))


def sla_met(availability: Fraction, objective: float) -> bool:
    """R6: availability ≥ objective."""
    return availability >= _decimal(objective)


def error_budget(period: Period, objective: float) -> Seconds:
    """R6: (1 − objective) × period length."""
    return _budget(period.seconds, objective)


@lru_cache(maxsize=256)
def _budget(window_seconds: Seconds, objective: float) -> Seconds:
    return float((1 - _decimal(objective)) * _decimal(window_seconds))


def credit_percent(availability: Fraction, tiers: Sequence[CreditTier] | None) -> float | None:
    """R6: the credit of the tier with the smallest ``below`` that availability is under.

    0 when no tier applies; None when no tiers are configured (they are
    contract-specific and unpublished, so there is no default).
    """
    if tiers is None:
        return None
    reached = [tier for tier in tiers if availability < _decimal(tier.below)]
    return min(reached, key=lambda tier: tier.below).percent if reached else 0.0


def claim_deadline(outage_end: Instant, claim_within: Seconds) -> Instant:
    """R6: a counted outage must be claimed within ``claim_within`` of its end."""
    return outage_end + claim_within
