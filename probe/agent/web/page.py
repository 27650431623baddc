"""``/``: the status page, plain server-rendered HTML from one snapshot.

No JavaScript, no external assets and no build step: the page must work under a
``default-src 'none'`` Content-Security-Policy, in any browser, and be saved as evidence
as it is. Every text that comes from the config, the store or an error (account and
region names, window names, error classes) goes through ``_e`` (``html.escape``), so an
account called ``<script>`` shows as text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape

from probe.agent.snapshot import AccountState, RegionState, Snapshot
from probe.instants import utc
from probe.model import Instant, MaintenanceWindow, Seconds
from probe.reports.formatting import duration, percent
from probe.reports.style import STYLE
from probe.sla.report import AccountFigures, OutageInWindow

__all__ = ["MAX_OUTAGES", "render_status_page"]

MAX_OUTAGES = 10
"""Outages listed per account, most recent first (the full list is in the report)."""



def render_status_page(snapshot: Snapshot, *, now: Instant) -> str:
    """The whole page: a summary of every account, then one section per account."""
    regions = _regions_by_account(snapshot.regions)
    accounts = {a.account: a for a in snapshot.accounts}
    names = sorted({*accounts, *regions})
    ready, reason = snapshot.ready(now)
    meta = (f"As of {_e(utc(snapshot.generated_at))} · lifesize-probe {_e(snapshot.version)}"
            f" · objective {_e(percent(snapshot.objective, 2))} per calendar month"
            f" · agent {'ready' if ready else 'not ready: ' + _e(reason)}")
    sections = "".join(_account_section(n, accounts.get(n), regions.get(n, [])) for n in names)
    sections = sections or '<p class="none">No accounts probed yet.</p>'
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Lifesize Cloud availability</title><style>{STYLE}</style></head><body>"
        f'<h1>Lifesize Cloud availability</h1><p class="meta">{meta}</p>'
        f"{_summary(names, accounts, regions, snapshot.objective)}"
        f"{sections}</body></html>"
    )


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _regions_by_account(regions: Iterable[RegionState]) -> dict[str, list[RegionState]]:
    grouped: dict[str, list[RegionState]] = {}
    for state in regions:
        grouped.setdefault(state.account, []).append(state)
    return {name: sorted(states, key=lambda s: s.region) for name, states in grouped.items()}


def _state(account: AccountState | None, regions: Sequence[RegionState]) -> str:
    """A badge: in maintenance, down (by quorum, R2), degraded (some regions down), up,
    or no data yet."""
    down = [r.region for r in regions if r.down]
    where = f" (down in {', '.join(down)})" if down else ""
    if account is not None and account.maintenance_active:
        return _badge("maint", "in maintenance" + where)
    if down and (account is None or account.down):
        return _badge("down", "down in " + ", ".join(down))
    if down:
        return _badge("maint", "degraded: down in " + ", ".join(down) + ", not a quorum")
    if not any(r.last is not None for r in regions):
        return _badge("unknown", "no data yet")
    return _badge("up", "up")


def _badge(kind: str, text: str) -> str:
    return f'<span class="badge {kind}">{_e(text)}</span>'


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
            f'<tr><td><a href="#a-{_e(name)}">{_e(name)}</a></td>'
            f"<td>{_state(account, regions.get(name, []))}</td>"
            f"{_month_cells(month, objective)}</tr>")
    head = ("<tr><th>Account</th><th>State</th><th>Month to date</th><th>SLA</th>"
            "<th>Unavailable</th><th>Budget left</th></tr>")
    return f"<section><h2>Accounts</h2><table>{head}{''.join(rows)}</table></section>"


def _month_cells(month: AccountFigures | None, objective: float) -> str:
    if month is None:
        return '<td class="n">-</td><td>-</td><td class="n">-</td><td class="n">-</td>'
    verdict = ("met" if month.sla_met else "missed") + f" (objective {percent(objective, 2)})"
    return (f'<td class="n">{_e(percent(month.availability))}</td>'
            f'<td>{_badge("up" if month.sla_met else "down", verdict)}</td>'
            f'<td class="n">{_e(duration(month.unavailable_seconds))}</td>'
            f'<td class="n">{_e(_signed(month.error_budget_remaining_seconds))}</td>')


def _signed(seconds: Seconds) -> str:
    """``-22s`` for a budget overspent by 22 seconds."""
    return "-" + duration(-seconds) if seconds < 0 else duration(seconds)


def _account_section(
    name: str, account: AccountState | None, regions: Sequence[RegionState]
) -> str:
    month = account.figures.get("month") if account else None
    outages = month.outages if month else ()
    windows = account.active_windows if account else ()
    return (f'<section id="a-{_e(name)}"><h2>{_e(name)} {_state(account, regions)}</h2>'
            f"<h3>Regions</h3>{_regions_table(regions)}"
            f"<h3>Outages this month</h3>{_outages_table(outages)}"
            f"<h3>Active maintenance</h3>{_maintenance_list(windows)}</section>")


def _regions_table(regions: Sequence[RegionState]) -> str:
    if not regions:
        return '<p class="none">No probes from any region yet.</p>'
    rows = "".join(_region_row(r) for r in regions)
    return ("<table><tr><th>Region</th><th>State</th><th>Last probe (UTC)</th><th>Result</th>"
            f"<th>Coverage this month</th></tr>{rows}</table>")


def _region_row(state: RegionState) -> str:
    last = state.last
    if state.down:
        since = f" since {utc(state.down_since)}" if state.down_since is not None else ""
        badge = _badge("down", "down" + since)
    else:
        badge = _badge("up" if last else "unknown", "up" if last else "no data yet")
    result = "-" if last is None else "ok" if last.ok else f"{last.step}: {last.error}"
    coverage = state.coverage.get("month")
    return (f"<tr><td>{_e(state.region)}</td><td>{badge}</td>"
            f"<td>{_e(utc(last.ts)) if last else '-'}</td><td>{_e(result)}</td>"
            f'<td class="n">{_e(percent(coverage, 2)) if coverage is not None else "-"}</td></tr>')


def _outages_table(outages: Sequence[OutageInWindow]) -> str:
    if not outages:
        return '<p class="none">No outages this month.</p>'
    recent = sorted(outages, key=lambda o: o.start, reverse=True)[:MAX_OUTAGES]
    head = ("<tr><th>Start (UTC)</th><th>End (UTC)</th><th>Length</th><th>Counted</th>"
            "<th>Regions</th><th>Failing step</th><th>Error</th></tr>")
    return f"<table>{head}{''.join(_outage_row(o) for o in recent)}</table>"


def _outage_row(part: OutageInWindow) -> str:
    ongoing = part.outage.open and part.end == part.outage.end
    end = "ongoing" if ongoing else utc(part.end)
    counted = "yes" if part.outage.counted else "no (shorter than the minimum)"
    if ongoing and not part.outage.counted:
        counted = "not yet (shorter than the minimum so far)"
    cells = (utc(part.start), end, duration(part.seconds), counted,
             ", ".join(part.outage.regions), _tally(part.failed_steps), _tally(part.errors))
    return "<tr>" + "".join(f"<td>{_e(cell)}</td>" for cell in cells) + "</tr>"


def _tally(counts: Mapping[str, int]) -> str:
    """``login×5, call×1``."""
    return ", ".join(f"{name}×{n}" for name, n in sorted(counts.items())) or "-"


def _maintenance_list(windows: Sequence[MaintenanceWindow]) -> str:
    if not windows:
        return '<p class="none">None.</p>'
    return "<ul>" + "".join(f"<li>{_e(_describe(w))}</li>" for w in windows) + "</ul>"


def _describe(window: MaintenanceWindow) -> str:
    """``Sunday patch (scheduled): 2026-10-11T02:00:00Z to 2026-10-11T03:00:00Z``."""
    label = f"{window.name or 'unnamed'} ({window.kind.replace('_', ' ')})"
    if window.start is not None and window.end is not None:
        return f"{label}: {utc(window.start)} to {utc(window.end)}"
    every = f"every {window.every}" if window.every else "recurring"
    length = f" for {duration(window.duration)}" if window.duration else ""
    return f"{label}: {every}{length} ({window.timezone})"
