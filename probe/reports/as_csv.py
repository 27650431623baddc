"""The report as CSV for spreadsheets: one row per account, then one per outage and one
per maintenance occurrence. Times are RFC 3339 in UTC, and again on the account's wall
clock (``start_local``, ``end_local``, ``timezone``); columns are only ever added."""

from __future__ import annotations

import csv
import io

from probe.instants import local, utc
from probe.reports.formatting import figure_fields, seconds
from probe.sla.report import AccountFigures, AppliedMaintenance, OutageInWindow, Report

FIELDS = (
    "month", "account", "record", "regions",
    "availability", "sla_met", "unavailable_seconds", "error_budget_seconds",
    "error_budget_remaining_seconds", "observed_down_seconds", "excluded_seconds",
    "short_outage_seconds", "coverage", "credit_percent",
    "start", "end", "seconds", "counted", "open", "failed_steps", "errors", "claim_deadline",
    "timezone", "start_local", "end_local", "kind", "name",
)


def render_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    month = report.window.label
    for figures in report.accounts:
        writer.writerow({"month": month, **_account(figures)})
        common = {"month": month, "account": figures.account, "timezone": figures.timezone}
        for outage in figures.outages:
            writer.writerow({**common, **_outage(outage), **_local(outage, figures.timezone)})
        for window in figures.maintenance:
            writer.writerow({**common, **_maintenance(window), **_local(window, figures.timezone)})
    return out.getvalue()


def _account(f: AccountFigures) -> dict[str, object]:
    return {
        "account": f.account,
        "record": "account",
        "regions": " ".join(f.regions),
        **figure_fields(f),
        "sla_met": str(f.sla_met).lower(),
        "credit_percent": "" if f.credit_percent is None else f.credit_percent,
        "timezone": f.timezone,
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


def _maintenance(m: AppliedMaintenance) -> dict[str, object]:
    return {
        "record": "maintenance",
        "start": utc(m.start),
        "end": utc(m.end),
        "seconds": seconds(m.end - m.start),
        "kind": m.kind,
        "name": m.name,
    }


def _local(span: OutageInWindow | AppliedMaintenance, zone: str) -> dict[str, object]:
    return {"start_local": local(span.start, zone), "end_local": local(span.end, zone)}
