"""R5–R6: the figures of a window (a month, month-to-date, the trailing 30 days).

Every figure that the exporter, the report and the status page show comes from
``window_figures``. Windows are cut out of an ``AccountHistory`` whose outages were
already judged whole (R4), so a qualifying outage that crosses a month boundary counts
in each month for its own part (R5).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from probe.model import (
    Failure,
    Instant,
    MaintenanceKind,
    MaintenanceWindow,
    Outage,
    Period,
    RegionTimeline,
    Seconds,
    SlaPolicy,
    Span,
)
from probe.sla.history import AccountHistory
from probe.sla.maintenance import occurrences
from probe.sla.rules import availability, claim_deadline, credit_percent, error_budget, sla_met
from probe.sla.spans import clip, measure, subtract


@dataclass(frozen=True, slots=True, kw_only=True)
class OutageInWindow:
    """The part of an outage inside a window, with the evidence behind that part."""

    outage: Outage
    start: Instant
    end: Instant
    failed_steps: Mapping[str, int]
    errors: Mapping[str, int]
    claim_deadline: Instant | None
    """Only counted outages can be claimed."""
    evidence: tuple[Failure, ...] = ()
    """The failed probes behind this part, by time: what a claim attaches."""

    @property
    def seconds(self) -> Seconds:
        return self.end - self.start


@dataclass(frozen=True, slots=True, kw_only=True)
class AppliedMaintenance:
    """R3: one occurrence of a maintenance window, clipped to a report's window."""

    start: Instant
    end: Instant
    kind: MaintenanceKind
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountFigures:
    """R6 for one account and one window."""

    account: str
    regions: tuple[str, ...]
    window: Period
    unavailable_seconds: Seconds
    availability: float
    sla_met: bool
    error_budget_seconds: Seconds
    error_budget_remaining_seconds: Seconds
    observed_down_seconds: Seconds
    excluded_seconds: Seconds
    short_outage_seconds: Seconds
    coverage: float
    credit_percent: float | None
    outages: tuple[OutageInWindow, ...]
    ignored_failures: Mapping[str, int]
    """Non-evidence failures (auth_rejected, internal) in the window, by class."""
    timezone: str = "UTC"
    """The account's wall clock for statements: ``accounts[].timezone``, else sla.timezone."""
    maintenance: tuple[AppliedMaintenance, ...] = ()
    """R3: the maintenance that covers this account inside the window (statements only)."""
    evidence_gaps: tuple[Span, ...] = ()
    """R1/R2: the parts of the elapsed window that no quorum of probes covered."""
    region_down: Mapping[str, tuple[Span, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    """R1: each region's down intervals inside the window, before quorum (statements only)."""
    down: tuple[Span, ...] = ()
    """R2: the account's down time inside the window, before maintenance and R4."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    """The figures of every account for one window."""

    window: Period
    policy: SlaPolicy
    accounts: tuple[AccountFigures, ...]


def window_figures(history: AccountHistory, period: Period, policy: SlaPolicy) -> AccountFigures:
    """R6: the contractual figures of one account over ``period``.

    Time is measured up to ``period.as_of`` (data after it is not yet part of the
    period); the denominators stay the whole period.
    """
    span = Span(period.start, min(period.end, period.as_of))
    parts = [part for outage in history.outages if (part := _part(outage, span, policy))]
    unavailable = sum(p.seconds for p in parts if p.outage.counted)
    short = sum(p.seconds for p in parts if not p.outage.counted)
    observed = measure(history.down, span)
    ratio = availability(unavailable, period)
    budget = error_budget(period, policy.objective)
    return AccountFigures(
        account=history.account,
        regions=history.regions,
        window=period,
        unavailable_seconds=unavailable,
        availability=float(ratio),
        sla_met=sla_met(ratio, policy.objective),
        error_budget_seconds=budget,
        error_budget_remaining_seconds=budget - unavailable,
        observed_down_seconds=observed,
        excluded_seconds=max(0.0, observed - unavailable - short),
        short_outage_seconds=short,
        coverage=coverage_ratio(history.coverage, period),
        credit_percent=credit_percent(ratio, policy.credits),
        outages=tuple(parts),
        ignored_failures=_count_in(history.ignored, span),
        timezone=policy.timezone,
    )


def coverage_ratio(covered: Sequence[Span], period: Period) -> float:
    """R1/R6: covered time over the part of ``period`` that has passed (0 before it)."""
    elapsed = period.elapsed
    if elapsed <= 0:
        return 0.0
    return measure(covered, Span(period.start, period.start + elapsed)) / elapsed


def build_report(
    histories: Iterable[AccountHistory],
    period: Period,
    policy: SlaPolicy,
    *,
    maintenance: Sequence[MaintenanceWindow] = (),
    timezones: Mapping[str, str] | None = None,
    timelines: Iterable[RegionTimeline] = (),
) -> Report:
    """R6 for every account, sorted by account name, with what a statement shows beside
    the figures: the account's time zone, the maintenance that covered it (R3), its
    evidence gaps and each region's down intervals (from ``timelines``, when given).

    ``maintenance`` must be the windows the histories were built with.
    """
    zones = timezones or {}
    downs = _region_down(timelines, period)
    figures = (
        replace(
            window_figures(h, period, policy),
            timezone=zones.get(h.account) or policy.timezone,
            maintenance=applied_maintenance(h.account, maintenance, period),
            evidence_gaps=evidence_gaps(h.coverage, period),
            down=_clipped(h.down, period),
            region_down=MappingProxyType(downs.get(h.account, {})),
        )
        for h in histories
    )
    return Report(
        window=period, policy=policy, accounts=tuple(sorted(figures, key=lambda f: f.account))
    )


def applied_maintenance(
    account: str, windows: Sequence[MaintenanceWindow], period: Period
) -> tuple[AppliedMaintenance, ...]:
    """R3: each occurrence of a period covering ``account``, clipped to ``period``, by start."""
    span = Span(period.start, period.end)
    found = (
        AppliedMaintenance(start=inside.start, end=inside.end, kind=w.kind, name=w.name)
        for w in windows
        if w.applies_to(account)
        for occurrence in occurrences(w, span)
        if (inside := clip(occurrence, span)) is not None
    )
    return tuple(sorted(found, key=lambda m: (m.start, m.end, m.name, m.kind)))


def evidence_gaps(covered: Sequence[Span], period: Period) -> tuple[Span, ...]:
    """R1: the elapsed part of ``period`` outside ``covered`` (merged, sorted spans)."""
    elapsed = Span(period.start, period.start + period.elapsed)
    if elapsed.seconds <= 0:
        return ()
    return tuple(subtract(elapsed, covered))


def _region_down(
    timelines: Iterable[RegionTimeline], period: Period
) -> dict[str, dict[str, tuple[Span, ...]]]:
    """R1 down intervals of every region, clipped to the elapsed period, by account."""
    found: dict[str, dict[str, tuple[Span, ...]]] = {}
    for timeline in timelines:
        spans = _clipped((Span(d.start, d.end) for d in timeline.down), period)
        found.setdefault(timeline.account, {})[timeline.region] = spans
    return found


def _clipped(spans: Iterable[Span], period: Period) -> tuple[Span, ...]:
    """The non-empty parts of ``spans`` inside the elapsed part of ``period``."""
    elapsed = Span(period.start, period.start + period.elapsed)
    return tuple(inside for span in spans if (inside := clip(span, elapsed)) is not None)


def _part(outage: Outage, window: Span, policy: SlaPolicy) -> OutageInWindow | None:
    """R5: the part of ``outage`` in ``window``; qualification stays that of the whole."""
    inside = clip(Span(outage.start, outage.end), window)
    if inside is None:
        return None
    reaches_end = outage.open and inside.end == outage.end
    evidence = [
        f for f in outage.failures
        if inside.start <= f.ts < inside.end or (reaches_end and f.ts == inside.end)
    ]
    deadline = claim_deadline(outage.end, policy.claim_within) if outage.counted else None
    return OutageInWindow(
        outage=outage,
        start=inside.start,
        end=inside.end,
        failed_steps=_tally(f.step for f in evidence),
        errors=_tally(f.error for f in evidence),
        claim_deadline=deadline,
        evidence=tuple(evidence),
    )


def _tally(names: Iterable[str | None]) -> Mapping[str, int]:
    return MappingProxyType(dict(Counter(name or "unknown" for name in names)))


def _count_in(ignored: Mapping[str, Sequence[Instant]], window: Span) -> Mapping[str, int]:
    counts = {
        error: bisect_left(stamps, window.end) - bisect_left(stamps, window.start)
        for error, stamps in ignored.items()
    }
    return MappingProxyType({error: n for error, n in sorted(counts.items()) if n})


__all__ = [
    "AccountFigures",
    "AppliedMaintenance",
    "OutageInWindow",
    "Report",
    "applied_maintenance",
    "build_report",
    "evidence_gaps",
    "window_figures",
]
