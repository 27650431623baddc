"""The report as aligned text, for a terminal."""

from __future__ import annotations

from collections.abc import Sequence

from probe.instants import utc
from probe.reports.formatting import counts, duration, percent
from probe.sla.report import AccountFigures, Report

SUMMARY_HEADER = (
    "ACCOUNT", "REGIONS", "AVAILABILITY", "MET", "UNAVAILABLE", "BUDGET LEFT",
    "SHORT", "EXCLUDED", "COVERAGE", "CREDIT",
)
OUTAGE_HEADER = ("START (UTC)", "END (UTC)", "LENGTH", "COUNTED", "REGIONS", "STEPS", "ERRORS")


def render_table(report: Report) -> str:
    policy, window = report.policy, report.window
    lines = [
        f"Lifesize Cloud SLA for {window.label} ({policy.timezone}), "
        f"objective {policy.objective * 100:g} %, outages count from {duration(policy.min_outage)}",
        "",
    ]
    if not report.accounts:
        return "\n".join([*lines, "No results for this period.", ""])
    lines += columns([SUMMARY_HEADER, *(_summary(f) for f in report.accounts)])
    for figures in report.accounts:
        lines += ["", *_outages(figures)]
    return "\n".join(lines) + "\n"


def _summary(f: AccountFigures) -> tuple[str, ...]:
    left = f.error_budget_remaining_seconds
    credit = "not configured" if f.credit_percent is None else f"{f.credit_percent:g} %"
    return (
        f.account,
        ",".join(f.regions),
        percent(f.availability),
        "yes" if f.sla_met else "NO",
        duration(f.unavailable_seconds),
        duration(left) if left >= 0 else "-" + duration(-left),
        duration(f.short_outage_seconds),
        duration(f.excluded_seconds),
        percent(f.coverage, 2),
        credit,
    )


def _outages(f: AccountFigures) -> list[str]:
    ignored = f" ({counts(dict(f.ignored_failures))} not counted: probe-side)" if (
        f.ignored_failures
    ) else ""
    title = f"{f.account}: {len(f.outages)} outage(s){ignored}"
    if not f.outages:
        return [title]
    rows = [
        (
            utc(o.start),
            utc(o.end) + (" (open)" if o.outage.open else ""),
            duration(o.seconds),
            "yes" if o.outage.counted else "no (short)",
            ",".join(o.outage.regions),
            counts(dict(o.failed_steps)),
            counts(dict(o.errors)),
        )
        for o in f.outages
    ]
    return [title, *("  " + line for line in columns([OUTAGE_HEADER, *rows]))]


def columns(rows: Sequence[Sequence[str]]) -> list[str]:
    """Rows padded into aligned columns."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in rows]
