"""The report as JSON, in the shape SLA_RULES.md fixes (more fields may follow)."""

from __future__ import annotations

from typing import Any

import orjson

from probe.instants import utc
from probe.reports.formatting import figure_fields, seconds
from probe.sla.report import AccountFigures, OutageInWindow, Report


def report_document(report: Report) -> dict[str, Any]:
    """The report as plain data; field names are part of the contract."""
    window = report.window
    return {
        "month": window.label,
        "timezone": report.policy.timezone,
        "objective": report.policy.objective,
        "month_seconds": _number(window.seconds),
        "window": {"start": utc(window.start), "end": utc(window.end)},
        "accounts": [account_document(figures) for figures in report.accounts],
    }


def render_json(report: Report) -> str:
    return orjson.dumps(report_document(report), option=orjson.OPT_INDENT_2).decode() + "\n"


def account_document(f: AccountFigures) -> dict[str, Any]:
    """One account's entry of ``accounts``; the agent's status API uses it too."""
    return {
        "account": f.account,
        "regions": list(f.regions),
        **figure_fields(f),
        "sla_met": f.sla_met,
        "credit_percent": f.credit_percent,
        "ignored_failures": dict(f.ignored_failures),
        "outages": [_outage(o) for o in f.outages],
    }


def _outage(o: OutageInWindow) -> dict[str, Any]:
    return {
        "start": utc(o.start),
        "end": utc(o.end),
        "seconds": seconds(o.seconds),
        "counted": o.outage.counted,
        "open": o.outage.open,
        "regions": list(o.outage.regions),
        "failed_steps": dict(o.failed_steps),
        "errors": dict(o.errors),
        "outage_start": utc(o.outage.start),
        "outage_end": utc(o.outage.end),
        "claim_deadline": None if o.claim_deadline is None else utc(o.claim_deadline),
    }


def _number(value: float) -> int | float:
    return int(value) if value == int(value) else value
