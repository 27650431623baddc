"""The report as Markdown, for pasting into a ticket."""

from __future__ import annotations

from probe.reports._format import counts, duration, percent, utc
from probe.sla.report import AccountFigures, Report


def render_markdown(report: Report) -> str:
    policy, window = report.policy, report.window
    lines = [
        f"# Lifesize Cloud SLA statement — {window.label}",
        "",
        f"Objective {policy.objective * 100:g} % per calendar month ({policy.timezone}). "
        f"Only continuous unavailability of {duration(policy.min_outage)} or longer counts; "
        "maintenance is excluded.",
        "",
        "| Account | Availability | SLA met | Unavailable | Budget left | Short outages "
        "| Excluded | Coverage | Credit |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [_summary_row(f) for f in report.accounts]
    for figures in report.accounts:
        lines += ["", *_outages(figures)]
    return "\n".join(lines) + "\n"


def _summary_row(f: AccountFigures) -> str:
    credit = "not configured" if f.credit_percent is None else f"{f.credit_percent:g} %"
    left = f.error_budget_remaining_seconds
    cells = (
        _escape(f.account), percent(f.availability), "yes" if f.sla_met else "**no**",
        duration(f.unavailable_seconds), ("" if left >= 0 else "−") + duration(abs(left)),
        duration(f.short_outage_seconds), duration(f.excluded_seconds),
        percent(f.coverage, 2), credit,
    )
    return "| " + " | ".join(cells) + " |"


def _outages(f: AccountFigures) -> list[str]:
    lines = [f"## {_escape(f.account)}", ""]
    if not f.outages:
        return [*lines, "No outages in this period."]
    lines += [
        "| Start (UTC) | End (UTC) | Length | Counted | Regions | Failed steps | Errors |",
        "|---|---|---:|---|---|---|---|",
    ]
    for o in f.outages:
        end = utc(o.end) + (" (still open)" if o.outage.open else "")
        cells = (
            utc(o.start), end, duration(o.seconds), "yes" if o.outage.counted else "no (short)",
            _escape(", ".join(o.outage.regions)), counts(dict(o.failed_steps)),
            _escape(counts(dict(o.errors))),
        )
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _escape(text: str) -> str:
    return text.replace("|", "\\|")
