"""``/``: the status page, plain server-rendered HTML from one snapshot.

A summary of every account (state, month to date against the objective), then one
section per account: its 90-day bar (``sla.days``), regions, the month's outages and
the maintenance going on. Each account links to its own page (``account_page``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from probe.agent.snapshot import DAYS, AccountState, RegionState, Snapshot
from probe.agent.web._parts import (
    account_href,
    day_bar,
    day_legend,
    document,
    e,
    maintenance_list,
    month_cells,
    outages_table,
    regions_by_account,
    regions_table,
    state_badge,
)
from probe.instants import utc
from probe.model import Instant
from probe.reports.formatting import percent

__all__ = ["render_status_page"]


def render_status_page(snapshot: Snapshot, *, now: Instant) -> str:
    """The whole page: a summary of every account, then one section per account."""
    regions = regions_by_account(snapshot.regions)
    accounts = {a.account: a for a in snapshot.accounts}
    names = sorted({*accounts, *regions})
    sections = "".join(_account_section(n, accounts.get(n), regions.get(n, [])) for n in names)
    sections = sections or '<p class="none">No accounts probed yet.</p>'
    body = (f'<h1>Lifesize Cloud availability</h1><p class="meta">{meta_line(snapshot, now)}</p>'
            f"{_summary(names, accounts, regions, snapshot.objective)}{sections}")
    return document("Lifesize Cloud availability", body)


def meta_line(snapshot: Snapshot, now: Instant) -> str:
    """As of when, which version, the objective, and whether the agent is ready."""
    ready, reason = snapshot.ready(now)
    return (f"As of {e(utc(snapshot.generated_at))} · lifesize-probe {e(snapshot.version)}"
            f" · objective {e(percent(snapshot.objective, 2))} per calendar month"
            f" · agent {'ready' if ready else 'not ready: ' + e(reason)}")


def _summary(
    names: Sequence[str], accounts: Mapping[str, AccountState],
    regions: Mapping[str, Sequence[RegionState]], objective: float,
) -> str:
    """One row per account: state, month to date against the objective, budget left."""
    rows = []
    for name in names:
        account = accounts.get(name)
        month = account.figures.get("month") if account else None
        rows.append(
            f'<tr><td><a href="#a-{e(name)}">{e(name)}</a></td>'
            f"<td>{state_badge(account, regions.get(name, []))}</td>"
            f"{month_cells(month, objective)}</tr>")
    head = ("<tr><th>Account</th><th>State</th><th>Month to date</th><th>SLA</th>"
            "<th>Unavailable</th><th>Budget left</th></tr>")
    return (f"<section><h2>Accounts</h2><table>{head}{''.join(rows)}</table>"
            f"<h3>The day bars, last {DAYS} days in sla.timezone</h3>{day_legend()}</section>")


def _account_section(
    name: str, account: AccountState | None, regions: Sequence[RegionState]
) -> str:
    month = account.figures.get("month") if account else None
    outages = month.outages if month else ()
    windows = account.active_windows if account else ()
    days = account.days if account else ()
    return (f'<section id="a-{e(name)}"><h2>{e(name)} {state_badge(account, regions)} '
            f'<a class="more" href="{e(account_href(name))}">account page</a></h2>'
            f"{day_bar(days)}"
            f"<h3>Regions</h3>{regions_table(regions)}"
            f"<h3>Outages this month</h3>{outages_table(outages)}"
            f"<h3>Active maintenance</h3>{maintenance_list(windows)}</section>")
