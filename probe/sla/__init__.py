"""The SLA engine: SLA_RULES.md as pure functions, no I/O and no clock.

Where each rule lives:

=====  ==========================================  ==============================
rule   what                                        function
=====  ==========================================  ==============================
Input  duplicates, non-evidence failures           ``timeline.TimelineBuilder.add``
R1     region timeline, gaps, coverage             ``timeline.TimelineBuilder._fold``
R2     quorum across regions                       ``quorum.quorum_size``, ``account_down``
R3     maintenance windows                         ``maintenance.occurrences``,
                                                   ``maintenance.remove_maintenance``
R4     the five-minute rule                        ``rules.qualifies``
R5     calendar months, split after qualifying     ``rules.calendar_month``, ``report._part``
R6     figures of a window                         ``report.window_figures`` and ``rules``
days   the status page's day bars (R5/R6 by day)    ``days.day_figures``, ``rules.calendar_days``
=====  ==========================================  ==============================
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from probe.model import MaintenanceWindow, ProbeResult, RegionTimeline, SlaPolicy
from probe.sla.history import AccountHistory, account_history
from probe.sla.report import AccountFigures, OutageInWindow, Report, build_report, window_figures
from probe.sla.rules import (
    calendar_month,
    credit_percent,
    month_to_date,
    previous_month,
    qualifies,
    trailing,
)
from probe.sla.timeline import OutOfOrder, TimelineBuilder, region_timeline

__all__ = [
    "AccountFigures",
    "AccountHistory",
    "OutOfOrder",
    "OutageInWindow",
    "Report",
    "TimelineBuilder",
    "account_history",
    "build_report",
    "calendar_month",
    "credit_percent",
    "histories",
    "histories_from_results",
    "month_to_date",
    "previous_month",
    "qualifies",
    "region_timeline",
    "trailing",
    "window_figures",
]


def histories(
    timelines: Iterable[RegionTimeline],
    policy: SlaPolicy,
    *,
    maintenance: Sequence[MaintenanceWindow] = (),
    regions: Mapping[str, Sequence[str]] | None = None,
) -> list[AccountHistory]:
    """R2–R4 for every account that has timelines or configured regions."""
    by_account: dict[str, list[RegionTimeline]] = defaultdict(list)
    for timeline in timelines:
        by_account[timeline.account].append(timeline)
    configured = regions or {}
    names = sorted({*by_account, *configured})
    return [
        account_history(
            name,
            by_account.get(name, []),
            regions=configured.get(name, ()),
            policy=policy,
            maintenance=maintenance,
        )
        for name in names
    ]


def histories_from_results(
    results: Iterable[ProbeResult],
    policy: SlaPolicy,
    *,
    maintenance: Sequence[MaintenanceWindow] = (),
    regions: Mapping[str, Sequence[str]] | None = None,
) -> list[AccountHistory]:
    """R1–R4 from probe results in any order."""
    grouped: dict[tuple[str, str], list[ProbeResult]] = defaultdict(list)
    for result in results:
        grouped[(result.account, result.region)].append(result)
    timelines = [
        region_timeline(account, region, probes, max_gap=policy.max_gap)
        for (account, region), probes in grouped.items()
    ]
    return histories(timelines, policy, maintenance=maintenance, regions=regions)
