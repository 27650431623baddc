"""Instants as text: the one parser of RFC 3339 times and the formatters of them.

Every time that enters the program as text (config, results files, the maintenance API,
Statuspage feeds) goes through ``parse_instant``, and every time that leaves it as text
(results files, reports, the claim, the API, the status page) through ``utc``, ``local``
or ``wall``. Internally an instant is epoch seconds (``model.Instant``), so arithmetic
never meets a time zone; zones matter only for calendar months and for people.

The grammar is RFC 3339's ``date-time`` (section 5.6): seconds are required, a fraction
is optional, ``T`` may be a space, and the offset (``Z`` or ``±hh:mm``) is required.
A time without an offset is refused rather than guessed.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from probe.model import Instant

EXAMPLE = "2026-10-05T10:00:00Z"

_DATE, _TIME, _FRACTION = r"\d{4}-\d{2}-\d{2}", r"\d{2}:\d{2}", r"(?:\.\d{1,9})?"
_DATE_TIME = re.compile(
    rf"{_DATE}[Tt ]{_TIME}:\d{{2}}{_FRACTION}(?:[Zz]|[+-]\d{{2}}:\d{{2}})", re.ASCII)
_WALL_CLOCK = re.compile(rf"{_DATE}[Tt ]{_TIME}(?::\d{{2}}{_FRACTION})?", re.ASCII)
"""A date and time without an offset: refused, but told what is missing."""

Problem = Literal["not_text", "not_rfc3339", "no_offset"]


class InstantError(ValueError):
    """Why a value is not an instant; ``problem`` lets each edge word it for its reader."""

    def __init__(self, value: Any, problem: Problem) -> None:
        self.value, self.problem = value, problem
        super().__init__(_MESSAGES[problem].format(value=value, example=EXAMPLE))


_MESSAGES: dict[Problem, str] = {
    "not_text": "expected a time like '{example}', got {value!r}",
    "not_rfc3339": "expected a time like '{example}', got {value!r}",
    "no_offset": "time {value!r} has no UTC offset: add 'Z' or '+02:00'",
}


def parse_instant(value: Any) -> Instant:
    """RFC 3339 text with an offset (``2026-10-05T10:00:00Z``) as epoch seconds.

    Surrounding white space is ignored; anything else raises ``InstantError``.
    """
    if not isinstance(value, str):
        raise InstantError(value, "not_text")
    text = value.strip()
    if not _DATE_TIME.fullmatch(text):
        local_time = _WALL_CLOCK.fullmatch(text)
        raise InstantError(value, "no_offset" if local_time else "not_rfc3339")
    try:
        moment = datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
        return moment.astimezone(UTC).timestamp()
    except (ValueError, OverflowError):  # the shape is right, the numbers are not (day 32)
        raise InstantError(value, "not_rfc3339") from None


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
