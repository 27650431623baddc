"""The report as Markdown, for pasting into a ticket.

It carries the facts of the HTML statement: per outage the start and end in UTC and on
the account's wall clock, the failing steps and errors, the regions and the claim
deadline; per account the maintenance that was cut out and the evidence gaps.
"""

from __future__ import annotations

import re

from probe.instants import utc, wall
from probe.reports.formatting import counts, credit_text, duration, percent, period
from probe.sla.report import AccountFigures, OutageInWindow, Report

_SPECIAL = re.compile(r"([\\|<>`*\[\]])")


def render_markdown(report: Report) -> str:
    policy, window = report.policy, report.window
    lines = [
        f"# Lifesize Cloud SLA statement — {window.label}",
        "",
        f"Objective {policy.objective * 100:g} % per calendar month ({policy.timezone}). "
        f"Only continuous unavailability of {duration(policy.min_outage)} or longer counts; "
        f"maintenance is excluded. A counted outage must be claimed within "
        f"{period(policy.claim_within)} of its end.",
        "",
        "| Account | Availability | SLA met | Unavailable | Budget left | Short outages "
        "| Excluded | Coverage | Credit |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [_summary_row(f) for f in report.accounts]
    for figures in report.accounts:
        lines += ["", *_account(figures)]
    return "\n".join(lines) + "\n"


def _summary_row(f: AccountFigures) -> str:
    left = f.error_budget_remaining_seconds
    cells = (
        _escape(f.account), percent(f.availability), "yes" if f.sla_met else "**no**",
        duration(f.unavailable_seconds), ("" if left >= 0 else "−") + duration(abs(left)),
        duration(f.short_outage_seconds), duration(f.excluded_seconds),
        percent(f.coverage, 2), credit_text(f),
    )
    return "| " + " | ".join(cells) + " |"


def _account(f: AccountFigures) -> list[str]:
    lines = [f"## {_escape(f.account)}", "",
             f"Regions: {_escape(', '.join(f.regions)) or '-'}. Time zone: {_escape(f.timezone)}."]
    if f.ignored_failures:
        ignored = _escape(counts(dict(f.ignored_failures)))
        lines.append(f"Probe-side failures, not counted: {ignored}.")
    lines.append("")
    lines += _outages(f) if f.outages else ["No outages in this period."]
    lines += ["", *_maintenance(f), *_gaps(f)]
    return lines


def _outages(f: AccountFigures) -> list[str]:
    zone = _escape(f.timezone)
    lines = [
        f"| Start (UTC) | End (UTC) | Start ({zone}) | End ({zone}) | Length | Counted "
        "| Regions | Failed steps | Errors | Claim by (UTC) |",
        "|---|---|---|---|---:|---|---|---|---|---|",
    ]
    lines += ["| " + " | ".join(_outage_cells(o, f.timezone)) + " |" for o in f.outages]
    return lines


def _outage_cells(o: OutageInWindow, zone: str) -> tuple[str, ...]:
    still = " (still open)" if o.outage.open and o.end == o.outage.end else ""
    deadline = "-" if o.claim_deadline is None else utc(o.claim_deadline)
    return (
        utc(o.start), utc(o.end) + still, wall(o.start, zone), wall(o.end, zone),
        duration(o.seconds), "yes" if o.outage.counted else "no (short)",
        _escape(", ".join(o.outage.regions)), _escape(counts(dict(o.failed_steps))),
        _escape(counts(dict(o.errors))), deadline,
    )


def _maintenance(f: AccountFigures) -> list[str]:
    if not f.maintenance:
        return ["Maintenance in this period: none."]
    lines = ["Maintenance in this period (excluded from unavailable time):", ""]
    lines += [
        f"- {utc(m.start)} to {utc(m.end)} ({duration(m.end - m.start)}), "
        f"{m.kind.replace('_', ' ')}: {_escape(m.name) or 'unnamed'}"
        for m in f.maintenance
    ]
    return lines


def _gaps(f: AccountFigures) -> list[str]:
    if not f.evidence_gaps:
        return ["", "Evidence gaps: none."]
    total = sum(g.seconds for g in f.evidence_gaps)
    longest = max(f.evidence_gaps, key=lambda g: g.seconds)
    return ["", f"Evidence gaps: {len(f.evidence_gaps)}, {duration(total)} in all; the longest "
                f"{utc(longest.start)} to {utc(longest.end)} ({duration(longest.seconds)})."]


def _escape(text: str) -> str:
    """Backslash-escape what Markdown would read as a table cell end, HTML or markup."""
    return _SPECIAL.sub(r"\\\1", text)
