"""``/api/v1/status`` and ``/api/v1/accounts/NAME``: the status page's figures as JSON.

For scripts and other dashboards. The figures are those of the pages, from the same
snapshot, and an account's month figures have the shape of an entry of the report's
JSON (``reports.as_json.account_document``), so a month here can be compared with
``report --format json`` field by field. The shapes are in the OpenAPI document.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from probe.agent.snapshot import AccountState, RegionState, Snapshot
from probe.agent.web._parts import account_state, regions_by_account
from probe.instants import utc
from probe.reports.as_json import account_document
from probe.sla.days import DayFigures, availability_over
from probe.sla.report import AccountFigures


def status_document(snapshot: Snapshot) -> dict[str, Any]:
    """Every account: its state, month to date and the 90 days."""
    regions = regions_by_account(snapshot.regions)
    accounts = {a.account: a for a in snapshot.accounts}
    return {
        "generated_at": utc(snapshot.generated_at),
        "objective": snapshot.objective,
        "accounts": [account_summary(name, accounts.get(name), regions.get(name, []))
                     for name in sorted({*accounts, *regions})],
    }


def account_summary(
    name: str, account: AccountState | None, regions: Sequence[RegionState]
) -> dict[str, Any]:
    """``account``, ``state``, ``month_to_date``, ``availability_90d``, ``days``."""
    state, text = account_state(account, regions)
    month = account.figures.get("month") if account else None
    days = account.days if account else ()
    return {
        "account": name,
        "state": state,
        "state_text": text,
        "month_to_date": None if month is None else account_document(month),
        "availability_90d": availability_over(days) if days else None,
        "days": [day_document(d) for d in days],
    }


def account_detail(
    summary: dict[str, Any], regions: Sequence[RegionState],
    months: Sequence[AccountFigures],
) -> dict[str, Any]:
    """The summary, each region's state, and the calendar months (newest first)."""
    return {**summary, "regions": [region_document(r) for r in regions],
            "months": [{"month": f.window.label, **account_document(f)} for f in months]}


def day_document(day: DayFigures) -> dict[str, Any]:
    return {
        "date": day.day.label,
        "kind": day.kind,
        "unavailable_seconds": day.unavailable_seconds,
        "counted_outages": day.counted_outages,
        "short_outage_seconds": day.short_outage_seconds,
        "short_outages": day.short_outages,
        "maintenance_seconds": day.maintenance_seconds,
        "coverage": day.coverage,
    }


def region_document(region: RegionState) -> dict[str, Any]:
    last = region.last
    return {
        "region": region.region,
        "down": region.down,
        "down_since": None if region.down_since is None else utc(region.down_since),
        "last_probe": None if last is None else {
            "ts": utc(last.ts), "ok": last.ok, "step": last.step, "error": last.error},
    }
