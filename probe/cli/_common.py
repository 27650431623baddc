"""What ``report`` and ``claim`` parse alike: the source of the results, a month, an
instant, and the progress line while a big results file is read."""

from __future__ import annotations

import argparse
import sys
import time

from probe.instants import parse_instant
from probe.model import Period
from probe.sla import calendar_month, previous_month
from probe.sla.rules import parse_month


def add_source(parser: argparse.ArgumentParser, *, database: str) -> None:
    """``--results`` or ``--database``, one of them required (report and claim)."""
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--results", metavar="FILE.jsonl",
                        help="probe results, one JSON object per line ('-' for stdin)")
    source.add_argument("--database", metavar="URL",
                        help=f"an agent's store, e.g. sqlite:///lifesize-probe.db ({database})")


def month(text: str) -> tuple[int, int]:
    try:
        return parse_month(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def instant(text: str) -> float:
    try:
        return parse_instant(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def report_window(month: tuple[int, int] | None, timezone: str) -> Period:
    """The month asked for, else the previous full month, in ``timezone``."""
    if month is None:
        return previous_month(time.time(), timezone)
    return calendar_month(month[0], month[1], timezone)


def progress(lines: int) -> None:
    if sys.stderr.isatty():
        print(f"\rread {lines:,} lines…", end="", file=sys.stderr, flush=True)
