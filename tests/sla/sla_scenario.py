"""Terse builders for SLA scenarios: probe sequences drawn as strings, one probe a minute.

A pattern is read left to right, one character per minute from ``start``:

====  =====================================================
char  probe
====  =====================================================
``.``  success
``x``  failure (``step``/``error`` given, default login/http_503)
``c``  failure in the call step (``call``/``timeout``)
``a``  ``auth_rejected`` failure (not evidence, SLA_RULES "Input")
``i``  ``internal`` failure (not evidence)
``-``  no probe at all
====  =====================================================

Every figure in the tests is worked out by hand from SLA_RULES.md; these helpers only
save typing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime

from probe.model import MaintenanceWindow, Period, ProbeResult, SlaPolicy
from probe.sla import AccountFigures, AccountHistory, histories_from_results, window_figures

MINUTE = 60.0
HOUR = 3600.0
DAY = 86400.0

POLICY = SlaPolicy()
"""The defaults of SLA_RULES.md: objective 0.999, min_outage 5m, max_gap 5m, majority."""


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> float:
    """The instant of a UTC wall-clock time."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC).timestamp()


def probes(
    pattern: str,
    start: float,
    *,
    account: str = "acme",
    region: str = "eu-west",
    every: float = MINUTE,
    step: str = "login",
    error: str = "http_503",
) -> list[ProbeResult]:
    """The probes drawn by ``pattern`` (see the module docstring)."""
    kinds = {
        ".": (True, None, None),
        "x": (False, step, error),
        "c": (False, "call", "timeout"),
        "a": (False, "login", "auth_rejected"),
        "i": (False, "call", "internal"),
    }
    results = []
    for index, char in enumerate(pattern):
        if char == "-":
            continue
        ok, failed_step, failed_error = kinds[char]
        results.append(
            ProbeResult(
                ts=start + index * every,
                account=account,
                region=region,
                ok=ok,
                step=failed_step,
                error=failed_error,
            )
        )
    return results


def paint(length: int, marks: Mapping[int, str], background: str = ".") -> str:
    """A pattern of ``length`` minutes of ``background`` with ``marks`` drawn at offsets."""
    cells = [background] * length
    for offset, drawing in marks.items():
        cells[offset : offset + len(drawing)] = drawing
    assert len(cells) == length, "a mark runs past the end of the pattern"
    return "".join(cells)


def probe(ts: float, ok: bool = False, **fields: str) -> ProbeResult:
    """One probe of acme/eu-west at ``ts``: a login http_503 failure unless ``ok``."""
    account = fields.get("account", "acme")
    region = fields.get("region", "eu-west")
    if ok:
        return ProbeResult(ts=ts, account=account, region=region, ok=True)
    step, error = fields.get("step", "login"), fields.get("error", "http_503")
    return ProbeResult(ts=ts, account=account, region=region, ok=False, step=step, error=error)


def history(
    results: Iterable[ProbeResult],
    policy: SlaPolicy = POLICY,
    *,
    maintenance: Sequence[MaintenanceWindow] = (),
    regions: Mapping[str, Sequence[str]] | None = None,
    account: str = "acme",
) -> AccountHistory:
    """The history of one account (R1–R4)."""
    found = histories_from_results(results, policy, maintenance=maintenance, regions=regions)
    (only,) = [h for h in found if h.account == account]
    return only


def figures(
    results: Iterable[ProbeResult],
    period: Period,
    policy: SlaPolicy = POLICY,
    *,
    maintenance: Sequence[MaintenanceWindow] = (),
    regions: Mapping[str, Sequence[str]] | None = None,
    account: str = "acme",
) -> AccountFigures:
    """The figures of one account over ``period`` (R1–R6)."""
    found = history(results, policy, maintenance=maintenance, regions=regions, account=account)
    return window_figures(found, period, policy)


def one_off(
    start: float, end: float, *, accounts: Iterable[str] | None = None, kind: str = "scheduled"
) -> MaintenanceWindow:
    """A one-off maintenance window ``[start, end)``."""
    names = None if accounts is None else frozenset(accounts)
    return MaintenanceWindow(kind=kind, accounts=names, start=start, end=end)  # type: ignore[arg-type]


def window(start: float, end: float, label: str = "test") -> Period:
    """A complete window ``[start, end)`` (its data reaches its end)."""
    return Period(label=label, start=start, end=end, as_of=end)
