"""``/accounts/NAME``: one account, in depth.

Its state and 90-day bar, each region's state, the last 24 hours per region (down
intervals, evidence gaps, and the account's maintenance) drawn as inline SVG, the
month's outages with their failing steps and errors, and the last twelve calendar
months with a link to each month's HTML statement (read from the store:
``agent.archive``).
"""

from __future__ import annotations

from collections.abc import Sequence

from probe.agent.snapshot import AccountState, RegionState, Snapshot, recent_period
from probe.agent.web._parts import (
    account_href,
    badge,
    day_bar,
    day_legend,
    document,
    e,
    outages_table,
    regions_table,
    state_badge,
)
from probe.agent.web.page import meta_line
from probe.model import Instant
from probe.reports.formatting import credit_text, duration, percent
from probe.reports.timeline import Mark, maintenance_marks, marks, recent_svg
from probe.sla.report import AccountFigures

__all__ = ["render_account_page", "statement_href"]


def render_account_page(
    name: str,
    snapshot: Snapshot,
    *,
    now: Instant,
    months: Sequence[AccountFigures] | None,
) -> str:
    """The page of account ``name``; ``months`` newest first (``None``: the store could
    not be read, which the page says)."""
    account, regions = snapshot.account_view(name)
    month = account.figures.get("month") if account else None
    body = (
        f'<p class="meta"><a href="/">All accounts</a></p>'
        f"<h1>{e(name)} {state_badge(account, regions)}</h1>"
        f'<p class="meta">{meta_line(snapshot, now)}</p>'
        f"<section><h2>Last {len(account.days) if account else 0} days</h2>"
        f"{day_bar(account.days if account else ())}{day_legend()}</section>"
        f"<section><h2>Regions</h2>{regions_table(regions)}"
        f"<h3>Last 24 hours (UTC)</h3>{_recent(name, account, regions, snapshot)}</section>"
        f"<section><h2>Outages this month</h2>"
        f"{outages_table(month.outages if month else ())}</section>"
        f"<section><h2>Calendar months</h2>{_months_table(name, months)}</section>"
    )
    return document(f"{name}: Lifesize Cloud availability", body)


def statement_href(name: str, label: str) -> str:
    """The path of an account's HTML statement for month ``label`` (``YYYY-MM``)."""
    return f"{account_href(name)}/statements/{label}"


def _recent(
    name: str, account: AccountState | None, regions: Sequence[RegionState],
    snapshot: Snapshot,
) -> str:
    if not regions:
        return '<p class="none">No probes from any region yet.</p>'
    rows: list[tuple[str, Sequence[Mark]]] = [
        (f"region {r.region}",
         [*marks(r.recent_down, "down", f"{r.region} down"),
          *marks(r.recent_gaps, "gap", "evidence gap")])
        for r in regions
    ]
    rows.append(("maintenance",
                 maintenance_marks(account.recent_maintenance if account else ())))
    return recent_svg(recent_period(snapshot.generated_at), rows,
                      label=f"{name}: the last 24 hours per region")


def _months_table(name: str, months: Sequence[AccountFigures] | None) -> str:
    if months is None:
        return '<p class="none">The store could not be read; try again shortly.</p>'
    if not months:
        return '<p class="none">No months with data yet.</p>'
    head = ("<tr><th>Month</th><th>Availability</th><th>SLA</th><th>Unavailable</th>"
            "<th>Credit</th><th>Statement</th></tr>")
    return f"<table>{head}{''.join(_month_row(name, f) for f in months)}</table>"


def _month_row(name: str, f: AccountFigures) -> str:
    running = f.window.as_of < f.window.end
    label = f.window.label + (" (to date)" if running else "")
    verdict = badge("up" if f.sla_met else "down", "met" if f.sla_met else "missed")
    link = f'<a href="{e(statement_href(name, f.window.label))}">HTML statement</a>'
    return (f"<tr><td>{e(label)}</td><td class=\"n\">{e(percent(f.availability))}</td>"
            f"<td>{verdict}</td><td class=\"n\">{e(duration(f.unavailable_seconds))}</td>"
            f"<td>{e(credit_text(f))}</td><td>{link}</td></tr>")
