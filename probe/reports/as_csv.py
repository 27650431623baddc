"""The report as CSV: one row per account, then one per outage, for spreadsheets."""

from __future__ import annotations

import csv
import io

from probe.reports._format import figure_fields, seconds, utc
from probe.sla.report import AccountFigures, OutageInWindow, Report

FIELDS = (
    "month", "account", "record", "regions",
    "availability", "sla_met", "unavailable_seconds", "error_budget_seconds",
    "error_budget_remaining_seconds", "observed_down_seconds", "excluded_seconds",
    "short_outage_seconds", "coverage", "credit_percent",
    "start", "end", "seconds", "counted", "open", "failed_steps", "errors", "claim_deadline",
)


def render_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    month = report.window.label
    for figures in report.accounts:
        writer.writerow({"month": month, **_account(figures)})
        for outage in figures.outages:
            writer.writerow({"month": month, "account": figures.account, **_outage(outage)})
    return out.getvalue()


def _account(f: AccountFigures) -> dict[str, object]:
    return {
        "account": f.account,
        "record": "account",
        "regions": " ".join(f.regions),
        **figure_fields(f),
        "sla_met": str(f.sla_met).lower(),
        "credit_percent": "" if f.credit_percent is None else f.credit_percent,
    }


def _outage(o: OutageInWindow) -> dict[str, object]:
    return {
        "record": "outage",
        "regions": " ".join(o.outage.regions),
        "start": utc(o.start),
        "end": utc(o.end),
        "seconds": seconds(o.seconds),
        "counted": str(o.outage.counted).lower(),
        "open": str(o.outage.open).lower(),
        "failed_steps": " ".join(f"{k}={v}" for k, v in sorted(o.failed_steps.items())),
        "errors": " ".join(f"{k}={v}" for k, v in sorted(o.errors.items())),
        "claim_deadline": "" if o.claim_deadline is None else utc(o.claim_deadline),
    }
