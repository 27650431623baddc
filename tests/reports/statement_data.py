"""A month for the statement tests, with every kind of mark the HTML statement draws.

October 2026, one probe a minute from every region, ``sla`` defaults (objective 0.999,
min_outage 5m, max_gap 5m, majority), with:

- EVIL (an account named like markup, time zone America/New_York, three regions):
  - Oct 5 10:00–10:45 every region fails login with http_503: counted, 45 minutes;
  - Oct 12 14:00–14:04 two regions fail the call step with a markup-like error class:
    4 minutes, short;
  - Oct 20 02:10–02:50 every region fails inside the emergency maintenance window
    02:00–03:00 (named like markup): 40 minutes excluded;
  - Oct 31 23:50 to the end of the data (Nov 1 00:10) every region fails: counted,
    still open; October counts its 10 minutes.
- globex (UTC, one region): nothing happens.
- Oct 18 06:00–09:00 no probe runs anywhere: an evidence gap of three hours.

Hand-worked: EVIL unavailable 45 + 10 = 55 minutes = 3300 s; short 240 s; excluded 2400 s;
gap 10800 s, so coverage (2678400 − 10800) / 2678400.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from probe.config import Settings
from probe.model import ProbeResult
from probe.sla import calendar_month, region_timeline
from probe.sla.report import Report
from probe.statement import History, statement
from tests.helpers import at

EVIL = '<script>alert("x")</script> & co'
EVIL_ERROR = "<img src=x onerror=alert(1)>"
EVIL_WINDOW = 'Patch "<b>db</b>"'
REGIONS = ("ap-southeast", "eu-west", "us-east")
OCTOBER = calendar_month(2026, 10, "UTC")

FAULTS: list[tuple[str, str, frozenset[str], str, str]] = [
    # from, until (exclusive), regions, step, error
    ("2026-10-05T10:00", "2026-10-05T10:45", frozenset(REGIONS), "login", "http_503"),
    ("2026-10-12T14:00", "2026-10-12T14:04", frozenset({"eu-west", "us-east"}), "call",
     EVIL_ERROR),
    ("2026-10-20T02:10", "2026-10-20T02:50", frozenset(REGIONS), "login", "http_502"),
    ("2026-10-31T23:50", "2026-11-01T00:11", frozenset(REGIONS), "call", "timeout"),
]
GAP = (at("2026-10-18T06:00"), at("2026-10-18T09:00"))

SETTINGS: dict[str, Any] = {
    "accounts": [
        {"name": EVIL, "regions": list(REGIONS), "timezone": "America/New_York"},
        {"name": "globex", "regions": ["eu-west"]},
    ],
    "sla": {"credits": [{"below": 0.999, "percent": 10}, {"below": 0.99, "percent": 25}]},
    "maintenance": {"windows": [
        {"name": EVIL_WINDOW, "kind": "emergency", "accounts": [EVIL],
         "start": "2026-10-20T02:00:00Z", "end": "2026-10-20T03:00:00Z"},
    ]},
}


def month_results(account: str, region: str) -> list[ProbeResult]:
    """One probe a minute from Sep 30 23:50 to Nov 1 00:10 (inclusive), gap left out."""
    start, end = at("2026-09-30T23:50"), at("2026-11-01T00:10")
    results = []
    ts = start
    while ts <= end:
        if not GAP[0] < ts < GAP[1]:
            results.append(_probe(ts, account, region))
        ts += 60.0
    return results


def _probe(ts: float, account: str, region: str) -> ProbeResult:
    if account == EVIL:
        for begin, until, regions, step, error in FAULTS:
            if region in regions and at(begin) <= ts < at(until):
                durations = {step: 1.5, "total": 2.25}
                return ProbeResult(
                    ts=ts,
                    account=account,
                    region=region,
                    ok=False,
                    step=step,
                    error=error,
                    durations=durations,
                )
    return ProbeResult(
        ts=ts, account=account, region=region, ok=True, durations={"login": 0.4, "total": 1.1}
    )


@cache
def all_results() -> tuple[ProbeResult, ...]:
    """Every probe of the month (built once: the tests only read them)."""
    return (
        *(r for region in REGIONS for r in month_results(EVIL, region)),
        *month_results("globex", "eu-west"),
    )


def october_report(settings: dict[str, Any] | None = None) -> Report:
    """The statement of October through the same path as ``report``."""
    if settings is None:
        return _default_report()
    return _report(settings)


@cache
def _default_report() -> Report:
    return _report(SETTINGS)


def _report(settings: dict[str, Any]) -> Report:
    config = Settings.model_validate(settings)
    policy = config.policy()
    grouped: dict[tuple[str, str], list[ProbeResult]] = {}
    for result in all_results():
        grouped.setdefault((result.account, result.region), []).append(result)
    timelines = [region_timeline(a, r, probes, max_gap=policy.max_gap)
                 for (a, r), probes in grouped.items()]
    return statement(
        History(timelines=timelines), config, calendar_month(2026, 10, config.sla.timezone)
    )
