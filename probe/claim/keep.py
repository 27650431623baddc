"""Which diagnostic folders the budget must keep: those a claim may still attach.

``probe.diagnostics.budget.prune`` removes old probe folders; this says which it must
not. A folder is protected while its probe lies inside an outage that a customer can
still claim: counted (R4) with its claim deadline (R6) ahead of ``now``. An outage
still open is protected too (it may yet become counted, and its first minutes are
exactly the evidence a claim would lack), until the deadline it would have had, had it
ended at its last failed probe: a series whose agent stopped does not pin its folders
for ever. The figures come from ``statement`` (one ``Report`` per month of
``claimable_months``), so the budget and the claim read the outages the same way.

Times, not file names: a folder is kept when its probe time (from its name) lies in
the outage, for the regions the outage failed in, from its start to ``sla.max_gap``
after its last failed probe (R1 would still join a failure that close), so the
confirming second attempt of that probe is kept with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from probe.config import Settings
from probe.diagnostics.budget import Folder
from probe.diagnostics.folders import safe_name
from probe.model import Instant, Period, Seconds, SlaPolicy, Span
from probe.sla.report import AccountFigures, OutageInWindow
from probe.sla.rules import calendar_month, claim_deadline, month_of
from probe.statement import History, statements

__all__ = ["Protected", "claimable_months", "protected_folders", "protected_in"]

_MS = 0.001
"""Folder names keep milliseconds: a probe at ``t`` is named at ``t`` rounded down."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Protected:
    """A ``budget.Keep`` predicate: true for a folder a claim may still need."""

    spans: Mapping[tuple[str, str], tuple[Span, ...]] = field(default_factory=dict)
    """Protected probe times by ``(account, region)`` directory names."""

    def __call__(self, folder: Folder) -> bool:
        spans = self.spans.get((folder.account, folder.region), ())
        return any(span.start <= folder.ts <= span.end for span in spans)


def protected_in(history: History, settings: Settings, *, now: Instant) -> Protected:
    """What ``prune`` must keep at ``now``, from a store's or a file's history: the
    outages of every month that can still hold a claim, judged as ``statement`` does."""
    policy = settings.policy()
    reports = statements(history, settings, claimable_months(now, policy))
    return protected_folders((f for r in reports for f in r.accounts), now=now, policy=policy)


def protected_folders(figures: Iterable[AccountFigures], *, now: Instant,
                      policy: SlaPolicy) -> Protected:
    """The folders inside the outages of ``figures`` that can still be claimed at
    ``now``, or that are still open and may be."""
    spans: dict[tuple[str, str], set[Span]] = {}
    for account in figures:
        for part in account.outages:
            if not _claimable(part, now, policy.claim_within):
                continue
            outage = part.outage
            span = Span(outage.start - _MS, outage.end + policy.max_gap)
            for region in outage.regions:
                spans.setdefault((safe_name(account.account), safe_name(region)),
                                 set()).add(span)
    return Protected(spans={key: tuple(sorted(found)) for key, found in spans.items()})


def _claimable(part: OutageInWindow, now: Instant, claim_within: Seconds) -> bool:
    outage = part.outage
    return (outage.counted or outage.open) and now <= claim_deadline(outage.end, claim_within)


def claimable_months(now: Instant, policy: SlaPolicy) -> list[Period]:
    """The calendar months (``sla.timezone``) that can hold an outage claimable at
    ``now``: from the month ``claim_within`` ago to this month so far, oldest first."""
    zone = policy.timezone
    year, month = month_of(now - policy.claim_within, zone)
    last = month_of(now, zone)
    found = []
    while (year, month) < last:
        found.append(calendar_month(year, month, zone))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return [*found, calendar_month(*last, zone, as_of=now)]
