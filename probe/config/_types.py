"""Value types of the config: durations, instants (``probe.instants``), time zones, cron
expressions."""

from __future__ import annotations

import re
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BeforeValidator

from probe.instants import parse_instant
from probe.sla.maintenance import check_cron

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")
_DURATION = re.compile(r"(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+")


def parse_duration(value: Any) -> float:
    """``90s``, ``5m``, ``2h``, ``1d`` or a sum such as ``1h30m``, in seconds."""
    if not isinstance(value, str) or not _DURATION.fullmatch(value.strip()):
        raise ValueError(f"expected a duration like '5m', got {value!r}")
    return sum(float(number) * _UNITS[unit] for number, unit in _PART.findall(value))


_BYTES = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9,
          "kib": 2**10, "mib": 2**20, "gib": 2**30}
_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([kmg]i?b|b)?", re.IGNORECASE)


def parse_size(value: Any) -> int:
    """``500MB``, ``2GiB``, ``64kB`` or a plain number of bytes."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    match = _SIZE.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"expected a size like '500MB' or '2GiB', got {value!r}")
    return int(float(match.group(1)) * _BYTES[(match.group(2) or "").lower()])


def check_timezone(value: Any) -> str:
    """An IANA time zone name such as ``Europe/Berlin``."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"expected a time zone name like 'Europe/Berlin', got {value!r}")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r}") from exc
    return value


def check_cron_expression(value: Any) -> str:
    """A five-field cron expression such as ``0 2 * * SUN``."""
    if not isinstance(value, str):
        raise ValueError(f"expected a cron expression like '0 2 * * SUN', got {value!r}")
    problem = check_cron(value)
    if problem is not None:
        raise ValueError(f"bad cron expression {value!r}: {problem}")
    return value



Duration = Annotated[float, BeforeValidator(parse_duration)]
ByteSize = Annotated[int, BeforeValidator(parse_size)]
InstantValue = Annotated[float, BeforeValidator(parse_instant)]
TimeZoneName = Annotated[str, BeforeValidator(check_timezone)]
CronExpression = Annotated[str, BeforeValidator(check_cron_expression)]
